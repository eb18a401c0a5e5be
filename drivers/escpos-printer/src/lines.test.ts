import { execFileSync } from 'node:child_process';
import { closeSync, constants, mkdtempSync, openSync, readSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileTransport, TcpTransport } from '@servicehall/serial';
import { describe, expect, it } from 'vitest';
import { decodeReceipt, PrinterDevice } from '@servicehall/fixtures/devices';
import { ticket } from './documents';
import { encodeDocument } from './encode';
import { PrintError, TicketPrinter } from './printer';
import { PROFILES } from './profiles';

const DOC = ticket({ hallName: '滨江区政务服务中心', number: 'B007', itemName: '社保卡补办', waitingAhead: 2, expectedWaitMinutes: 6, issuedAt: '2024-05-06 10:01' });

describe('a printer on a network or device-file line', () => {
  it('prints over TCP to a network printer on its raw port, with status', async () => {
    const device = new PrinterDevice({ paperNearEnd: true });
    const server = createServer((socket) => socket.on('data', (d) => socket.write(device.receive(d))));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const transport = await TcpTransport.connect('127.0.0.1', (server.address() as AddressInfo).port);
    try {
      const printed = await new TicketPrinter(transport, PROFILES['generic-58'], { timeoutMs: 500 }).print(DOC);
      expect(printed.warnings).toEqual(['paper-near-end']);
      expect(device.receipts[0]?.text).toContain('B007');
    } finally {
      await transport.close();
      await new Promise((r) => server.close(r));
    }
  });

  it('refuses to print blind to a device file unless told to, then writes the very bytes', async () => {
    // The printer's device file: a pipe whose far end is the printer.
    const path = join(mkdtempSync(join(tmpdir(), 'lp-')), 'lp0');
    execFileSync('mkfifo', [path]);
    const printerEnd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
    const received = () => {
      const chunks: Buffer[] = [];
      const buf = Buffer.alloc(65536);
      for (;;) {
        let n = 0;
        try {
          n = readSync(printerEnd, buf);
        } catch {
          // EAGAIN: nothing more in the pipe.
        }
        if (n === 0) return Buffer.concat(chunks);
        chunks.push(Buffer.from(buf.subarray(0, n)));
      }
    };
    const transport = await FileTransport.open(path);
    try {
      const err = await new TicketPrinter(transport, PROFILES['generic-80']).print(DOC).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(PrintError);
      expect((err as PrintError).code).toBe('status-unavailable');
      expect(received()).toHaveLength(0);
      await new TicketPrinter(transport, PROFILES['generic-80'], { allowWithoutStatus: true }).print(DOC);
      const written = received();
      expect(written.equals(encodeDocument(DOC, PROFILES['generic-80']))).toBe(true);
      expect(decodeReceipt(written).receipt.text).toContain('B007');
    } finally {
      await transport.close();
      closeSync(printerEnd);
    }
  });

  it('gives up on a device file that takes no bytes without holding an I/O thread: the terminal’s files stay writable', async () => {
    // A printer's device file that stops taking bytes (paper out, switched off): a pipe nobody reads.
    const path = join(mkdtempSync(join(tmpdir(), 'lp-')), 'lp0');
    execFileSync('mkfifo', [path]);
    const reader = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
    const transport = await FileTransport.open(path);
    try {
      const printer = new TicketPrinter(transport, PROFILES['generic-80'], { timeoutMs: 50, allowWithoutStatus: true, baudRate: 100_000_000 });
      // More jobs than Node has I/O threads (four), each more than the pipe holds.
      for (let job = 0; job < 6; job++) expect(await printer.printBytes(Buffer.alloc(70_000, 0x41)).catch((e: unknown) => e)).toMatchObject({ code: 'write-incomplete', written: 'partial' });
      const read = readFile(__filename, 'utf8').then(() => 'read');
      expect(await Promise.race([read, new Promise((r) => setTimeout(() => r('the I/O threads are all held'), 2000))])).toBe('read');
    } finally {
      // Unblocks any write still held, so that a failure here does not hold the test run.
      closeSync(reader);
      await transport.close();
    }
  });
});
