import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { startPtyPair } from '@servicehall/fixtures/devices';
import { SerialOpenError } from './serial';
import { openFailureDetail } from './open-failure';
import { connectFailure, FileTransport, SerialTransport, TcpConnectError, TcpTransport } from './transport';

describe('a serial path that is no serial port', () => {
  it('is refused naming the path as no serial port, not the speed the binding could not set', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'tty-')), 'ttyUSB0');
    writeFileSync(file, '');
    for (const path of [file, '/dev/null']) await expect(SerialTransport.open(path, 9600)).rejects.toThrow(`${path} is not a serial port`);
  });
});

describe('the network and device-file lines', () => {
  it('refuses a plain file as a printer’s device file: tickets printed into it would be lost unseen', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'lp-')), 'lp0');
    writeFileSync(path, '');
    await expect(FileTransport.open(path)).rejects.toThrow(`${path} is not a device file`);
    expect(readFileSync(path)).toHaveLength(0);
  });

  it('lets go of a network printer that stopped reading, instead of waiting for it for ever', async () => {
    const held: Socket[] = [];
    // Paper out: the printer takes no more bytes, and its window stays shut.
    const server = createServer((socket) => (socket.pause(), held.push(socket)));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const transport = await TcpTransport.connect('127.0.0.1', (server.address() as AddressInfo).port);
    try {
      const job = transport.write(Buffer.alloc(32 << 20)).then(
        () => 'taken',
        () => 'failed',
      );
      const closed = transport.close().then(() => 'closed');
      expect(await Promise.race([closed, new Promise((r) => setTimeout(() => r('still waiting'), 3000))])).toBe('closed');
      expect(await job).toBe('failed');
    } finally {
      held.forEach((s) => s.destroy());
      await new Promise((r) => server.close(r));
    }
  });
});

describe('a network device that cannot be connected to, said to the installer', () => {
  it('names the address nothing listens at and what to check', async () => {
    const server = createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    await new Promise((r) => server.close(r));
    const refused = await TcpTransport.connect('127.0.0.1', port).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(refused).toBeInstanceOf(TcpConnectError);
    expect(refused).toMatchObject({ code: 'ECONNREFUSED', message: expect.stringMatching(/ \/ 127\.0\.0\.1:\d+ refused the connection: /) });
    expect(openFailureDetail(refused)).toBe(`网络设备 127.0.0.1:${port} 拒绝连接：请检查设备已开机、配置中的端口正确（网络打印机一般为 9100），且没有其他电脑正连着它`);
  });

  it.each([
    ['EHOSTUNREACH', '网络设备 192.168.1.50:9100 无法到达：请检查设备是否通电、网线是否插好，以及它的 IP 地址与本机是否在同一网段'],
    ['ENETUNREACH', '网络设备 192.168.1.50:9100 无法到达：请检查设备是否通电、网线是否插好，以及它的 IP 地址与本机是否在同一网段'],
    ['ETIMEDOUT', '连接网络设备 192.168.1.50:9100 超时：请检查设备是否通电、网线是否插好，以及配置中的 IP 地址是否就是它的'],
    ['ENOTFOUND', '找不到网络设备 192.168.1.50:9100：请核对配置中的地址（建议填写设备的 IP 地址）'],
  ])('says %s in the hall’s words', (code, zh) => {
    expect(openFailureDetail(connectFailure('192.168.1.50', 9100, Object.assign(new Error(`connect ${code}`), { code })))).toBe(zh);
  });

  it('says nothing on the board of an error it has no words for, and names the address in the log', () => {
    const odd = connectFailure('printer.local', 9100, Object.assign(new Error('connect EPROTO'), { code: 'EPROTO' }));
    expect(openFailureDetail(odd)).toBeUndefined();
    expect(odd.message).toBe('printer.local:9100 cannot be connected to (connect EPROTO)');
  });
});

describe('a serial line that takes no bytes', () => {
  it('fails a write the line does not take within its bound, fails the next at once, and writes again once the line takes the held bytes', async () => {
    const pair = await startPtyPair();
    const device = await SerialTransport.open(pair.device);
    const got: number[] = [];
    device.onData((chunk) => got.push(...chunk));
    const line = await SerialTransport.open(pair.host, 9600, { writeWithinMs: 300 });
    try {
      // The device holds its flow control: the bytes stay in the terminal, the write never drains.
      await pair.holdFlow();
      const held = await line.write(Buffer.from([1, 2, 3])).then(
        () => 'taken',
        (e: Error) => e.message,
      );
      expect(held).toMatch(/host took no 3 bytes within 30\d ms/);
      // Not queued behind the held bytes to wait out a bound of its own: refused for them.
      await expect(line.write(Buffer.from([4]))).rejects.toThrow(/has still not taken the bytes written before/);
      await pair.releaseFlow();
      await expect.poll(() => got).toEqual([1, 2, 3]);
      await line.write(Buffer.from([5]));
      await expect.poll(() => got).toEqual([1, 2, 3, 5]);
    } finally {
      await line.close();
      await device.close();
      await pair.close();
    }
  });
});

describe('a serial port that cannot be opened, said to the installer', () => {
  it('names a port that is gone, says a USB adapter may come back under another name, and opens it once it is back', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tty-'));
    // The port as the terminal is set to it; the adapter behind it pulled out, then plugged in again.
    const port = join(dir, 'ttyUSB0');
    const first = await startPtyPair();
    symlinkSync(first.host, port);
    await first.close();
    const gone = await SerialTransport.open(port).catch((e: unknown) => e);
    expect(gone).toBeInstanceOf(SerialOpenError);
    expect(gone).toMatchObject({ code: 'ENOENT', zh: expect.stringMatching(new RegExp(`^串口 ${port} 不存在：.*ttyUSB0 变为 ttyUSB1.*/dev/serial/by-id/`)) });
    const back = await startPtyPair();
    try {
      rmSync(port);
      symlinkSync(back.host, port);
      await (await SerialTransport.open(port)).close();
    } finally {
      await back.close();
    }
  });

  it('names a port another program holds, and opens it once that program lets go', async () => {
    const pair = await startPtyPair();
    try {
      const holder = await SerialTransport.open(pair.host);
      const busy = await SerialTransport.open(pair.host).catch((e: unknown) => e);
      expect(busy).toMatchObject({ code: 'EBUSY', message: expect.stringMatching(new RegExp(`^串口 ${pair.host} 已被其他程序占用：.* / .*in use by another program`)) });
      await holder.close();
      await (await SerialTransport.open(pair.host)).close();
    } finally {
      await pair.close();
    }
  });

  // Root may open any port: the terminal's process is played by one run as nobody, which may not open a root's tty.
  it.skipIf(process.getuid?.() !== 0)('tells a user who may not open the port to join the dialout group', async () => {
    const pair = await startPtyPair();
    try {
      const tty = realpathSync(pair.host);
      const serial = fileURLToPath(new URL('./serial.ts', import.meta.url));
      const script = `import(${JSON.stringify(serial)}).then((m) => m.openSerialPort(${JSON.stringify(tty)}, 9600)).then(() => console.log('{"code":"opened"}'), (e) => console.log(JSON.stringify({ code: e.code, zh: e.zh })))`;
      const { stdout } = await promisify(execFile)('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, '--import', 'tsx', '-e', script], { timeout: 30_000 });
      expect(JSON.parse(stdout.trim().split('\n').at(-1)!)).toEqual({ code: 'EACCES', zh: `无权打开串口 ${tty}：请把运行终端的用户加入 dialout 组（sudo usermod -aG dialout 用户名），再重新登录或重启终端` });
    } finally {
      await pair.close();
    }
  }, 40_000);
});
