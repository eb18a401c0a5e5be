import { encodeDocument } from './encode';
import type { PrintDocument } from './documents';
import type { PrinterProfile } from './profiles';
import { DLE_EOT_ALL, decodeStatus, faultOf, isStatusByte, type PrintFailureCode, type PrinterStatus } from './status';
import type { Transport } from './transport';

export type StatusResult = { ok: true; status: PrinterStatus } | { ok: false; code: 'timeout' | 'unsupported' | 'write-failed'; message: string };

export class PrintError extends Error {
  constructor(
    readonly code: PrintFailureCode | 'no-chinese' | 'qr-too-long' | 'too-wide',
    message: string,
    readonly status?: PrinterStatus,
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
}

function withTimeout<T>(promise: Promise<T>, ms: number, onTimeout: () => T): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    // onTimeout may throw: that must reject this promise, never escape from the timer and end the process.
    const timer = setTimeout(() => {
      try {
        resolve(onTimeout());
      } catch (error) {
        reject(error);
      }
    }, ms);
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

  constructor(
    private readonly transport: Transport,
    readonly profile: PrinterProfile,
    options: TicketPrinterOptions = {},
  ) {
    this.timeoutMs = options.timeoutMs ?? 2000;
    this.allowWithoutStatus = options.allowWithoutStatus ?? false;
    this.baudRate = options.baudRate ?? 9600;
  }

  private exclusive<T>(task: () => Promise<T>): Promise<T> {
    const run = this.queue.then(task, task);
    this.queue = run.catch(() => undefined);
    return run;
  }

  status(): Promise<StatusResult> {
    return this.exclusive(() => this.readStatus());
  }

  private async readStatus(): Promise<StatusResult> {
    if (!this.transport.canRead) return { ok: false, code: 'unsupported', message: 'this transport cannot read the printer status' };
    const replies: number[] = [];
    let unsubscribe = () => {};
    const answered = new Promise<StatusResult>((resolve) => {
      unsubscribe = this.transport.onData((chunk) => {
        for (const byte of chunk) {
          // Anything that is not a status reply (automatic status, noise) is skipped.
          if (isStatusByte(byte)) replies.push(byte);
        }
        if (replies.length >= 4) {
          const [a, b, c, d] = replies as [number, number, number, number];
          resolve({ ok: true, status: decodeStatus(a, b, c, d) });
        }
      });
    });
    try {
      await withTimeout(this.transport.write(DLE_EOT_ALL), this.timeoutMs, () => {
        throw new Error('write timed out');
      });
    } catch (err) {
      unsubscribe();
      return { ok: false, code: 'write-failed', message: String(err) };
    }
    const result = await withTimeout<StatusResult>(answered, this.timeoutMs, () => ({
      ok: false,
      code: 'timeout',
      message: `the printer did not answer DLE EOT within ${this.timeoutMs} ms`,
    }));
    unsubscribe();
    return result;
  }

  private async check(when: 'before' | 'after'): Promise<PrinterStatus | undefined> {
    const result = await this.readStatus();
    if (!result.ok) {
      if (result.code === 'unsupported') {
        if (this.allowWithoutStatus) return undefined;
        throw new PrintError('status-unavailable', 'this transport cannot read the printer status; set allowWithoutStatus to print blind');
      }
      throw new PrintError(result.code === 'timeout' ? 'timeout' : 'write-failed', `${when} the job: ${result.message}`);
    }
    const fault = faultOf(result.status);
    if (fault) throw new PrintError(fault, `${when} the job the printer reports ${fault}`, result.status);
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

  printBytes(bytes: Uint8Array): Promise<Printed> {
    return this.exclusive(async () => {
      await this.check('before');
      try {
        const onTheWireMs = Math.ceil((bytes.length * 10 * 1000) / this.baudRate);
        await withTimeout(this.transport.write(bytes), this.timeoutMs + onTheWireMs, () => {
          throw new PrintError('timeout', `writing ${bytes.length} bytes timed out`);
        });
      } catch (err) {
        if (err instanceof PrintError) throw err;
        throw new PrintError('write-failed', String(err));
      }
      const status = await this.check('after');
      return { bytes: bytes.length, warnings: status?.paperNearEnd ? ['paper-near-end'] : [], ...(status ? { status } : {}) };
    });
  }

  /** Same as print, as a value: { ok: false, code } instead of a rejection. */
  async tryPrint(doc: PrintDocument): Promise<({ ok: true } & Printed) | { ok: false; code: PrintError['code']; message: string }> {
    try {
      return { ok: true, ...(await this.print(doc)) };
    } catch (err) {
      if (err instanceof PrintError) return { ok: false, code: err.code, message: err.message };
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
