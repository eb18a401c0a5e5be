import { read } from 'node:fs';
import { promisify } from 'node:util';
import { SerialPort, type SerialPortOpenOptions } from 'serialport';
import { LineOpenError } from './open-failure';

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

/** Why a port could not be opened, as the binding says it (its errors carry no code, only strerror's words). */
const OPEN_FAILURES: { code: SerialOpenError['code']; test: RegExp; zh: (path: string) => string; en: (path: string) => string }[] = [
  {
    code: 'ENOENT',
    test: /No such file or directory/,
    zh: (p) => `串口 ${p} 不存在：请检查设备是否插好、通电；USB 转串口重插后名称可能改变（如 ttyUSB0 变为 ttyUSB1），请在配置中改用 /dev/serial/by-id/ 下的固定名称`,
    en: (p) => `${p} does not exist: check the device is plugged in and on; a USB adapter plugged in again may get another name (ttyUSB0 becomes ttyUSB1): set its /dev/serial/by-id/ name instead`,
  },
  {
    code: 'EACCES',
    test: /Permission denied/,
    zh: (p) => `无权打开串口 ${p}：请把运行终端的用户加入 dialout 组（sudo usermod -aG dialout 用户名），再重新登录或重启终端`,
    en: (p) => `no permission to open ${p}: add the user the terminal runs as to the dialout group, then log in again or restart the terminal`,
  },
  {
    code: 'EBUSY',
    test: /Cannot lock port|Device or resource busy|Resource temporarily unavailable/,
    zh: (p) => `串口 ${p} 已被其他程序占用：请关闭占用它的程序（fuser ${p} 可查看），或检查是否有两台设备配置了同一串口`,
    en: (p) => `${p} is in use by another program: close it (fuser ${p} names it), or check no two devices are set to the same port`,
  },
  {
    code: 'ENOTTY',
    test: /Inappropriate ioctl/,
    zh: (p) => `${p} 不是串口，请核对配置中的路径`,
    en: (p) => `${p} is not a serial port`,
  },
];

/** A port that could not be opened: what is wrong and what to do, for the installer, in Chinese (`zh`) then English. */
export class SerialOpenError extends LineOpenError {
  constructor(
    override readonly code: 'ENOENT' | 'EACCES' | 'EBUSY' | 'ENOTTY' | undefined,
    zh: string | undefined,
    message: string,
    path: string,
  ) {
    super(code, zh, message, path);
  }
}

/** The binding's error, said in the hall's words where it is one the installer can mend. */
export function openFailure(path: string, error: Error): SerialOpenError {
  const known = OPEN_FAILURES.find((f) => f.test.test(error.message));
  if (!known) return new SerialOpenError(undefined, undefined, `${path} cannot be opened (${error.message})`, path);
  return new SerialOpenError(known.code, known.zh(path), `${known.zh(path)} / ${known.en(path)} (${error.message})`, path);
}

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
      // The binding names the speed it could not set on a path that is no serial port (a file, /dev/null), and says "cannot lock" of a port in use: say what is wrong.
      reject(openFailure(path, err));
    });
  });
}
