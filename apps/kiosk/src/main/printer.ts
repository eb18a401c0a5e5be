import type { TerminalConfig } from '@servicehall/agent';
import { FileTransport, SerialTransport, TcpTransport, TicketPrinter, type PrintDocument, type Transport } from '@servicehall/escpos-printer';
import { printerStateOf, profileFor, type PrinterState } from './logic';

type PrinterConfig = NonNullable<TerminalConfig['devices']['printer']>;

export type PrintOutcome = { ok: true; warnings: string[] } | { ok: false; code: string };

/**
 * The kiosk's ticket printer: opened on first use and opened again after the line fails (a
 * printer switched off and on, a cable pulled), so that the kiosk recovers by itself (H-17).
 * Never throws: every fault is a state.
 */
export class KioskPrinter {
  private printer: TicketPrinter | undefined;
  private transport: Transport | undefined;
  private opening: Promise<TicketPrinter | undefined> | undefined;
  private closed = false;

  constructor(
    private readonly config: PrinterConfig,
    private readonly log: (message: string) => void,
  ) {}

  private async open(): Promise<TicketPrinter | undefined> {
    if (this.printer) return this.printer;
    this.opening ??= (async () => {
      try {
        const c = this.config;
        const transport =
          c.transport === 'serial' ? await SerialTransport.open(c.path, c.baudRate) : c.transport === 'tcp' ? await TcpTransport.connect(c.host, c.port) : await FileTransport.open(c.path);
        if (this.closed) {
          await transport.close();
          return undefined;
        }
        this.transport = transport;
        this.printer = new TicketPrinter(transport, profileFor(c.profile), {
          allowWithoutStatus: c.transport === 'file',
          ...(c.transport === 'serial' ? { baudRate: c.baudRate } : {}),
        });
        return this.printer;
      } catch (error) {
        this.log(`the ticket printer cannot be opened: ${error instanceof Error ? error.message : error}`);
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

  async state(): Promise<PrinterState> {
    const printer = await this.open();
    if (!printer) return { kind: 'fault', code: 'offline' };
    try {
      const result = await printer.status();
      if (!result.ok && result.code === 'write-failed') await this.drop();
      return printerStateOf(result);
    } catch (error) {
      this.log(`the printer status could not be read: ${error}`);
      await this.drop();
      return { kind: 'fault', code: 'offline' };
    }
  }

  async print(doc: PrintDocument): Promise<PrintOutcome> {
    const printer = await this.open();
    if (!printer) return { ok: false, code: 'offline' };
    try {
      const r = await printer.tryPrint(doc);
      if (r.ok) return { ok: true, warnings: r.warnings };
      if (r.code === 'write-failed') await this.drop();
      this.log(`a print failed: ${r.code} (${r.message})`);
      return { ok: false, code: r.code };
    } catch (error) {
      this.log(`a print failed: ${error}`);
      await this.drop();
      return { ok: false, code: 'write-failed' };
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.opening;
    await this.drop();
  }
}
