import { AFTER_WRITE_CODES, TicketPrinter, type StatusResult, type Written } from './printer';
import { PROFILES, type PrinterProfile } from './profiles';
import { faultOf, PRINT_FAILURE_CODES } from './status';
import { DOCUMENT_CODES } from './encode';
import { FileTransport, OpenFailure, SerialTransport, TcpTransport, type Transport } from '@servicehall/serial';
import type { PrintDocument } from './documents';

/** Where a terminal's printer is: a serial port, a network printer (port 9100) or a device file. */
export type PrinterLine =
  | { transport: 'serial'; path: string; baudRate: number }
  | { transport: 'tcp'; host: string; port: number }
  | { transport: 'file'; path: string };

/** The profile a configuration names: `80mm` / `58mm` (or `80` / `58`), or a profile id such as `no-cutter-58`. */
/** What is wrong with a configured printer profile's name (which profileByName would take as 80 mm), in Chinese and English, or undefined. */
export function printerProfileProblem(name: string): { zh: string; en: string } | undefined {
  const known = ['58', '58mm', '80', '80mm', ...Object.keys(PROFILES)];
  if (known.includes(name) || known.includes(name.toLowerCase())) return undefined;
  return { zh: `“${name}”不是打印机型号，应为以下之一：${known.join('、')}`, en: `"${name}" is not a printer profile; one of ${known.join(', ')}` };
}

export function profileByName(name: string | undefined): PrinterProfile {
  const key = (name ?? '80mm').toLowerCase();
  if (key === '58' || key === '58mm') return PROFILES['generic-58'];
  if (key === '80' || key === '80mm') return PROFILES['generic-80'];
  return (PROFILES as Record<string, PrinterProfile>)[name!] ?? PROFILES['generic-80'];
}

/**
 * Every code a terminal's printer can report, as its health or a job's outcome: the screens that
 * show them give each its own words.
 */
export const PRINTER_CODES = [...PRINT_FAILURE_CODES, ...AFTER_WRITE_CODES, ...DOCUMENT_CODES, 'paper-near-end'] as const;

/** What a terminal knows of its printer: a fault stops it, paper near-end is a warning. */
export type PrinterHealth = { kind: 'ok' } | { kind: 'warning'; code: 'paper-near-end' | 'status-unknown' } | { kind: 'fault'; code: string; detail?: string };

export function healthOf(result: StatusResult): PrinterHealth {
  if (!result.ok) {
    if (result.code === 'unsupported') return { kind: 'ok' };
    // An answer that was noise says nothing of the paper or the cover: not known, not a fault.
    if (result.code === 'status-unknown') return { kind: 'warning', code: 'status-unknown' };
    return { kind: 'fault', code: result.code === 'timeout' ? 'offline' : result.code };
  }
  const fault = faultOf(result.status);
  if (fault) return { kind: 'fault', code: fault };
  if (result.status.paperNearEnd) return { kind: 'warning', code: 'paper-near-end' };
  return { kind: 'ok' };
}

/**
 * A job on a terminal's printer. When it fails, `written` says whether any of it reached the paper:
 * only a job with nothing written may be printed again (a second slip of one number otherwise).
 */
export type LinePrintOutcome = { ok: true; warnings: string[] } | { ok: false; code: string; written: Written; fault?: string; detail?: string };

/** What a job's outcome says of the printer: its fault, paper near-end, or a printer that did not say how the job went. */
export function healthAfter(outcome: LinePrintOutcome): PrinterHealth {
  if (outcome.ok) return outcome.warnings.includes('paper-near-end') ? { kind: 'warning', code: 'paper-near-end' } : { kind: 'ok' };
  // Sent whole, then its line closed: how the job went is not known, but the printer is gone.
  if (outcome.code === 'unknown-after-write' && outcome.fault === 'offline') return { kind: 'fault', code: 'offline' };
  if (outcome.code === 'unknown-after-write' || outcome.code === 'status-unknown') return { kind: 'warning', code: 'status-unknown' };
  if (outcome.code === 'timeout') return { kind: 'fault', code: 'offline' };
  return { kind: 'fault', code: outcome.fault ?? outcome.code, ...(outcome.detail ? { detail: outcome.detail } : {}) };
}

/**
 * A terminal's printer on its line: opened on first use and opened again after the line fails (a
 * printer switched off and on, a cable pulled), so the terminal recovers by itself (H-17).
 * Never throws: every fault is a value.
 */
export class ReopeningPrinter {
  private printer: TicketPrinter | undefined;
  private transport: Transport | undefined;
  private opening: Promise<TicketPrinter | undefined> | undefined;
  private closed = false;
  /** Why the line last failed to open: logged once while it stays the same, and the board's detail (its port or address, what to check). */
  private readonly openFailure: OpenFailure;

  constructor(
    private readonly line: PrinterLine & { profile?: string },
    private readonly log: (message: string) => void,
  ) {
    this.openFailure = new OpenFailure('the printer', log);
  }

  private open(): Promise<TicketPrinter | undefined> {
    if (this.printer) return Promise.resolve(this.printer);
    this.opening ??= (async () => {
      try {
        const c = this.line;
        const transport: Transport = c.transport === 'serial' ? await SerialTransport.open(c.path, c.baudRate) : c.transport === 'tcp' ? await TcpTransport.connect(c.host, c.port) : await FileTransport.open(c.path);
        if (this.closed) {
          await transport.close();
          return undefined;
        }
        this.transport = transport;
        this.openFailure.opened();
        // Unplugged: let go of the line now, so that the printer plugged in again is opened at the next ask, not failed once more.
        transport.onClose?.(() => {
          if (this.transport !== transport || this.closed) return;
          this.log('the printer went away (its line closed); it is opened again at the next ask');
          void this.drop();
        });
        this.printer = new TicketPrinter(transport, profileByName(c.profile), {
          // A device file cannot answer DLE EOT: it prints without status.
          allowWithoutStatus: c.transport === 'file',
          ...(c.transport === 'serial' ? { baudRate: c.baudRate } : {}),
        });
        return this.printer;
      } catch (error) {
        this.openFailure.failed(error);
        return undefined;
      } finally {
        this.opening = undefined;
      }
    })();
    return this.opening;
  }

  /** Drops a line that failed, to open it afresh next time. */
  private async drop(): Promise<void> {
    const t = this.transport;
    this.transport = undefined;
    this.printer = undefined;
    await t?.close().catch(() => undefined);
  }

  async health(): Promise<PrinterHealth> {
    const printer = await this.open();
    if (!printer) return { kind: 'fault', code: 'offline', ...this.openFailure.said() };
    try {
      const result = await printer.status();
      if (!result.ok && result.code === 'write-failed') await this.drop();
      return healthOf(result);
    } catch (error) {
      this.log(`the printer status could not be read: ${error}`);
      await this.drop();
      return { kind: 'fault', code: 'offline' };
    }
  }

  async print(doc: PrintDocument): Promise<LinePrintOutcome> {
    const printer = await this.open();
    if (!printer) return { ok: false, code: 'offline', written: 'none', ...this.openFailure.said() };
    try {
      const r = await printer.tryPrint(doc);
      if (r.ok) return { ok: true, warnings: r.warnings };
      if (r.code === 'write-failed' || r.code === 'write-incomplete') await this.drop();
      this.log(`a print failed: ${r.code} (${r.message})`);
      return { ok: false, code: r.code, written: r.written, ...(r.fault ? { fault: r.fault } : {}) };
    } catch (error) {
      this.log(`a print failed: ${error}`);
      await this.drop();
      // Not known how far it got: never to be printed again.
      return { ok: false, code: 'write-incomplete', written: 'partial' };
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.opening;
    await this.drop();
  }
}
