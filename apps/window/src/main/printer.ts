import type { TerminalConfig } from '@servicehall/agent';
import { faultOf, FileTransport, PROFILES, SerialTransport, TcpTransport, TicketPrinter, type PrintDocument, type PrinterProfile, type Transport } from '@servicehall/escpos-printer';
import type { DeviceState, PrintResult } from '../shared/api';

type PrinterConfig = NonNullable<TerminalConfig['devices']['printer']>;

/** The printer profile a configuration names: 80mm, 58mm, or a profile id. */
export function printerProfileFor(name: string | undefined): PrinterProfile {
  const profiles = PROFILES as Record<string, PrinterProfile>;
  if (name && profiles[name]) return profiles[name];
  return (name ?? '80mm').startsWith('58') ? PROFILES['generic-58'] : PROFILES['generic-80'];
}

/**
 * The window's receipt printer for notices. Opened on first use and again after the line fails,
 * so a printer switched off and on recovers by itself; never throws (H-17).
 */
export class WindowPrinter {
  private printer: TicketPrinter | undefined;
  private transport: Transport | undefined;
  private opening: Promise<TicketPrinter | undefined> | undefined;
  private closed = false;

  constructor(
    private readonly config: PrinterConfig,
    private readonly log: (message: string) => void,
  ) {}

  private open(): Promise<TicketPrinter | undefined> {
    if (this.printer) return Promise.resolve(this.printer);
    this.opening ??= (async () => {
      try {
        const c = this.config;
        const transport = c.transport === 'serial' ? await SerialTransport.open(c.path, c.baudRate) : c.transport === 'tcp' ? await TcpTransport.connect(c.host, c.port) : await FileTransport.open(c.path);
        if (this.closed) {
          await transport.close();
          return undefined;
        }
        this.transport = transport;
        this.printer = new TicketPrinter(transport, printerProfileFor(c.profile), {
          allowWithoutStatus: c.transport === 'file',
          ...(c.transport === 'serial' ? { baudRate: c.baudRate } : {}),
        });
        return this.printer;
      } catch (error) {
        this.log(`the printer cannot be opened: ${error instanceof Error ? error.message : error}`);
        return undefined;
      } finally {
        this.opening = undefined;
      }
    })();
    return this.opening;
  }

  private async drop(): Promise<void> {
    const t = this.transport;
    this.transport = undefined;
    this.printer = undefined;
    await t?.close().catch(() => undefined);
  }

  async state(): Promise<DeviceState> {
    const printer = await this.open();
    if (!printer) return { kind: 'fault', code: 'offline' };
    try {
      const r = await printer.status();
      if (!r.ok) {
        if (r.code === 'unsupported') return { kind: 'ok' };
        if (r.code === 'write-failed') await this.drop();
        return { kind: 'fault', code: r.code === 'timeout' ? 'offline' : r.code };
      }
      const fault = faultOf(r.status);
      if (fault) return { kind: 'fault', code: fault };
      return r.status.paperNearEnd ? { kind: 'warning', code: 'paper-near-end' } : { kind: 'ok' };
    } catch (error) {
      this.log(`the printer status could not be read: ${error}`);
      await this.drop();
      return { kind: 'fault', code: 'offline' };
    }
  }

  async print(doc: PrintDocument): Promise<PrintResult & { warnings?: string[] }> {
    const printer = await this.open();
    if (!printer) return { ok: false, code: 'offline' };
    try {
      const r = await printer.tryPrint(doc);
      if (r.ok) return { ok: true, warnings: r.warnings };
      if (r.code === 'write-failed') await this.drop();
      this.log(`a notice did not print: ${r.code} (${r.message})`);
      return { ok: false, code: r.code };
    } catch (error) {
      this.log(`a notice did not print: ${error}`);
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
