import { encodeDocument, type DocumentCode } from './encode';
import type { PrintDocument } from './documents';
import type { PrinterProfile } from './profiles';
import { DLE_EOT_ALL, decodeStatus, faultOf, isFlowControl, isStatusByte, type PrintFailureCode, type PrinterStatus } from './status';
import { boundTimer, type Transport } from '@servicehall/serial';

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

function withTimeout<T>(promise: Promise<T>, ms: number, onTimeout: () => T): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    // onTimeout may throw: that must reject this promise, never escape from the timer and end the process.
    const stop = boundTimer(ms, () => {
      try {
        resolve(onTimeout());
      } catch (error) {
        reject(error);
      }
    });
    promise.then(
      (v) => {
        stop();
        resolve(v);
      },
      (e) => {
        stop();
        reject(e);
      },
    );
  });
}

/** DLE EOT 1: one more status byte in an ask, so that its answer has a length no owed answers can have. */
const DLE_EOT_1 = DLE_EOT_ALL.subarray(0, 3);

/**
 * Asks whose answers the printer may still owe, kept at most: one that let this many asks pass
 * unanswered has lost them (switched off), it is not busy, and memory stays bounded.
 */
const MAX_OWED_ASKS = 8;

/** How long the line stays quiet after an answer that may be whole, before it is taken (a printer sends an answer at once). */
const QUIET_MS = 50;

/**
 * The length of an ask while `owed` answers (oldest first, bytes each) may still come, and the
 * counts of bytes at which its answer is whole. A printer answers in order; it may have lost the
 * oldest owed asks (switched off when they were sent) and send the rest, late (busy cutting). So
 * the bytes that come are the answers of the owed asks from some one on, then this ask's: the
 * length is the least (from 5) whose whole counts are no count at which owed answers alone can
 * stop, so that an old answer arriving alone is never taken for this one.
 */
export function askLength(owed: readonly number[]): { length: number; whole: number[] } {
  if (owed.length === 0) return { length: 4, whole: [4] };
  const stale = new Set<number>();
  for (let i = 0; i < owed.length; i++) for (let j = i, sum = 0; j < owed.length; j++) stale.add((sum += owed[j]!));
  const tails = owed.map((_, i) => owed.slice(i).reduce((a, b) => a + b, 0)).concat(0);
  for (let length = 5; ; length++) {
    const whole = tails.map((t) => t + length);
    if (whole.every((w) => !stale.has(w))) return { length, whole };
  }
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
  /**
   * Bytes of the answers still owed by earlier asks whose bound ran out, oldest first. A printer
   * answers in order: what comes pays them before it can answer a new ask.
   */
  private owed: number[] = [];
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
      this.pay([...chunk].filter(isStatusByte).length);
    });
  }

  private pay(bytes: number): void {
    while (bytes > 0 && this.owed.length > 0) {
      const paid = Math.min(bytes, this.owed[0]!);
      bytes -= paid;
      if ((this.owed[0]! -= paid) === 0) this.owed.shift();
    }
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
    const owed = this.owed.reduce((a, b) => a + b, 0);
    const { length, whole } = askLength(this.owed);
    // The ask's own answer is the last four bytes: DLE EOT 1, 2, 3, 4, after any more DLE EOT 1 that set its length.
    const ask = Buffer.concat([...Array<Buffer>(length - 4).fill(DLE_EOT_1), DLE_EOT_ALL]);
    const replies: number[] = [];
    /** Bytes that came, status or noise: one for each DLE EOT the printer answered, old or new. */
    let came = 0;
    /**
     * Bytes that break a status byte's fixed bits (1 and 4 on, 0 and 7 off): noise on the line. The
     * bytes that came with them may be noise too, however much they look like status (0x32 reads
     * as paper end): such an answer is not taken.
     */
    const noise: number[] = [];
    const answer = (): StatusResult => (noise.length > 0 ? this.noisy(noise) : this.lastFour(replies));
    /** Whether the bytes that came end this ask's answer: all that can come, or (the line quiet) all that came if older answers were lost. */
    const isWhole = (quiet: boolean) => came >= owed + length || (quiet && whole.includes(came));
    this.asking = true;
    let unsubscribe = () => {};
    const answered = new Promise<StatusResult>((resolve) => {
      let stopQuiet = () => {};
      const stopReading = this.transport.onData((chunk) => {
        for (const byte of chunk) {
          if (isFlowControl(byte)) continue;
          came++;
          if (isStatusByte(byte)) replies.push(byte);
          else if (noise.length < 8) noise.push(byte);
          if (replies.length > 8) replies.shift();
        }
        if (isWhole(false)) return resolve(answer());
        stopQuiet();
        if (whole.includes(came)) stopQuiet = boundTimer(QUIET_MS + Math.ceil((length * 10 * 1000) / this.baudRate), () => isWhole(true) && resolve(answer()));
      });
      // A printer unplugged (or switched off) while it is asked will never answer: said now, not at the end of the bound.
      const stopHearing = this.transport.onClose?.(() => resolve({ ok: false, code: 'offline', message: 'the line closed while the status was awaited: the printer went away' })) ?? (() => undefined);
      unsubscribe = () => (stopReading(), stopHearing(), stopQuiet());
    });
    try {
      await withTimeout(this.transport.write(ask), this.timeoutMs, () => {
        throw new Error('write timed out');
      });
    } catch (err) {
      unsubscribe();
      this.asking = false;
      return { ok: false, code: 'write-failed', message: String(err) };
    }
    const result = await withTimeout<StatusResult>(answered, timeoutMs, () =>
      // Bytes that may all be owed by older asks are no answer to this one.
      isWhole(true) ? answer() : noise.length > 0 ? this.noisy(noise) : { ok: false, code: 'timeout', message: `the printer did not answer DLE EOT within ${timeoutMs} ms${came > 0 ? ` (${came} bytes came, owed ${owed} by earlier asks)` : ''}` },
    );
    unsubscribe();
    this.asking = false;
    if (isWhole(true)) this.owed = [];
    else {
      this.owed.push(length);
      this.pay(came);
      if (this.owed.length > MAX_OWED_ASKS) this.owed = [];
    }
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
