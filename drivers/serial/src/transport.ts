import { createConnection, type Socket } from 'node:net';
import { constants } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import type { SerialPort } from 'serialport';
import { boundTimer } from './bound';
import { LineOpenError } from './open-failure';
import { openSerialPort } from './serial';

/** The byte pipe a driver needs: the serial, TCP and device-file lines fit it, and so does a test's own. */
export interface ByteLink {
  write(bytes: Uint8Array): Promise<void>;
  /** Subscribes to bytes from the device; returns the unsubscribe function. */
  onData(listener: (chunk: Buffer) => void): () => void;
  close(): Promise<void>;
  /** Hears the line go away (a cable pulled, a USB adapter unplugged), where the link can tell. */
  onClose?(listener: () => void): () => void;
}

/** A line to a device; the driver reads the device's replies through onData. */
export interface Transport extends ByteLink {
  /** False for a device file, which cannot read replies. */
  readonly canRead: boolean;
}

abstract class ListenerSet {
  protected listeners = new Set<(chunk: Buffer) => void>();
  onData(listener: (chunk: Buffer) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  protected emit(chunk: Buffer): void {
    for (const l of [...this.listeners]) l(chunk);
  }
}

/**
 * The least time a serial write is given to leave the terminal, however few its bytes; a write
 * is given twice its time on the wire at the line's speed (8N1: 10 bits a byte) on top.
 */
export const SERIAL_WRITE_WITHIN_MS = 3000;

export interface SerialOptions {
  /** The least time a write is given (SERIAL_WRITE_WITHIN_MS); tests shorten it. */
  writeWithinMs?: number;
}

export class SerialTransport extends ListenerSet implements Transport {
  readonly canRead = true;
  /** A write past its bound whose bytes the line still has not taken. */
  private held = false;
  private constructor(
    private port: SerialPort,
    private path: string,
    private baudRate: number,
    private writeWithinMs: number,
  ) {
    super();
    port.on('data', (chunk: Buffer) => this.emit(chunk));
  }

  static async open(path: string, baudRate = 9600, options: SerialOptions = {}): Promise<SerialTransport> {
    return new SerialTransport(await openSerialPort(path, baudRate), path, baudRate, options.writeWithinMs ?? SERIAL_WRITE_WITHIN_MS);
  }

  onClose(listener: () => void): () => void {
    this.port.on('close', listener);
    return () => this.port.off('close', listener);
  }

  /**
   * Resolves once the bytes have left (drained), and fails after a bound: a line that takes no
   * bytes (hardware flow control held, a USB adapter wedged) never drains. While a write past its
   * bound is still not taken, the next fails at once instead of waiting behind it: bytes do not pile
   * up, and no more than one of Node's four I/O threads is held in tcdrain. The first write after the
   * line took the held one goes as usual.
   */
  write(bytes: Uint8Array): Promise<void> {
    return new Promise((resolve, reject) => {
      // A closed port keeps writes until it is opened again, which this one never is: they fail now.
      if (!this.port.isOpen) return reject(new Error('the line is closed: the device went away'));
      if (this.held) return reject(new Error(`${this.path} has still not taken the bytes written before (flow control held, or the adapter hung)`));
      const ms = this.writeWithinMs + 2 * Math.ceil((bytes.length * 10 * 1000) / this.baudRate);
      let late = false;
      const stop = boundTimer(ms, () => {
        late = true;
        this.held = true;
        reject(new Error(`${this.path} took no ${bytes.length} bytes within ${ms} ms (flow control held, or the adapter hung)`));
      });
      const settle = (error?: Error | null) => {
        stop();
        this.port.off('close', closed);
        if (late) this.held = false;
        else if (error) reject(error);
        else resolve();
      };
      const closed = () => settle(new Error('the line closed before the bytes were sent'));
      this.port.once('close', closed);
      this.port.write(Buffer.from(bytes), (err) => {
        if (err) return settle(err);
        this.port.drain((e) => settle(e));
      });
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      if (!this.port.isOpen) return resolve();
      this.port.close(() => resolve());
    });
  }
}

/** How long a network printer is given to take the rest of the bytes when its line is closed. */
const TCP_CLOSE_WITHIN_MS = 1000;

/** A network printer's raw port (9100). */
/** Why a network device could not be reached, in the hall's words: the address, then what to check. */
const CONNECT_FAILURES: Record<string, { zh: (a: string) => string; en: (a: string) => string }> = {
  ECONNREFUSED: {
    zh: (a) => `网络设备 ${a} 拒绝连接：请检查设备已开机、配置中的端口正确（网络打印机一般为 9100），且没有其他电脑正连着它`,
    en: (a) => `${a} refused the connection: check the device is on, the configured port is right (9100 for most network printers) and no other computer holds it`,
  },
  EHOSTUNREACH: {
    zh: (a) => `网络设备 ${a} 无法到达：请检查设备是否通电、网线是否插好，以及它的 IP 地址与本机是否在同一网段`,
    en: (a) => `${a} cannot be reached: check the device is on and its cable plugged in, and that its IP address is in this computer's network`,
  },
  ETIMEDOUT: {
    zh: (a) => `连接网络设备 ${a} 超时：请检查设备是否通电、网线是否插好，以及配置中的 IP 地址是否就是它的`,
    en: (a) => `${a} did not answer: check the device is on and its cable plugged in, and that the configured IP address is its own`,
  },
  ENOTFOUND: {
    zh: (a) => `找不到网络设备 ${a}：请核对配置中的地址（建议填写设备的 IP 地址）`,
    en: (a) => `${a} is not known on the network: check the configured address (the device's IP address is best)`,
  },
};
CONNECT_FAILURES.ENETUNREACH = CONNECT_FAILURES.EHOSTUNREACH!;

/** A network device that could not be connected to: `code` the system's (ECONNREFUSED, EHOSTUNREACH, ETIMEDOUT ...), `zh` what to check. */
export class TcpConnectError extends LineOpenError {}

/** The socket's error, said in the hall's words where it is one the installer can mend. */
export function connectFailure(host: string, port: number, error: Error): TcpConnectError {
  const address = `${host}:${port}`;
  const code = (error as NodeJS.ErrnoException).code;
  const known = code === undefined ? undefined : CONNECT_FAILURES[code];
  if (!known) return new TcpConnectError(code, undefined, `${address} cannot be connected to (${error.message})`, address);
  return new TcpConnectError(code, known.zh(address), `${known.zh(address)} / ${known.en(address)} (${error.message})`, address);
}

export class TcpTransport extends ListenerSet implements Transport {
  readonly canRead = true;
  private constructor(private socket: Socket) {
    super();
    socket.on('data', (chunk: Buffer) => this.emit(chunk));
    socket.on('error', () => {});
  }

  /** Hears the printer close the connection (switched off, restarted). */
  onClose(listener: () => void): () => void {
    this.socket.on('close', listener);
    return () => this.socket.off('close', listener);
  }

  /** Connects, or refuses with a TcpConnectError saying in the hall's words what to check. */
  static connect(host: string, port = 9100, timeoutMs = 3000): Promise<TcpTransport> {
    return new Promise((resolve, reject) => {
      const socket = createConnection({ host, port });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(connectFailure(host, port, Object.assign(new Error(`no connection within ${timeoutMs} ms`), { code: 'ETIMEDOUT' })));
      }, timeoutMs);
      socket.once('connect', () => {
        clearTimeout(timer);
        resolve(new TcpTransport(socket));
      });
      socket.once('error', (err) => {
        clearTimeout(timer);
        reject(connectFailure(host, port, err));
      });
    });
  }

  write(bytes: Uint8Array): Promise<void> {
    return new Promise((resolve, reject) =>
      this.socket.write(bytes, (err) => {
        // A write let go of when the line is closed is called back without an error: it was not taken.
        if (err || this.socket.destroyed) reject(err ?? new Error('the line was closed before the printer took the bytes'));
        else resolve();
      }),
    );
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      // A printer that stopped reading never lets the end through (its window is shut): the line is let go of after a bound.
      const timer = setTimeout(() => {
        this.socket.destroy();
        resolve();
      }, TCP_CLOSE_WITHIN_MS);
      this.socket.end(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}

/** How often a device file that took no bytes is offered them again. */
const FILE_RETRY_MS = 20;

/** A printer device file such as /dev/usb/lp0; write only, so no status. */
export class FileTransport extends ListenerSet implements Transport {
  readonly canRead = false;
  private closed = false;
  private constructor(private handle: FileHandle) {
    super();
  }

  /**
   * Opened without blocking: a printer that takes no bytes (paper out, switched off) answers "not
   * now" instead of holding one of Node's four I/O threads for good, and with them every file the
   * terminal reads or writes (its outbox, its ledger). Never created: a printer unplugged takes its
   * device file with it, and tickets written to a plain file in its place would be lost unseen.
   */
  static async open(path: string): Promise<FileTransport> {
    const handle = await open(path, constants.O_WRONLY | constants.O_APPEND | constants.O_NONBLOCK);
    // A plain file takes every ticket and prints none: a path set wrong must say so, not print into it.
    if ((await handle.stat()).isFile()) {
      await handle.close();
      throw new Error(`${path} is not a device file (a printer's, such as /dev/usb/lp0)`);
    }
    return new FileTransport(handle);
  }

  /** Writes it all, offering what the device did not take again until it is taken or the transport is closed. */
  async write(bytes: Uint8Array): Promise<void> {
    let offset = 0;
    while (offset < bytes.length) {
      if (this.closed) throw new Error(`the printer file was closed with ${bytes.length - offset} bytes not taken`);
      try {
        offset += (await this.handle.write(bytes, offset, bytes.length - offset)).bytesWritten;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') throw error;
        await new Promise((resolve) => setTimeout(resolve, FILE_RETRY_MS));
      }
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.handle.close();
  }
}
