import { PrinterSimulator, startPtyPair, type PtyPair } from '@servicehall/fixtures/devices';
import { afterEach, describe, expect, it } from 'vitest';
import { ticket } from './documents';
import { healthAfter, healthOf, profileByName, ReopeningPrinter } from './line';

const TICKET = ticket({ hallName: '滨江区政务服务中心', number: 'A012', itemName: '出生登记', waitingAhead: 1, expectedWaitMinutes: 5, issuedAt: '2026-11-27 09:12', qrUrl: 'https://hub/q/A012' });

const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('profileByName', () => {
  it.each([
    ['80mm', 'generic-80'],
    ['58mm', 'generic-58'],
    ['58', 'generic-58'],
    [undefined, 'generic-80'],
    ['generic-58', 'generic-58'],
    ['no-such-printer', 'generic-80'],
  ])('reads %s as %s', (name, id) => expect(profileByName(name).id).toBe(id));
});

describe('what a job says of its printer', () => {
  it.each([
    [{ ok: true, warnings: [] }, { kind: 'ok' }],
    [{ ok: true, warnings: ['paper-near-end'] }, { kind: 'warning', code: 'paper-near-end' }],
    [{ ok: false, code: 'unknown-after-write', written: 'complete' }, { kind: 'warning', code: 'status-unknown' }],
    [{ ok: false, code: 'unknown-after-write', written: 'complete', fault: 'offline' }, { kind: 'fault', code: 'offline' }],
    [{ ok: false, code: 'fault-after-write', written: 'complete', fault: 'paper-end' }, { kind: 'fault', code: 'paper-end' }],
    [{ ok: false, code: 'timeout', written: 'none' }, { kind: 'fault', code: 'offline' }],
    [{ ok: false, code: 'cover-open', written: 'none' }, { kind: 'fault', code: 'cover-open' }],
    [{ ok: false, code: 'status-unknown', written: 'none' }, { kind: 'warning', code: 'status-unknown' }],
  ] as const)('%j → %j', (outcome, health) => expect(healthAfter(outcome as Parameters<typeof healthAfter>[0])).toEqual(health));

  it('reads a status answer that was noise as not known, never as a fault', () => {
    expect(healthOf({ ok: false, code: 'status-unknown', message: 'noise' })).toEqual({ kind: 'warning', code: 'status-unknown' });
  });
});

describe('a terminal printer on its line', () => {
  it('says offline, never throws, when the line cannot be opened, and prints once it can', async () => {
    const logs: string[] = [];
    const missing = new ReopeningPrinter({ transport: 'serial', path: '/dev/servicehall-no-such-port', baudRate: 9600 }, (m) => logs.push(m));
    cleanups.push(() => missing.close());
    // The board is told which port and what to do, in the hall's words (the USB name that changed, by-id).
    const detail = expect.stringMatching(/^串口 \/dev\/servicehall-no-such-port 不存在：.*\/dev\/serial\/by-id\//);
    expect(await missing.health()).toEqual({ kind: 'fault', code: 'offline', detail });
    const failed = await missing.print(TICKET);
    expect(failed).toEqual({ ok: false, code: 'offline', written: 'none', detail });
    expect(healthAfter(failed)).toEqual({ kind: 'fault', code: 'offline', detail });
    expect(await missing.health()).toEqual({ kind: 'fault', code: 'offline', detail });
    // Said once, not at every poll.
    expect(logs).toHaveLength(1);
    expect(logs[0]).toMatch(/cannot be opened/);

    const pair: PtyPair = await startPtyPair();
    cleanups.push(() => pair.close());
    let sim = await PrinterSimulator.open(pair.device, { paperNearEnd: true });
    const printer = new ReopeningPrinter({ transport: 'serial', path: pair.host, baudRate: 115200, profile: '58mm' }, () => undefined);
    cleanups.push(() => printer.close());
    expect(await printer.health()).toEqual({ kind: 'warning', code: 'paper-near-end' });
    expect(await printer.print(TICKET)).toMatchObject({ ok: true });
    expect(sim.device.receipts.at(-1)?.text.join('\n')).toContain('A012');

    // The printer goes silent (switched off), then comes back: the same object recovers.
    await sim.close();
    expect(await printer.health()).toMatchObject({ kind: 'fault' });
    sim = await PrinterSimulator.open(pair.device, {});
    cleanups.push(() => sim.close());
    await expect.poll(() => printer.health(), { timeout: 5000 }).toEqual({ kind: 'ok' });
  }, 20_000);
});

describe('a printer unplugged and plugged in again between two asks', () => {
  it('is opened afresh at the next ask, not failed once more on its old line', async () => {
    const { mkdtempSync, rmSync, symlinkSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const port = join(mkdtempSync(join(tmpdir(), 'tty-')), 'ttyUSB0');
    let pair = await startPtyPair();
    let sim = await PrinterSimulator.open(pair.device);
    symlinkSync(pair.host, port);
    cleanups.push(async () => (await sim.close(), await pair.close()));
    const logs: string[] = [];
    const printer = new ReopeningPrinter({ transport: 'serial', path: port, baudRate: 115200 }, (m) => logs.push(m));
    cleanups.push(() => printer.close());
    expect(await printer.health()).toEqual({ kind: 'ok' });
    await sim.close();
    await pair.close();
    await expect.poll(() => logs.some((l) => l.includes('went away'))).toBe(true);
    pair = await startPtyPair();
    sim = await PrinterSimulator.open(pair.device);
    rmSync(port);
    symlinkSync(pair.host, port);
    expect(await printer.health()).toEqual({ kind: 'ok' });
    expect(await printer.print(TICKET)).toMatchObject({ ok: true });
    expect(sim.device.receipts).toHaveLength(1);
  });
});

/** A network printer on port 9100's part: a simulated printer for each connection, listening on a port of its own. */
async function networkPrinter() {
  const { createServer } = await import('node:net');
  const { PrinterDevice } = await import('@servicehall/fixtures/devices');
  const sockets: import('node:net').Socket[] = [];
  const server = createServer((socket) => {
    const device = new PrinterDevice();
    sockets.push(socket);
    socket.on('data', (d) => socket.write(device.receive(d)));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, sockets, port: (server.address() as import('node:net').AddressInfo).port };
}

describe('a network printer restarted between two asks', () => {
  it('is connected afresh at the next ask, not failed on its old connection', async () => {
    const { server, sockets, port } = await networkPrinter();
    cleanups.push(() => new Promise((r) => server.close(r)));
    const logs: string[] = [];
    const printer = new ReopeningPrinter({ transport: 'tcp', host: '127.0.0.1', port }, (m) => logs.push(m));
    cleanups.push(() => printer.close());
    expect(await printer.health()).toEqual({ kind: 'ok' });
    // Restarted: the printer drops its connection.
    sockets.forEach((s) => s.destroy());
    await expect.poll(() => logs.some((l) => l.includes('went away'))).toBe(true);
    expect(await printer.health()).toEqual({ kind: 'ok' });
    expect(sockets).toHaveLength(2);
  });
});

describe('a network printer that cannot be connected to', () => {
  it('tells the board its address and what to check, in the hall’s words, once it is switched off', async () => {
    const { server, sockets, port } = await networkPrinter();
    const logs: string[] = [];
    const printer = new ReopeningPrinter({ transport: 'tcp', host: '127.0.0.1', port }, (m) => logs.push(m));
    cleanups.push(() => printer.close());
    expect(await printer.health()).toEqual({ kind: 'ok' });
    // Switched off: its connection gone, and nothing listening at its address.
    await new Promise((r) => {
      server.close(r);
      sockets.forEach((s) => s.destroy());
    });
    await expect.poll(() => logs.some((l) => l.includes('went away'))).toBe(true);
    const detail = `网络设备 127.0.0.1:${port} 拒绝连接：请检查设备已开机、配置中的端口正确（网络打印机一般为 9100），且没有其他电脑正连着它`;
    expect(await printer.health()).toEqual({ kind: 'fault', code: 'offline', detail });
    expect(await printer.print(TICKET)).toEqual({ ok: false, code: 'offline', written: 'none', detail });
    expect(logs.filter((l) => l.includes('cannot be opened'))).toHaveLength(1);
  });
});

describe('a printer on a device file', () => {
  it('says offline when its device file is gone (unplugged), and makes no plain file in its place to print into', async () => {
    const { existsSync, mkdtempSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const path = join(mkdtempSync(join(tmpdir(), 'usb-')), 'lp0');
    const printer = new ReopeningPrinter({ transport: 'file', path }, () => undefined);
    cleanups.push(() => printer.close());
    expect(await printer.print(TICKET)).toEqual({ ok: false, code: 'offline', written: 'none' });
    expect(existsSync(path)).toBe(false);
  });
});

describe('a printer whose line stops taking bytes', () => {
  it('rejects as a value, saying part of the job may be on paper, and the process goes on', async () => {
    const { TicketPrinter } = await import('./printer');
    const { PROFILES } = await import('./profiles');
    // A write that never settles: a device file blocked by paper out, a network printer that stopped reading.
    const stuck = { canRead: false, write: () => new Promise<void>(() => {}), onData: () => () => undefined, close: async () => undefined };
    const printer = new TicketPrinter(stuck, PROFILES['generic-80'], { timeoutMs: 50, allowWithoutStatus: true });
    expect(await printer.tryPrint(TICKET)).toMatchObject({ ok: false, code: 'write-incomplete', written: 'partial' });
    const readable = { ...stuck, canRead: true };
    const asking = new TicketPrinter(readable, PROFILES['generic-80'], { timeoutMs: 50 });
    expect(await asking.status()).toMatchObject({ ok: false });
  });
});
