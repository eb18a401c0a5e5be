import type { HallAlert, HallBoard } from '@servicehall/core';
import { demoCatalogue } from '@servicehall/fixtures';
import { WecomStandIn } from '@servicehall/notify/testing';
import Database from 'better-sqlite3';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { startHub, type RunningHub } from './server';
import { FLAP_QUIET_MS } from './supervision';
import { TestConsole } from './testing/console';
import { freePort } from './testing/hub-process';
import { TestTerminal } from './testing/terminal';

const TOKEN = 'hall-token-for-supervision-tests';
const START = Date.parse('2026-11-27T09:00:00+08:00');
let now = START;
const hubs: RunningHub[] = [];
const dirs: string[] = [];
const terminals: TestTerminal[] = [];
const robots: WecomStandIn[] = [];

async function hall(dir: string, notify?: unknown) {
  const catalogue = demoCatalogue({ allDay: true });
  const hub = await startHub({
    dataDir: dir,
    token: TOKEN,
    clock: () => now,
    seed: { ...catalogue, supervision: { waitMinutes: 20, pauseMinutes: 15, offlineMinutes: 5, checkBeforeOpeningMinutes: 30 } },
    // The tests review by hand, at the moments they choose.
    supervisionSweepMs: 3_600_000,
    ...(notify ? { notify: notify as never } : {}),
  });
  hubs.push(hub);
  return hub;
}

function folder(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'servicehall-supervision-'));
  dirs.push(dir);
  return dir;
}

async function connect(hub: RunningHub, hello: { role: 'kiosk' | 'window' | 'rating-pad'; terminal: string; window?: number }) {
  const t = await TestTerminal.connect(hub.wsUrl, { ...hello, token: TOKEN });
  terminals.push(t);
  return t;
}

async function staff(hub: RunningHub, admin: TestConsole, id: string, role: string, department?: string): Promise<TestConsole> {
  const made = await admin.request('POST', '/api/staff', { id, name: id, role, ...(department ? { department } : {}) });
  expect(made.status).toBe(201);
  const c = new TestConsole(hub.url);
  await c.login(id, String(made.body.password));
  expect((await c.request('POST', '/api/console/password', { current: made.body.password, next: `${id}-own-pass-9` })).status).toBe(200);
  return c;
}

/** Opens a window as the hall token's administrator does (a window terminal signs in with a PIN). */
async function openWindow(hub: RunningHub, window: number, clerk?: string) {
  const res = await fetch(`${hub.url}/api/windows/${window}/open`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify(clerk ? { clerk } : {}),
  });
  expect(res.status).toBe(200);
}

/** Takes a follow-up's next step through the hub's API, as a supervisor does, and expects it done. */
async function advanceFollowUp(hub: RunningHub, id: string, step: string, note: string) {
  const res = await fetch(`${hub.url}/api/follow-ups/${encodeURIComponent(id)}/advance`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ step, note }),
  });
  expect(res.status).toBe(200);
}

async function admin(hub: RunningHub): Promise<TestConsole> {
  const c = new TestConsole(hub.url);
  expect((await c.request('POST', '/api/console/first-admin', { setupCode: hub.setupCode, id: 'admin', name: '王管理', password: 'first-admin-pass-1' })).status).toBe(201);
  expect((await c.login('admin', 'first-admin-pass-1')).status).toBe(200);
  return c;
}

afterEach(async () => {
  for (const t of terminals.splice(0)) t.close();
  for (const h of hubs.splice(0)) await h.close();
  for (const r of robots.splice(0)) await r.close();
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
  now = START;
});

/** Serves one ticket of GA-SFZ-HL at window 1 and has its pad rate it. */
async function servedAndRated(hub: RunningHub, level: 'very-dissatisfied' | 'dissatisfied' | 'satisfied') {
  const kiosk = await connect(hub, { role: 'kiosk', terminal: 'kiosk-1' });
  const window = await connect(hub, { role: 'window', terminal: 'window-1', window: 1 });
  const pad = await connect(hub, { role: 'rating-pad', terminal: 'pad-1', window: 1 });
  await openWindow(hub, 1, '1001');
  const issued = await kiosk.command({ type: 'issueTicket', serviceCode: 'GA-SFZ-HL', lane: 'ordinary' });
  if (!issued.ok) throw new Error(issued.message);
  for (const type of ['callNext', 'startService', 'finishService'] as const) expect((await window.command({ type, window: 1 })).ok).toBe(true);
  const rated = await pad.command({ type: 'rate', ticketId: issued.ticket!.id, window: 1, level, channel: 'window-pad', aspects: {}, reasons: [] });
  expect(rated.ok).toBe(true);
  return issued.ticket!;
}

describe('the supervisors’ alerts on the hub', () => {
  it('takes a pad’s 非常不满意 to the rated clerk’s department head and its robot, once, even after a restart (N-03)', async () => {
    const robot = await WecomStandIn.start({ keys: ['ga-head', 'crj-head'], clock: () => now });
    robots.push(robot);
    const notify = {
      channels: [
        { id: 'ga-head', kind: 'wecom-robot', webhook: robot.webhook('ga-head'), departments: ['公安户籍'] },
        { id: 'crj-head', kind: 'wecom-robot', webhook: robot.webhook('crj-head'), departments: ['出入境'] },
      ],
    };
    const dir = folder();
    let hub = await hall(dir, notify);
    const a = await admin(hub);
    const gaHead = await staff(hub, a, 'head-ga', 'department-head', '公安户籍');
    const crjHead = await staff(hub, a, 'head-crj', 'department-head', '出入境');
    const ticket = await servedAndRated(hub, 'very-dissatisfied');
    hub.supervision.review();

    const seen = await gaHead.request<{ alerts: HallAlert[] }>('GET', '/api/alerts');
    expect(seen.status).toBe(200);
    expect(seen.body.alerts.map((x) => x.subject)).toEqual([{ kind: 'bad-rating', window: 1, level: 'very-dissatisfied', ticket: ticket.number, item: expect.any(String), serviceCode: 'GA-SFZ-HL', department: '公安户籍' }]);
    expect((await crjHead.request<{ alerts: HallAlert[] }>('GET', '/api/alerts')).body.alerts).toEqual([]);
    const id = seen.body.alerts[0]!.id;
    expect((await crjHead.request('POST', `/api/alerts/${encodeURIComponent(id)}/acknowledge`)).status).toBe(403);

    await robot.waitFor(() => robot.messages.length >= 1);
    expect(robot.messages).toEqual([{ robot: 'ga-head', msgtype: 'markdown', content: expect.stringContaining('非常不满意') }]);
    expect(robot.messages[0]!.content).toContain(ticket.number);

    const acked = await gaHead.request('POST', `/api/alerts/${encodeURIComponent(id)}/acknowledge`);
    expect(acked.status).toBe(200);
    expect(hub.store.view.alerts.get(id)?.acknowledged).toMatchObject({ by: { id: 'head-ga', role: 'department-head' } });

    // A restarted hub holds the same alert, acknowledged, and raises and sends nothing again.
    await hub.close();
    hubs.splice(hubs.indexOf(hub), 1);
    hub = await hall(dir, notify);
    expect(hub.supervision.review()).toBe(0);
    expect([...hub.store.view.alerts.values()]).toMatchObject([{ id, acknowledged: { by: { id: 'head-ga' } } }]);
    await hub.notifications.loop.runOnce();
    expect(robot.received.filter((r) => r.accepted)).toHaveLength(1);
  });

  it('raises a follow-up step past its due day as overdue, for the department head, and clears it once the step is taken', async () => {
    const hub = await hall(folder());
    await servedAndRated(hub, 'dissatisfied');
    hub.supervision.review();
    const [followUp] = hub.store.openFollowUps();
    expect(followUp).toBeDefined();
    // Friday's follow-up is to be verified within a working day: on Wednesday it is overdue.
    now = Date.parse('2026-12-02T09:00:00+08:00');
    hub.supervision.review();
    const standing = [...hub.store.view.alerts.values()].filter((a) => a.clearedAt === undefined);
    expect(standing.map((a) => a.subject)).toEqual([{ kind: 'overdue', subject: 'follow-up', reference: followUp!.id, due: followUp!.due.verify, department: '公安户籍' }]);
    await advanceFollowUp(hub, followUp!.id, 'verify', '已核实：等候时间较长');
    hub.supervision.review();
    expect([...hub.store.view.alerts.values()].filter((x) => x.clearedAt === undefined).map((x) => x.subject)).not.toContainEqual(expect.objectContaining({ subject: 'follow-up', due: followUp!.due.verify }));
  });

  it('reads the overdue records again when casework or the day changes, not for each case a window records nor as the minutes pass', async () => {
    const hub = await hall(folder());
    const reads = vi.spyOn(hub.store, 'openFollowUps');
    await servedAndRated(hub, 'dissatisfied');
    // The pad has its answer; the rating's events (its follow-up) are told right after, once every
    // batch is on the disk. Until then a review would read, and the follow-up told meanwhile would
    // make the next one read again: wait for them to be told.
    await vi.waitFor(() => expect(hub.store.durableSeq).toBe(hub.store.seq));
    await new Promise((resolve) => setImmediate(resolve));
    // The rating made a follow-up: what is overdue is read again, by this review or by the one the hub
    // made after the rating (on a loaded machine it may come first).
    hub.supervision.review();
    expect(reads).toHaveBeenCalled();
    reads.mockClear();
    hub.supervision.review();
    expect(reads).toHaveBeenCalledTimes(0);
    // Minutes pass and a window records a case: what is overdue (due by the day) cannot have changed.
    now += 5 * 60_000;
    const kiosk = await connect(hub, { role: 'kiosk', terminal: 'kiosk-2' });
    const window = await connect(hub, { role: 'window', terminal: 'window-1b', window: 1 });
    expect((await kiosk.command({ type: 'issueTicket', serviceCode: 'GA-SFZ-HL', lane: 'ordinary' })).ok).toBe(true);
    for (const type of ['callNext', 'startService'] as const) expect((await window.command({ type, window: 1 })).ok).toBe(true);
    const cases = hub.store.view.cases.size;
    expect((await window.command({ type: 'recordOutcome', window: 1, serviceCode: 'GA-SFZ-HL', outcome: 'accepted' })).ok).toBe(true);
    expect(hub.store.view.cases.size).toBe(cases + 1);
    hub.supervision.review();
    expect(reads).toHaveBeenCalledTimes(0);
    // The follow-up moves: read again.
    const [followUp] = hub.store.openFollowUps();
    reads.mockClear();
    await advanceFollowUp(hub, followUp!.id, 'verify', '已核实');
    hub.supervision.review();
    expect(reads).toHaveBeenCalledTimes(1);
    hub.supervision.review();
    expect(reads).toHaveBeenCalledTimes(1);
    // The next step falls due a working day later: the day turning reads them again, and finds it overdue.
    now = Date.parse('2026-12-03T09:00:00+08:00');
    hub.supervision.review();
    expect(reads).toHaveBeenCalledTimes(2);
    expect([...hub.store.view.alerts.values()].filter((a) => a.clearedAt === undefined).map((a) => a.subject)).toContainEqual(
      expect.objectContaining({ kind: 'overdue', subject: 'follow-up', reference: followUp!.id }),
    );
  });

  it('raises a long wait once, shows it on the board, and a robot that fails first still gets it once (H-16)', async () => {
    const robot = await WecomStandIn.start({ keys: ['duty'], clock: () => now });
    robots.push(robot);
    robot.failNext({ kind: 'error', code: -1, message: 'system busy' });
    const hub = await hall(folder(), { channels: [{ id: 'duty', kind: 'wecom-robot', webhook: robot.webhook('duty'), format: 'text' }] });
    const a = await admin(hub);
    const kiosk = await connect(hub, { role: 'kiosk', terminal: 'kiosk-1' });
    for (let i = 0; i < 3; i++) expect((await kiosk.command({ type: 'issueTicket', serviceCode: 'CRJ-HZ-SL', lane: 'ordinary' })).ok).toBe(true);
    expect(hub.supervision.review()).toBe(0);
    now += 21 * 60_000;
    expect(hub.supervision.review()).toBe(1);
    expect(hub.supervision.review()).toBe(0);
    now += 60_000;
    expect(hub.supervision.review()).toBe(0);

    const board = await a.request<{ board: HallBoard }>('GET', '/api/board');
    expect(board.status).toBe(200);
    expect(board.body.board.items.find((i) => i.code === 'CRJ-HZ-SL')).toMatchObject({ waiting: 3, longestWaitMinutes: 22, windowsOpen: 0, overThreshold: true });
    expect(board.body.board.alerts.map((x) => x.subject)).toMatchObject([{ kind: 'wait-threshold', serviceCode: 'CRJ-HZ-SL', waiting: 3, thresholdMinutes: 20 }]);
    expect(board.body.board.terminals).toMatchObject([{ terminal: 'kiosk-1', online: true }]);

    // The first attempt fails; the outbox tries again after its back-off and the robot gets it once.
    await robot.waitFor(() => robot.received.length >= 1);
    await expect.poll(() => hub.notifications.notifier.outbox.list().map((e) => [e.state, e.failures])).toEqual([['pending', 1]]);
    // The console's channel list says the channel waits, until when and why.
    const retryAt = hub.notifications.notifier.outbox.list()[0]!.nextAt;
    const paused = async () => (await a.request<{ channels: { id: string; paused?: unknown }[] }>('GET', '/api/notify/channels')).body.channels[0]!.paused;
    expect(await paused()).toEqual({ until: retryAt, reason: 'server-error' });
    now += 10 * 60_000;
    hub.notifications.wake();
    await robot.waitFor(() => robot.messages.length >= 1);
    await hub.notifications.loop.runOnce();
    expect(robot.messages).toEqual([{ robot: 'duty', msgtype: 'text', content: expect.stringContaining('候号时间过长') }]);
    expect(await paused()).toBeUndefined();

    // The supervisor opens a temporary window for the item from the alert; once the queue is served the alert clears.
    expect((await a.request('POST', '/api/windows/temporary', { window: 21, serves: ['CRJ-HZ-SL'] })).status).toBe(201);
    const temp = await connect(hub, { role: 'window', terminal: 'window-21', window: 21 });
    await openWindow(hub, 21);
    for (let i = 0; i < 3; i++)
      for (const type of ['callNext', 'startService', 'finishService'] as const) expect((await temp.command({ type, window: 21 })).ok).toBe(true);
    hub.supervision.review();
    expect((await a.request<{ alerts: HallAlert[] }>('GET', '/api/alerts?standing=1')).body.alerts).toEqual([]);
    expect((await a.request<{ alerts: HallAlert[] }>('GET', '/api/alerts')).body.alerts).toMatchObject([{ subject: { kind: 'wait-threshold' }, clearedAt: now }]);
    // The alerts are the supervisors': a terminal that starts now gets the hall without them (a year's standing 督办 would be most of its snapshot).
    // (A second on: a snapshot written within the last one would come with the events since.)
    await new Promise((r) => setTimeout(r, 1100));
    const late = await connect(hub, { role: 'kiosk', terminal: 'kiosk-2' });
    expect(late.snapshot?.tickets).toHaveLength(3);
    expect(late.snapshot?.alerts).toEqual([]);
    expect(hub.store.view.alerts.size).toBe(1);
  });

  it('tells the duty room which terminal, by its name, and what the terminal said of the fault; without those words when they cannot go', async () => {
    const robot = await WecomStandIn.start({ keys: ['duty-key'], clock: () => now });
    robots.push(robot);
    const hub = await hall(folder(), { channels: [{ id: 'duty', name: '值班群', kind: 'wecom-robot', webhook: robot.webhook('duty-key') }] });
    const a = await admin(hub);
    const kiosk = await connect(hub, { role: 'kiosk', terminal: 'kiosk-1' });
    const detail = '串口 /dev/ttyUSB0 已被其他程序占用：请关闭占用它的程序（fuser /dev/ttyUSB0 可查看）';
    expect((await kiosk.command({ type: 'reportDevices', devices: [{ kind: 'printer', name: 'ticket-printer', status: 'fault', code: 'offline', detail }] })).ok).toBe(true);
    hub.supervision.review();
    const board = (await a.request<{ board: HallBoard }>('GET', '/api/board')).body.board;
    expect(board.terminals.find((t) => t.terminal === 'kiosk-1')!.faults).toMatchObject([{ code: 'offline', detail }]);
    expect(board.alerts.map((x) => x.subject)).toEqual([{ kind: 'device-fault', terminal: 'kiosk-1', device: 'printer', fault: 'offline', detail }]);
    await robot.waitFor(() => robot.messages.length >= 1);
    expect(robot.messages[0]!.content).toContain(`取号机的打印机离线：${detail}`);

    // Words that read as a phone number are not sent; the fault is, all the same.
    const pad = await connect(hub, { role: 'rating-pad', terminal: 'pad-1', window: 1 });
    expect((await pad.command({ type: 'reportDevices', devices: [{ kind: 'keypad', name: '评价按键', status: 'fault', code: 'offline', detail: '/dev/serial/by-id/usb-13800001111' }] })).ok).toBe(true);
    hub.supervision.review();
    await robot.waitFor(() => robot.messages.length >= 2);
    expect(robot.messages[1]!.content).toContain('1号窗口评价器的评价按键离线，请尽早处理。');
    expect(robot.messages[1]!.content).not.toContain('13800001111');
  });

  it('tells the duty room of a fault that flaps once in ten minutes; the console shows each time it comes back', async () => {
    const robot = await WecomStandIn.start({ keys: ['duty-key'], clock: () => now });
    robots.push(robot);
    const hub = await hall(folder(), { channels: [{ id: 'duty', name: '值班群', kind: 'wecom-robot', webhook: robot.webhook('duty-key') }] });
    const kiosk = await connect(hub, { role: 'kiosk', terminal: 'kiosk-1' });
    const report = async (status: 'fault' | 'ok') =>
      expect((await kiosk.command({ type: 'reportDevices', devices: [{ kind: 'printer', name: 'ticket-printer', status, ...(status === 'fault' ? { code: 'cover-open' } : {}) }] })).ok).toBe(true);
    const raised = () => [...hub.store.view.alerts.values()].filter((a) => a.subject.kind === 'device-fault');
    const queued = () => hub.notifications.notifier.outbox.list().length;
    // The cover is opened and shut every minute for five minutes: five alerts on the console, one notice.
    for (let minute = 0; minute < 5; minute++) {
      await report('fault');
      hub.supervision.review();
      expect(raised().filter((a) => a.clearedAt === undefined)).toHaveLength(1);
      now += 30_000;
      await report('ok');
      hub.supervision.review();
      now += 30_000;
    }
    expect(raised()).toHaveLength(5);
    expect(queued()).toBe(1);
    // Quiet for ten minutes and more, then open again: that is news, and told.
    now += FLAP_QUIET_MS;
    await report('fault');
    hub.supervision.review();
    expect(queued()).toBe(2);
    await robot.waitFor(() => robot.messages.length >= 2);
  });

  /** A hall whose alerts go to two robots: the duty group in Chinese, the city desk in English. */
  const dutyAndCityDesk = async () => {
    const robot = await WecomStandIn.start({ keys: ['duty-key', 'city-key'], clock: () => now });
    robots.push(robot);
    const hub = await hall(folder(), {
      channels: [
        { id: 'duty', name: '值班群', kind: 'wecom-robot', webhook: robot.webhook('duty-key') },
        { id: 'city', name: 'City desk', kind: 'wecom-robot', webhook: robot.webhook('city-key'), language: 'en' },
      ],
    });
    return { robot, hub };
  };

  it('names the terminals in each channel’s own language: English names on an English channel', async () => {
    const { robot, hub } = await dutyAndCityDesk();
    const pad = await connect(hub, { role: 'rating-pad', terminal: 'pad-1', window: 1 });
    expect((await pad.command({ type: 'reportDevices', devices: [{ kind: 'keypad', name: '评价按键', status: 'fault', code: 'offline' }] })).ok).toBe(true);
    hub.supervision.review();
    await robot.waitFor(() => robot.messages.length >= 2);
    const to = (key: string) => robot.messages.find((m) => m.robot === key)!.content;
    expect(to('duty-key')).toContain('1号窗口评价器的评价按键离线');
    expect(to('city-key')).toContain('Window 1 rating pad: ');
    expect(to('city-key')).not.toContain('评价器');
  });

  it('names the rated item in each channel’s own language: its English name on an English channel', async () => {
    const { robot, hub } = await dutyAndCityDesk();
    const ticket = await servedAndRated(hub, 'dissatisfied');
    hub.supervision.review();
    await robot.waitFor(() => robot.messages.length >= 2);
    const to = (key: string) => robot.messages.find((m) => m.robot === key)!.content;
    expect(to('duty-key')).toContain(`${ticket.number}号（居民身份证换领）收到“不满意”评价`);
    // Before: "Ticket A001 (居民身份证换领) at window 1 was rated ...".
    expect(to('city-key')).toContain(`Ticket ${ticket.number} (Renewal of Resident Identity Card) at window 1 was rated "Dissatisfied"`);
    // The heading too: the hall by its English name (before: 【滨江区政务服务中心】 on an English channel).
    expect(to('city-key')).toContain('【Binjiang District Government Service Center】Bad rating');
    expect(to('city-key')).not.toMatch(/[\u4e00-\u9fff]{2}/);
  });

  it('shows a printer’s paper end on the board and alerts it; lists the channels without secrets and tests one (H-04)', async () => {
    const robot = await WecomStandIn.start({ keys: ['secret-key-abc'], clock: () => now });
    robots.push(robot);
    const hub = await hall(folder(), { channels: [{ id: 'duty', name: '值班群', kind: 'wecom-robot', webhook: robot.webhook('secret-key-abc') }] });
    const a = await admin(hub);
    const kiosk = await connect(hub, { role: 'kiosk', terminal: 'kiosk-1' });
    expect((await kiosk.command({ type: 'reportDevices', devices: [{ kind: 'printer', name: '号票打印机', status: 'fault', code: 'paper-end' }] })).ok).toBe(true);
    hub.supervision.review();
    const board = (await a.request<{ board: HallBoard }>('GET', '/api/board')).body.board;
    expect(board.terminals.find((t) => t.terminal === 'kiosk-1')).toMatchObject({ faults: [{ kind: 'printer', code: 'paper-end' }], ready: false });
    expect(board.alerts.map((x) => x.subject)).toEqual([{ kind: 'device-fault', terminal: 'kiosk-1', device: 'printer', fault: 'paper-end' }]);
    await robot.waitFor(() => robot.messages.length >= 1);
    expect(robot.messages[0]!.content).toContain('缺纸');

    const channels = await a.request<{ channels: Record<string, unknown>[] }>('GET', '/api/notify/channels');
    expect(channels.body.channels).toMatchObject([{ id: 'duty', name: '值班群', kind: 'wecom-robot', enabled: true }]);
    expect(JSON.stringify(channels.body)).not.toContain('secret-key-abc');
    const tested = await a.request('POST', '/api/notify/channels/duty/test', undefined, { 'idempotency-key': 'channel-test-0001' });
    expect(tested.status).toBe(202);
    expect((await a.request('POST', '/api/notify/channels/duty/test', undefined, { 'idempotency-key': 'channel-test-0001' })).status).toBe(202);
    expect((await a.request('POST', '/api/notify/channels/nothing/test')).status).toBe(404);
    await robot.waitFor(() => robot.messages.length >= 2);
    await hub.notifications.loop.runOnce();
    expect(robot.messages.filter((m) => m.content.includes('测试'))).toHaveLength(1);
  });
});

describe("the hall's terminals as the city is told them", () => {
  /** A hub shipping to a city's database that is down (a port nobody listens on): what it tells its shipper is still told. */
  async function shippingHall(dir: string, sweepMs: number) {
    const closed = await freePort();
    const hub = await startHub({
      dataDir: dir,
      token: TOKEN,
      clock: () => now,
      seed: demoCatalogue({ allDay: true }),
      supervisionSweepMs: sweepMs,
      upstream: { url: `postgres://city_hub:none@127.0.0.1:${closed}/city`, hall: '330106-01', firstRetryMs: 50, maxRetryMs: 100 },
    });
    hubs.push(hub);
    return hub;
  }
  const told = (hub: RunningHub) => JSON.parse(hub.upstream!.terminalsSaid() ?? 'null') as unknown;
  const onBoard = async (a: TestConsole) =>
    (await a.request<{ board: HallBoard }>('GET', '/api/board')).body.board.terminals.map((t) => ({ terminal: t.terminal, role: t.role, ...(t.window !== undefined ? { window: t.window } : {}) }));

  it('tells the shipper the list the console’s board shows: at the start, when a terminal links, is enrolled or revoked, and when a credential runs out', async () => {
    const dir = folder();
    // The alerts' beat an hour apart: what is told at a link or a revocation is told then, not at a beat.
    let hub = await shippingHall(dir, 3_600_000);
    let a = await admin(hub);
    expect(told(hub)).toEqual([]);
    await connect(hub, { role: 'kiosk', terminal: 'kiosk-1' });
    expect(told(hub)).toEqual([{ terminal: 'kiosk-1', role: 'kiosk' }]);
    const pad = hub.credentials.issue({ role: 'rating-pad', terminal: 'pad-3', window: 3 }, 'admin', now, 1);
    const kiosk2 = hub.credentials.issue({ role: 'kiosk', terminal: 'kiosk-2' }, 'admin', now, 2);
    terminals.push(await TestTerminal.connect(hub.wsUrl, { role: 'rating-pad', terminal: 'pad-3', window: 3, token: pad.token }));
    const withPad = [
      { terminal: 'kiosk-1', role: 'kiosk' },
      { terminal: 'kiosk-2', role: 'kiosk' },
      { terminal: 'pad-3', role: 'rating-pad', window: 3 },
    ];
    expect(told(hub)).toEqual(withPad);
    expect(await onBoard(a)).toEqual(withPad);
    expect((await a.request('POST', `/api/terminals/${kiosk2.credential.id}/revoke`)).status).toBe(200);
    expect(told(hub)).toEqual([
      { terminal: 'kiosk-1', role: 'kiosk' },
      { terminal: 'pad-3', role: 'rating-pad', window: 3 },
    ]);
    for (const t of terminals.splice(0)) t.close();
    await hub.close();
    hubs.splice(0);
    // Restarted: the list goes with the shipper's start; the pad's credential runs out with no link or word, and the beat tells it.
    hub = await shippingHall(dir, 50);
    a = new TestConsole(hub.url);
    expect((await a.login('admin', 'first-admin-pass-1')).status).toBe(200);
    expect(told(hub)).toEqual(await onBoard(a));
    expect((told(hub) as { terminal: string }[]).map((t) => t.terminal)).toContain('pad-3');
    now += 86_400_000 + 1;
    await expect.poll(() => (told(hub) as { terminal: string }[]).map((t) => t.terminal), { timeout: 10_000 }).not.toContain('pad-3');
    // A day on, the console's session has ended: signed in again.
    expect((await a.login('admin', 'first-admin-pass-1')).status).toBe(200);
    expect(told(hub)).toEqual(await onBoard(a));
  }, 60_000);
});

describe('last heard (最近联系) of the linked terminals', () => {
  it('is written down on a beat while they are linked, so that after a crash the board says the last beat, not when they linked', async () => {
    const dir = folder();
    const start = async (dataDir: string) => {
      const h = await startHub({ dataDir, token: TOKEN, clock: () => now, seed: demoCatalogue({ allDay: true }), supervisionSweepMs: 3_600_000, lastHeardMs: 50 });
      hubs.push(h);
      return h;
    };
    const hub = await start(dir);
    await admin(hub);
    const made = await (
      await fetch(`${hub.url}/api/terminal-tokens`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify({ role: 'rating-pad', terminal: 'pad-3', window: 3 }) })
    ).json();
    terminals.push(await TestTerminal.connect(hub.wsUrl, { role: 'rating-pad', terminal: 'pad-3', window: 3, token: made.token }));
    await connect(hub, { role: 'kiosk', terminal: 'kiosk-7' });
    const linkedAt = now;
    now += 40 * 60_000;
    // What a crash leaves: the hall's database as it is on disk now, no goodbye written (a consistent copy, as SQLite recovers it).
    const onDisk = new Database(path.join(dir, 'hall.db'), { readonly: true });
    const heard = () => [
      onDisk.prepare<[], { last_seen: number }>("SELECT last_seen FROM terminal_credentials WHERE terminal = 'pad-3'").get()?.last_seen,
      onDisk.prepare<[], { last_seen: number }>("SELECT last_seen FROM hall_token_terminals WHERE terminal = 'kiosk-7'").get()?.last_seen,
    ];
    // Before, each stayed at its link until its goodbye: after a crash, 40 minutes (or hours) before the terminal really went.
    await expect.poll(heard, { timeout: 10_000 }).toEqual([now, now]);
    const crashed = folder();
    fs.cpSync(dir, crashed, { recursive: true, filter: (f) => !/hall\.db|hub\.running/.test(path.basename(f)) });
    await onDisk.backup(path.join(crashed, 'hall.db'));
    onDisk.close();
    const lastBeat = now;
    now += 3 * 60 * 60_000;
    const after = await start(crashed);
    const b = new TestConsole(after.url);
    expect((await b.login('admin', 'first-admin-pass-1')).status).toBe(200);
    const board = (await b.request<{ board: HallBoard }>('GET', '/api/board')).body.board;
    const said = (terminal: string) => board.terminals.find((t) => t.terminal === terminal);
    expect(said('pad-3')).toMatchObject({ online: false, lastSeen: lastBeat });
    expect(said('kiosk-7')).toMatchObject({ online: false, lastSeen: lastBeat });
    expect(lastBeat - linkedAt).toBe(40 * 60_000);
  }, 60_000);
});

describe('a terminal linked with the hall token itself (an older installation)', () => {
  it('stays on the board once it drops off, offline with when it was last heard, alerts as one with a credential does, after a restart too, until the administrator removes it (H-04)', async () => {
    const dir = folder();
    const closed = await freePort();
    const seed = { ...demoCatalogue({ allDay: true }), supervision: { waitMinutes: 20, pauseMinutes: 15, offlineMinutes: 5, checkBeforeOpeningMinutes: 30 } };
    const start = async () => {
      const h = await startHub({
        dataDir: dir,
        token: TOKEN,
        clock: () => now,
        seed,
        supervisionSweepMs: 3_600_000,
        upstream: { url: `postgres://city_hub:none@127.0.0.1:${closed}/city`, hall: '330106-01', firstRetryMs: 50, maxRetryMs: 100 },
      });
      hubs.push(h);
      return h;
    };
    let hub = await start();
    let a = await admin(hub);
    const board = async () => (await a.request<{ board: HallBoard }>('GET', '/api/board')).body.board;
    const kiosk7 = async () => (await board()).terminals.find((t) => t.terminal === 'kiosk-7');
    const toldCity = () => (JSON.parse(hub.upstream!.terminalsSaid() ?? '[]') as { terminal: string }[]).map((t) => t.terminal);
    const kiosk = await connect(hub, { role: 'kiosk', terminal: 'kiosk-7' });
    expect(await kiosk7()).toMatchObject({ online: true });
    const left = now;
    kiosk.close();
    // Before, it vanished from the board and the city's list: nobody was told that a kiosk had gone.
    await expect.poll(async () => (await kiosk7())?.online, { timeout: 10_000 }).toBe(false);
    expect(await kiosk7()).toMatchObject({ terminal: 'kiosk-7', role: 'kiosk', online: false, lastSeen: left });
    expect(toldCity()).toEqual(['kiosk-7']);
    // Past the hall's five minutes: the offline alert, as for a terminal with a credential.
    now += 6 * 60_000;
    hub.supervision.review();
    expect((await board()).alerts.map((x) => x.subject)).toEqual([{ kind: 'terminal-offline', terminal: 'kiosk-7', minutes: 6 }]);
    // A restart of the hub keeps it.
    await hub.close();
    hubs.splice(0);
    hub = await start();
    a = new TestConsole(hub.url);
    expect((await a.login('admin', 'first-admin-pass-1')).status).toBe(200);
    expect(await kiosk7()).toMatchObject({ online: false, lastSeen: left });
    expect(toldCity()).toEqual(['kiosk-7']);
    // Listed on the terminals page, with a way to remove it; one linked now cannot be, one unknown is said so.
    const page = async () => (await a.request<{ hallToken: { terminal: string; online: boolean; lastSeen: number }[] }>('GET', '/api/terminals')).body.hallToken;
    expect(await page()).toMatchObject([{ terminal: 'kiosk-7', online: false, lastSeen: left }]);
    await connect(hub, { role: 'kiosk', terminal: 'kiosk-8' });
    expect(await a.request('POST', '/api/terminals/hall-token/kiosk-8/remove')).toMatchObject({ status: 409, body: { text: '终端 kiosk-8 现在正连接着主机，不能移除。请先关闭该终端或断开其网络，再移除。未作任何更改。' } });
    expect(await a.request('POST', '/api/terminals/hall-token/kiosk-9/remove')).toMatchObject({ status: 404, body: { text: '使用大厅令牌连接的终端中没有 kiosk-9，可能已被移除。未作任何更改。' } });
    expect((await a.request('POST', '/api/terminals/hall-token/kiosk-7/remove')).status).toBe(200);
    expect(await kiosk7()).toBeUndefined();
    expect(toldCity()).toEqual(['kiosk-8']);
    hub.supervision.review();
    expect((await board()).alerts).toEqual([]);
    // One not heard for HALL_TOKEN_KEPT_DAYS is forgotten.
    for (const t of terminals.splice(0)) t.close();
    await expect.poll(async () => (await board()).terminals.find((t) => t.terminal === 'kiosk-8')?.online, { timeout: 10_000 }).toBe(false);
    now += 30 * 86_400_000;
    expect((await a.login('admin', 'first-admin-pass-1')).status).toBe(200);
    expect((await board()).terminals.map((t) => t.terminal)).toEqual([]);
  }, 60_000);
});
