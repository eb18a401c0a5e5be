import { loadConfig, startAgent, type RunningAgent } from '@servicehall/agent';
import { demoCatalogue } from '@servicehall/fixtures';
import { PrinterSimulator, startPtyPair, type PtyPair } from '@servicehall/fixtures/devices';
import { startHub, type RunningHub } from '@servicehall/hub';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createWindowAgent } from './agent';

const TOKEN = 'notice-printer-token';
let dir: string;
let hub: RunningHub;
let pair: PtyPair;
let printer: PrinterSimulator;
let agent: RunningAgent;
let h: Record<string, (arg?: unknown) => Promise<{ ok: boolean; printed?: { ok: boolean; code?: string } }>>;

beforeEach(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'servicehall-notice-printer-'));
  hub = await startHub({ dataDir: path.join(dir, 'hub'), token: TOKEN, seed: demoCatalogue({ allDay: true }), demoPin: '246810' });
  pair = await startPtyPair();
  printer = await PrinterSimulator.open(pair.device);
  const config = loadConfig(
    undefined,
    { SERVICEHALL_HUB_URL: hub.wsUrl, SERVICEHALL_TOKEN: TOKEN, SERVICEHALL_WINDOW: '7', SERVICEHALL_TERMINAL_DATA: path.join(dir, 'window-7'), SERVICEHALL_PRINTER: pair.host },
    { role: 'window', terminal: 'window-7' },
  );
  agent = await startAgent(config, (ctx) => createWindowAgent(ctx));
  h = agent.handlers as typeof h;
  await agent.client.whenInStep();
  expect(await h.signIn!({ clerk: '1011', pin: '246810' })).toMatchObject({ ok: true });
  hub.store.execute({ id: 'issue-for-window-7', type: 'issueTicket', serviceCode: 'SJ-QY-SL', lane: 'ordinary' }, { role: 'admin', terminal: 'test' });
  await agent.client.whenInStep(hub.store.seq);
  expect(await h.callNext!()).toMatchObject({ ok: true });
  expect(await h.start!()).toMatchObject({ ok: true });
});

afterEach(async () => {
  await agent.stop();
  await printer.close();
  await pair.close();
  await hub.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const noticePrinter = () => hub.store.view.devices.get('window-7')?.devices.find((d) => d.name === 'notice-printer');

describe("the window's notice printer", () => {
  it('does not ask the clerk to print again a notice sent whole whose end the printer did not report', async () => {
    printer.device.set({ silentAfterCut: true });
    const done = await h.outcome!({ serviceCode: 'SJ-QY-SL', outcome: 'accepted' });
    expect(done).toMatchObject({ ok: true, printed: { ok: true } });
    expect(printer.device.receipts).toHaveLength(1);
    expect(printer.device.receipts[0]!.text.join('')).toContain('受理通知书');
    await expect.poll(noticePrinter).toMatchObject({ status: 'warning', code: 'status-unknown' });
  }, 15_000);

  it('says a notice cut off by paper end did not print, with the printer’s fault on the device board', async () => {
    printer.device.set({ paperEndAfterLines: 3 });
    const done = await h.outcome!({ serviceCode: 'SJ-QY-SL', outcome: 'accepted' });
    expect(done).toMatchObject({ ok: true, printed: { ok: false, code: 'fault-after-write' } });
    await expect.poll(noticePrinter).toMatchObject({ status: 'fault', code: 'paper-end' });
  });
});
