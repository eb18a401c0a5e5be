import { createConnection, type Socket } from 'node:net';
import { open, type FileHandle } from 'node:fs/promises';
import type { SerialPort } from 'serialport';
import { openSerialPort } from './serial';

/** A byte pipe to a device; the driver reads the device's replies through onData. */
export interface Transport {
  write(bytes: Uint8Array): Promise<void>;
  /** Subscribes to bytes from the device; returns the unsubscribe function. */
  onData(listener: (chunk: Buffer) => void): () => void;
  close(): Promise<void>;
  /** False for a device file, which cannot read replies. */
  readonly canRead: boolean;
  /** Hears the line go away (a cable pulled, a USB adapter unplugged), where the transport can tell. */
  onClose?(listener: () => void): () => void;
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

export class SerialTransport extends ListenerSet implements Transport {
  readonly canRead = true;
  private constructor(private port: SerialPort) {
    super();
    port.on('data', (chunk: Buffer) => this.emit(chunk));
  }

  static async open(path: string, baudRate = 9600): Promise<SerialTransport> {
    return new SerialTransport(await openSerialPort(path, baudRate));
  }

  onClose(listener: () => void): () => void {
    this.port.on('close', listener);
    return () => this.port.off('close', listener);
  }

  write(bytes: Uint8Array): Promise<void> {
    return new Promise((resolve, reject) => {
      // A closed port keeps writes until it is opened again, which this one never is: they fail now.
      if (!this.port.isOpen) return reject(new Error('the line is closed: the device went away'));
      const closed = () => reject(new Error('the line closed before the bytes were sent'));
      this.port.once('close', closed);
      this.port.write(Buffer.from(bytes), (err) => {
        if (err) {
          this.port.off('close', closed);
          return reject(err);
        }
        this.port.drain((e) => {
          this.port.off('close', closed);
          if (e) reject(e);
          else resolve();
        });
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

/** A network printer's raw port (9100). */
export class TcpTransport extends ListenerSet implements Transport {
  readonly canRead = true;
  private constructor(private socket: Socket) {
    super();
    socket.on('data', (chunk: Buffer) => this.emit(chunk));
    socket.on('error', () => {});
  }

  static connect(host: string, port = 9100, timeoutMs = 3000): Promise<TcpTransport> {
    return new Promise((resolve, reject) => {
      const socket = createConnection({ host, port });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new Error(`no connection to ${host}:${port} within ${timeoutMs} ms`));
      }, timeoutMs);
      socket.once('connect', () => {
        clearTimeout(timer);
        resolve(new TcpTransport(socket));
      });
      socket.once('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
    });
  }

  write(bytes: Uint8Array): Promise<void> {
    return new Promise((resolve, reject) => this.socket.write(bytes, (err) => (err ? reject(err) : resolve())));
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.socket.end(() => resolve()));
  }
}

/** A printer device file such as /dev/usb/lp0; write only, so no status. */
export class FileTransport extends ListenerSet implements Transport {
  readonly canRead = false;
  private constructor(private handle: FileHandle) {
    super();
  }

  static async open(path: string): Promise<FileTransport> {
    return new FileTransport(await open(path, 'a'));
  }

  async write(bytes: Uint8Array): Promise<void> {
    await this.handle.write(bytes);
  }

  async close(): Promise<void> {
    await this.handle.close();
  }
}
