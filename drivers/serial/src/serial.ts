import { read } from 'node:fs';
import { promisify } from 'node:util';
import { SerialPort, type SerialPortOpenOptions } from 'serialport';

const readAsync = promisify(read);

type Binding = typeof SerialPort.binding;
type PortBinding = Awaited<ReturnType<Binding['open']>>;
/** What the Linux and macOS bindings keep of an open port: its descriptor and the poller that says when it is readable. */
type UnixPortBinding = PortBinding & { fd: number | null; poller: { once(event: 'readable', listener: (error?: Error | null) => void): unknown } };

const AGAIN = new Set(['EAGAIN', 'EWOULDBLOCK', 'EINTR']);

/**
 * One read of a port, as the binding's own, except that a read of no bytes is a hang-up. The
 * binding reads again at once when a read gives nothing, and a line that hung up (a USB adapter
 * pulled, the far end of a pty gone) gives nothing for ever: a core kept busy, memory growing, and
 * the port never closed. Any error but `canceled` closes the port with a disconnect.
 */
async function readOrHangUp(port: UnixPortBinding, buffer: Buffer, offset: number, length: number): Promise<{ buffer: Buffer; bytesRead: number }> {
  for (;;) {
    if (port.fd === null) throw Object.assign(new Error('Port is not open'), { canceled: true });
    try {
      const { bytesRead } = await readAsync(port.fd, buffer, offset, length, null);
      if (bytesRead === 0) throw Object.assign(new Error('the line hung up: the device is gone'), { disconnect: true });
      return { buffer, bytesRead };
    } catch (error) {
      if (!AGAIN.has((error as NodeJS.ErrnoException).code ?? '')) throw error;
      if (port.fd === null) throw Object.assign(new Error('Port is not open'), { canceled: true });
      await new Promise<void>((resolve, reject) => port.poller.once('readable', (e?: Error | null) => (e ? reject(e) : resolve())));
    }
  }
}

/** The platform's binding with readOrHangUp on Linux and macOS; Windows reads its own way and is left as it is. */
const binding = {
  list: () => SerialPort.binding.list(),
  async open(options: Parameters<Binding['open']>[0]): Promise<PortBinding> {
    const port = (await SerialPort.binding.open(options as never)) as UnixPortBinding;
    if (typeof port.fd === 'number' && port.poller) port.read = (buffer: Buffer, offset: number, length: number) => readOrHangUp(port, buffer, offset, length);
    return port;
  },
} as Binding;

/**
 * Opens a serial port whose 'close' event also comes when the device goes away under it, so that a
 * terminal hears the device leave and opens it again when it is back (H-17).
 */
export function openSerialPort(path: string, baudRate: number): Promise<SerialPort> {
  return new Promise((resolve, reject) => {
    const port = new SerialPort({ path, baudRate, autoOpen: false, binding } as SerialPortOpenOptions<Binding>);
    // Errors surface through write() and 'close'; an unhandled 'error' event must not end the agent.
    port.on('error', () => {});
    port.open((err) => {
      if (!err) return resolve(port);
      // The binding names the speed it could not set on a path that is no serial port (a file, /dev/null): say what is wrong.
      reject((err as NodeJS.ErrnoException).code === 'ENOTTY' || /Inappropriate ioctl/.test(err.message) ? new Error(`${path} is not a serial port (${err.message})`) : err);
    });
  });
}
