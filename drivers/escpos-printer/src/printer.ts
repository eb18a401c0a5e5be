import { encodeDocument, type DocumentCode } from './encode';
import type { PrintDocument } from './documents';
import type { PrinterProfile } from './profiles';
import { DLE_EOT_ALL, decodeStatus, faultOf, isFlowControl, isStatusByte, type PrintFailureCode, type PrinterStatus } from './status';
import type { Transport } from '@servicehall/serial';

/**
 * `status-unknown`: the answer came with bytes that no status byte can be (noise on the line), asked again and still so.
 * `offline`: the line closed while the answer was awaited (the printer unplugged, switched off).
 */
export type StatusResult = { ok: true; status: PrinterStatus } | { ok: false; code: 'timeout' | 'unsupported' | 'write-failed' | 'status-unknown' | 'offline'; message: string };

/** More asks of a status whose answer came with noise: a burst passes, a line that stays noisy is reported. */
const NOISY_ANSWER_RETRIES = 2;

/** How much of a job reached the printer when it failed: what decides whether printing it again is safe. */
export type Written = 'none' | 'partial' | 'complete';

/** Codes of a job that failed after its bytes were sent; a job that failed before has the fault's own code (paper-end, timeout, ...). */
export const AFTER_WRITE_CODES = ['write-incomplete', 'fault-after-write', 'unknown-after-write'] as const;
export type AfterWriteCode = (typeof AFTER_WRITE_CODES)[number];

export class PrintError extends Error {
  constructor(
    /**
     * Nothing written: the fault found before the job (paper-end, cover-open, offline, timeout, ...).
     * `write-incomplete`: the line failed while the job was sent, part of it may be on paper.
     * `fault-after-write`: all sent, then the printer reported `fault` (paper end or cover open in the middle of the job, ...).
     * `unknown-after-write`: all sent, and the printer did not say how it went.
     */
    readonly code: PrintFailureCode | AfterWriteCode | DocumentCode,
    message: string,
    readonly status?: PrinterStatus,
    readonly written: Written = 'none',
    /** The fault the printer reported after the job (`fault-after-write`); `offline` when it went away after the job (`unknown-after-write`). */
    readonly fault?: PrintFailureCode,
  ) {
    super(message);
    this.name = 'PrintError';
  }
}

export interface Printed {
  bytes: number;
  /** Conditions that did not stop the print but need a person soon (paper near-end). */
  warnings: Array<'paper-near-end'>;
  status?: PrinterStatus;
}

export interface TicketPrinterOptions {
  /** Bound for one status reply and for one write, in ms. */
  timeoutMs?: number;
  /** Print through a transport that cannot read status (a device file); the job then resolves once written. */
  allowWithoutStatus?: boolean;
  /** The line's speed, so that the write bound grows with the job (8N1: 10 bits a byte). */
  baudRate?: number;
  /**
   * Bound for the status reply after a job, in ms: a printer busy printing and cutting answers
   * later than an idle one. Default: timeoutMs plus 3 s.
   */
  afterJobTimeoutMs?: number;
}

/** A bound's timer this late means the process was held up (a loaded machine) while the bound ran. */
const STALLED_MS = 100;
/** After such a hold-up, the time given to what came meanwhile (an answer still unread) before the bound is taken as run out. */
const AFTER_STALL_MS = 50;

function withTimeout<T>(promise: Promise<T>, ms: number, onTimeout: () => T): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    // onTimeout may throw: that must reject this promise, never escape from the timer and end the process.
    const expire = () => {
      try {
        resolve(onTimeout());
      } catch (error) {
        reject(error);
      }
    };
    // A process held up past the bound runs its timers before reading what arrived meanwhile: a printer
    // that answered in time would be taken for one that did not. Read first, then decide.
    let due = performance.now() + ms;
    let timer: NodeJS.Timeout;
    const fire = () => {
      if (performance.now() - due <= STALLED_MS) return expire();
      due = performance.now() + AFTER_STALL_MS;
      timer = setTimeout(fire, AFTER_STALL_MS);
    };
    timer = setTimeout(fire, ms);
    promise.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e) => {
        clearTimeout(timer);
        reject(e);
      },
    );
  });
}

/**
 * An ESC/POS receipt printer behind a transport. Status is asked before and after every job;
 * status polls and jobs take turns so their bytes never interleave.
 */
export class TicketPrinter {
  private queue: Promise<unknown> = Promise.resolve();
  private readonly timeoutMs: number;
  private readonly allowWithoutStatus: boolean;
  private readonly baudRate: number;
  private readonly afterJobTimeoutMs: number;
  /** Status bytes still owed by asks that timed out: when they come late, they are not taken for the next answer. */
  private owed = 0;
  /**
   * Asks in a row that timed out without a byte from the printer. A printer busy cutting answers
   * late; one that let two whole asks pass in silence is off or hung, and what it owes will not
   * come: the next ask waits for its own answer only, not for owed bytes until its bound.
   */
  private silentAsks = 0;
  private asking = false;

  constructor(
    private readonly transport: Transport,
    readonly profile: PrinterProfile,
    options: TicketPrinterOptions = {},
  ) {
    this.timeoutMs = options.timeoutMs ?? 2000;
    this.allowWithoutStatus = options.allowWithoutStatus ?? false;
    this.baudRate = options.baudRate ?? 9600;
    this.afterJobTimeoutMs = options.afterJobTimeoutMs ?? this.timeoutMs + 3000;
    // Late answers that arrive between asks pay off what is owed.
    transport.onData((chunk) => {
      if (this.asking) return;
      for (const byte of chunk) {
        if (!isStatusByte(byte)) continue;
        this.silentAsks = 0;
        if (this.owed > 0) this.owed--;
      }
    });
  }

  private exclusive<T>(task: () => Promise<T>): Promise<T> {
    const run = this.queue.then(task, task);
    this.queue = run.catch(() => undefined);
    return run;
  }

  status(): Promise<StatusResult> {
    return this.exclusive(() => this.readStatus());
  }

  /** The status, asked again when the answer came with noise: a noisy answer is never decoded, whatever its bytes look like. */
  private async readStatus(timeoutMs = this.timeoutMs): Promise<StatusResult> {
    let result = await this.askStatus(timeoutMs);
    for (let retry = 0; retry < NOISY_ANSWER_RETRIES && !result.ok && result.code === 'status-unknown'; retry++) result = await this.askStatus(timeoutMs);
    return result;
  }

  private async askStatus(timeoutMs: number): Promise<StatusResult> {
    if (!this.transport.canRead) return { ok: false, code: 'unsupported', message: 'this transport cannot read the printer status' };
    const replies: number[] = [];
    /**
     * Bytes that break a status byte's fixed bits (1 and 4 on, 0 and 7 off): noise on the line. The
     * bytes that came with them may be noise too, however much they look like status (0x32 reads
     * as paper end): such an answer is not taken.
     */
    const noise: number[] = [];
    // A slow printer's answer to an earlier ask comes first: the answer to this ask is the last four bytes.
    const expected = this.owed + 4;
    this.asking = true;
    let unsubscribe = () => {};
    const answered = new Promise<StatusResult>((resolve) => {
      const stopReading = this.transport.onData((chunk) => {
        for (const byte of chunk) {
          if (isStatusByte(byte)) replies.push(byte);
          else if (isFlowControl(byte)) continue;
          else if (noise.length < 8) noise.push(byte);
        }
        if (replies.length >= expected) resolve(noise.length > 0 ? this.noisy(noise) : this.lastFour(replies));
      });
      // A printer unplugged (or switched off) while it is asked will never answer: said now, not at the end of the bound.
      const stopHearing = this.transport.onClose?.(() => resolve({ ok: false, code: 'offline', message: 'the line closed while the status was awaited: the printer went away' })) ?? (() => undefined);
      unsubscribe = () => (stopReading(), stopHearing());
    });
    try {
      await withTimeout(this.transport.write(DLE_EOT_ALL), this.timeoutMs, () => {
        throw new Error('write timed out');
      });
    } catch (err) {
      unsubscribe();
      this.asking = false;
      return { ok: false, code: 'write-failed', message: String(err) };
    }
    const result = await withTimeout<StatusResult>(answered, timeoutMs, () =>
      // Late and short: four bytes are still an answer (the owed ones were lost); fewer are owed to the next ask.
      noise.length > 0
        ? this.noisy(noise)
        : replies.length >= 4
        ? this.lastFour(replies)
        : { ok: false, code: 'timeout', message: `the printer did not answer DLE EOT within ${timeoutMs} ms` },
    );
    unsubscribe();
    this.asking = false;
    if (replies.length >= 4) this.owed = 0;
    // A byte that came as noise is not owed any more.
    else this.owed = Math.min(8, Math.max(0, expected - replies.length - noise.length));
    if (replies.length > 0) this.silentAsks = 0;
    else if (!result.ok && result.code === 'timeout' && ++this.silentAsks >= 2) this.owed = 0;
    return result;
  }

  private noisy(noise: number[]): StatusResult {
    return { ok: false, code: 'status-unknown', message: `the answer to DLE EOT came with noise (${Buffer.from(noise).toString('hex')}, no status byte): not taken` };
  }

  private lastFour(replies: number[]): StatusResult {
    const [a, b, c, d] = replies.slice(-4) as [number, number, number, number];
    return { ok: true, status: decodeStatus(a, b, c, d) };
  }

  private async check(): Promise<PrinterStatus | undefined> {
    const result = await this.readStatus();
    if (!result.ok) {
      if (result.code === 'unsupported') {
        if (this.allowWithoutStatus) return undefined;
        throw new PrintError('status-unavailable', 'this transport cannot read the printer status; set allowWithoutStatus to print blind');
      }
      throw new PrintError(result.code, `before the job: ${result.message}`);
    }
    const fault = faultOf(result.status);
    if (fault) throw new PrintError(fault, `before the job the printer reports ${fault}`, result.status);
    return result.status;
  }

  /** The status once the job is sent: a fault now means the job may be cut off; no answer means it is not known. */
  private async checkAfter(): Promise<PrinterStatus | undefined> {
    const result = await this.readStatus(this.afterJobTimeoutMs);
    if (!result.ok) {
      if (result.code === 'unsupported') return undefined;
      // Gone after the job: how the job went is not known, and the printer is offline.
      throw new PrintError('unknown-after-write', `the job was sent, then the status could not be read: ${result.message}`, undefined, 'complete', result.code === 'offline' ? 'offline' : undefined);
    }
    const fault = faultOf(result.status);
    if (fault) throw new PrintError('fault-after-write', `the job was sent, then the printer reported ${fault}`, result.status, 'complete', fault);
    return result.status;
  }

  /** Resolves once the bytes are written and the printer's status after them is good; rejects with a PrintError otherwise. */
  print(doc: PrintDocument): Promise<Printed> {
    let bytes: Buffer;
    try {
      bytes = encodeDocument(doc, this.profile);
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (code === 'no-chinese' || code === 'qr-too-long' || code === 'too-wide') return Promise.reject(new PrintError(code, String(err)));
      return Promise.reject(err);
    }
    return this.printBytes(bytes);
  }

  /**
   * Status, job, status. Rejects with a PrintError whose `written` says how much of the job was sent:
   * only a job with nothing written may be printed again without giving the citizen a second slip.
   */
  printBytes(bytes: Uint8Array): Promise<Printed> {
    return this.exclusive(async () => {
      await this.check();
      try {
        const onTheWireMs = Math.ceil((bytes.length * 10 * 1000) / this.baudRate);
        await withTimeout(this.transport.write(bytes), this.timeoutMs + onTheWireMs, () => {
          throw new Error(`writing ${bytes.length} bytes timed out`);
        });
      } catch (err) {
        throw new PrintError('write-incomplete', `the job was not sent whole: ${err instanceof Error ? err.message : err}`, undefined, 'partial');
      }
      const status = await this.checkAfter();
      return { bytes: bytes.length, warnings: status?.paperNearEnd ? ['paper-near-end'] : [], ...(status ? { status } : {}) };
    });
  }

  /** Same as print, as a value: { ok: false, code } instead of a rejection. */
  async tryPrint(doc: PrintDocument): Promise<({ ok: true } & Printed) | { ok: false; code: PrintError['code']; message: string; written: Written; fault?: PrintFailureCode }> {
    try {
      return { ok: true, ...(await this.print(doc)) };
    } catch (err) {
      if (err instanceof PrintError) return { ok: false, code: err.code, message: err.message, written: err.written, ...(err.fault ? { fault: err.fault } : {}) };
      throw err;
    }
  }

  /** Asks the status every intervalMs and reports each answer; returns the function that stops it. */
  poll(intervalMs: number, onStatus: (result: StatusResult) => void): () => void {
    let stopped = false;
    let timer: NodeJS.Timeout | undefined;
    const tick = async () => {
      if (stopped) return;
      const result = await this.status();
      if (stopped) return;
      onStatus(result);
      timer = setTimeout(tick, intervalMs);
    };
    timer = setTimeout(tick, 0);
    return () => {
      stopped = true;
      if (timer) clearTimeout(timer);
    };
  }
}
