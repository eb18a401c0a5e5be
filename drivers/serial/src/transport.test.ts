import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
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
