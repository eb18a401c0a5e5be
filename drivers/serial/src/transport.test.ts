import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startPtyPair } from '@servicehall/fixtures/devices';
import { FileTransport, SerialTransport, TcpTransport } from './transport';

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
