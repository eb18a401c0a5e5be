import { demoCatalogue } from '@servicehall/fixtures';
import { DisplaySimulator, startPtyPair, type PtyPair } from '@servicehall/fixtures/devices';
import { DISPLAY_PROFILES } from '@servicehall/number-display';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runWindowInBrowserMode } from '../apps/window/src/main/browser';
import { startTestHall, terminalEnv, type TestHall } from './harness';

type Terminal = Awaited<ReturnType<typeof runWindowInBrowserMode>>;

let hall: TestHall;
let pairs: PtyPair[] = [];
let cd5220: DisplaySimulator;
let led: DisplaySimulator;
let window12: Terminal;
let window14: Terminal;

const displayReport = (terminal: string) => hall.hub.store.view.devices.get(terminal)?.devices.find((d) => d.kind === 'display');
const call = (window: number) => hall.api<{ ok: boolean; ticket?: { number: string } }>('POST', `/api/windows/${window}/call-next`, {});
const issue = (serviceCode: string) => hall.api<{ number: string }>('POST', '/api/tickets', { serviceCode });

beforeAll(async () => {
  hall = await startTestHall();
  // The widest numbers the catalogue allows: a two-letter prefix and five digits, at windows above 9.
  const catalogue = demoCatalogue({ allDay: true });
  for (const item of catalogue.items) if (item.code.startsWith('GJJ-')) item.prefix = 'GJ';
  catalogue.numbering = { digits: 5, first: 1, last: 99999 };
  expect((await hall.api('PUT', '/api/catalogue', catalogue)).status).toBe(200);
  pairs = await Promise.all([startPtyPair(), startPtyPair()]);
  cd5220 = await DisplaySimulator.open(pairs[0]!.device, DISPLAY_PROFILES.cd5220);
  led = await DisplaySimulator.open(pairs[1]!.device, DISPLAY_PROFILES['modbus-led']);
  const withDisplay = (terminal: string, window: number, pair: PtyPair, profile: string) => {
    const file = path.join(hall.dir, `${terminal}.json`);
    fs.writeFileSync(file, JSON.stringify({ devices: { display: { transport: 'serial', path: pair.host, profile } } }));
    return runWindowInBrowserMode(file, terminalEnv(hall, terminal, { SERVICEHALL_WINDOW: String(window) }));
  };
  window12 = await withDisplay('window-12', 12, pairs[0]!, 'cd5220');
  window14 = await withDisplay('window-14', 14, pairs[1]!, 'modbus');
  expect((await hall.api('POST', '/api/windows/12/open', { clerk: '1015' })).status).toBe(200);
  expect((await hall.api('POST', '/api/windows/14/open', { clerk: '1009' })).status).toBe(200);
});

afterAll(async () => {
  await window12?.stop();
  await window14?.stop();
  for (const sim of [cd5220, led]) await sim?.close();
  await Promise.all(pairs.map((p) => p.close()));
  await hall?.close();
});

describe('window displays, with the widest numbers and faults on the line', () => {
  it('shows GJ00001 at window 12 whole on a 20-column CD5220 (window 12, not window 1)', async () => {
    expect((await issue('GJJ-TQ-GF')).body.number).toBe('GJ00001');
    expect((await call(12)).status).toBe(200);
    await expect.poll(() => cd5220.shown.rows).toEqual(['GJ00001', 'GJ00001 to window 12']);
    expect(cd5220.device.rejected).toBe(0);
  });

  it('shows a two-letter, five-digit number on a Modbus LED display, and never a mix of two calls when replies or requests are lost', async () => {
    expect((await issue('GJJ-JC-DJ')).body.number).toBe('GJ00002');
    await call(14);
    await expect.poll(() => led.shown.rows).toEqual(['GJ00002', '14']);

    // The reply to the next call is lost: asked again, it shows whole.
    await issue('GJJ-JC-DJ');
    led.device.set!({ dropReplies: 1 });
    await hall.api('POST', '/api/windows/14/no-show', {});
    await call(14);
    // After a try that went unanswered (the blanking's, whose reply was the one lost), a different
    // request waits for a quiet line, up to twice the bound (b0d2829): a late reply is never taken for the call's.
    await expect.poll(() => led.shown.rows, { timeout: 5_000 }).toEqual(['GJ00003', '14']);
    await expect.poll(() => displayReport('window-14')).toMatchObject({ status: 'ok' });

    // Every request is lost for a while: the display keeps the last call whole, and the device board hears of it.
    await issue('GJJ-JC-DJ');
    led.device.set!({ dropRequests: 100 });
    await hall.api('POST', '/api/windows/14/no-show', {});
    await call(14);
    await expect.poll(() => displayReport('window-14'), { timeout: 10_000 }).toMatchObject({ status: 'fault', code: 'timeout' });
    expect(led.shown.rows).toEqual(['GJ00003', '14']);

    // The line comes back: the next call shows whole and the display is reported ready.
    led.device.set!({ dropRequests: 0 });
    await issue('GJJ-JC-DJ');
    await hall.api('POST', '/api/windows/14/no-show', {});
    await call(14);
    await expect.poll(() => led.shown.rows, { timeout: 10_000 }).toEqual(['GJ00005', '14']);
    await expect.poll(() => displayReport('window-14')).toMatchObject({ status: 'ok' });
  }, 30_000);

  it('refuses at load a display that cannot show every number the hall may issue, naming it and its limit', async () => {
    const file = path.join(hall.dir, 'window-11.json');
    fs.writeFileSync(file, JSON.stringify({ devices: { display: { transport: 'serial', path: pairs[1]!.host, profile: 'modbus', cells: 4 } } }));
    await expect(runWindowInBrowserMode(file, terminalEnv(hall, 'window-11', { SERVICEHALL_WINDOW: '11' }))).rejects.toThrow(/devices\.display: 显示屏 modbus-led 号码只有 4 位/);
  });
});
