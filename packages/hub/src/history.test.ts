import { toSnapshot, type HallEvent } from '@servicehall/core';
import { demoCatalogue } from '@servicehall/fixtures';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { idsOfDay, openDatabase } from './db';
import { httpScope } from './http';
import { PRUNE_LOOKUP } from './retention';
import { startHub, type RunningHub } from './server';
import { LOOKUPS } from './store';
import { TestTerminal } from './testing/terminal';
import { generateHistory } from './testing/year';

// A hall that has run for a while costs what a new one does: today's view, today's snapshot,
// indexed lookups, answers kept for a window, cases that lapse.

const TOKEN = 'hall-token-for-history';
const DAY = 86_400_000;
const hubs: RunningHub[] = [];
const dirs: string[] = [];
const open: TestTerminal[] = [];

function folder(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'servicehall-history-'));
  dirs.push(dir);
  return dir;
}

afterEach(async () => {
  for (const t of open.splice(0)) t.close();
  for (const h of hubs.splice(0)) await h.close();
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

async function hall(dataDir: string, clock: () => number, sweepMs = 60_000): Promise<RunningHub> {
  const hub = await startHub({ dataDir, token: TOKEN, seed: demoCatalogue({ allDay: true }), clock, ratingSweepMs: sweepMs });
  hubs.push(hub);
  return hub;
}

async function terminal(hub: RunningHub, hello: Parameters<typeof TestTerminal.connect>[1]): Promise<TestTerminal> {
  const t = await TestTerminal.connect(hub.wsUrl, hello);
  open.push(t);
  return t;
}

function api(hub: RunningHub) {
  return async (method: string, route: string, body?: unknown): Promise<{ status: number; body: any }> => {
    const res = await fetch(hub.url + route, {
      method,
      headers: { authorization: `Bearer ${TOKEN}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: await res.json() };
  };
}

async function until(check: () => boolean | Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`waited in vain for ${what}`);
}

describe('a snapshot without history', () => {
  it('is, on a hall with days of history, what an empty hall sends on the same day (and the hub opens the day before it serves)', async () => {
    const old = folder();
    generateHistory({ dataDir: old, days: 4, ticketsPerDay: 300, lastDay: '2026-11-27', catalogue: demoCatalogue({ allDay: true }) });
    const monday = Date.parse('2026-11-30T08:00:00+08:00');
    const year = await hall(old, () => monday);
    const empty = await hall(folder(), () => monday);
    const a = (await terminal(year, { role: 'display', terminal: 'new-screen', token: TOKEN })).snapshot!;
    const b = (await terminal(empty, { role: 'display', terminal: 'new-screen', token: TOKEN })).snapshot!;
    expect(a.seq).toBeGreaterThan(1000);
    expect(a).toMatchObject({ day: '2026-11-30', tickets: [], cases: [], ratings: [], ratingRequests: [], followUps: [], appointments: [] });
    // Only the recent service times, which the expected waits of today need, come from before.
    // The alerts are the old hall's conditions that still stand (a window left paused since Friday), which an empty hall has none of.
    const today = (s: typeof a) => ({ ...s, seq: 0, serviceTimes: {}, alerts: [] });
    expect(today(a)).toEqual(today(b));
    expect(Object.keys(a.serviceTimes).length).toBeGreaterThan(0);
  });
});

describe('a correction case', () => {
  it('gets a deadline on its notice, can be continued before it, and lapses after it: queryable, out of the view, refused if brought back', async () => {
    let now = Date.parse('2026-11-27T09:00:00+08:00');
    const hub = await hall(folder(), () => now, 20);
    const call = api(hub);
    // The clerk opens the window each day: the hall day's end closes it.
    const serve = async () => {
      await call('POST', '/api/windows/7/open', { clerk: '1011' });
      await call('POST', '/api/tickets', { serviceCode: 'SJ-QY-SL' });
      await call('POST', '/api/windows/7/call-next');
      await call('POST', '/api/windows/7/start');
    };
    await serve();
    expect((await call('POST', '/api/windows/7/outcome', { serviceCode: 'SJ-QY-SL', outcome: 'correction', materials: ['m2'] })).status).toBe(200);
    await call('POST', '/api/windows/7/finish');
    const number = [...hub.store.view.cases.keys()][0]!;
    // Ten working days from Friday 11-27: Friday 12-11.
    expect((await call('GET', `/api/cases/${number}`)).body.notices[0]).toMatchObject({ materials: ['m2'], deadline: '2026-12-11' });

    now = Date.parse('2026-12-14T09:00:00+08:00');
    await until(() => hub.store.view.day === '2026-12-14', 'the new day');
    await until(async () => (await call('GET', `/api/cases/${number}`)).body.state === 'lapsed', 'the case to lapse');
    const events = hub.store.eventsSince(0, 100_000);
    expect(events.filter((e) => e.type === 'case.lapsed')).toEqual([expect.objectContaining({ number, deadline: '2026-12-11' })]);
    expect(hub.store.view.cases.has(number)).toBe(false);
    const screen = await terminal(hub, { role: 'display', terminal: 'late-screen', token: TOKEN });
    expect(screen.snapshot!.cases).toEqual([]);

    await serve();
    const back = await call('POST', '/api/windows/7/outcome', { serviceCode: 'SJ-QY-SL', outcome: 'accepted', caseNumber: number });
    expect(back).toMatchObject({ status: 409, body: { code: 'case-lapsed', text: expect.stringContaining('补正期限已过') } });
  });
});

describe('an outcome amended in its visit', () => {
  it('is kept whole in the records: on a later day the case is read from them with its amendments, continued before its deadline', async () => {
    let now = Date.parse('2026-11-27T09:00:00+08:00');
    const dir = folder();
    const hub = await hall(dir, () => now, 20);
    const call = api(hub);
    // The clerk opens the window each day: the hall day's end closes it.
    const serve = async () => {
      await call('POST', '/api/windows/7/open', { clerk: '1011' });
      await call('POST', '/api/tickets', { serviceCode: 'SJ-QY-SL' });
      await call('POST', '/api/windows/7/call-next');
      await call('POST', '/api/windows/7/start');
    };
    await serve();
    expect((await call('POST', '/api/windows/7/outcome', { serviceCode: 'SJ-QY-SL', outcome: 'accepted' })).status).toBe(200);
    const number = [...hub.store.view.cases.keys()][0]!;
    const amended = await call('POST', '/api/windows/7/outcome/amend', { caseNumber: number, outcome: 'correction', materials: ['m2'], amendReason: '核对后发现缺少材料' });
    expect(amended.status).toBe(200);
    await call('POST', '/api/windows/7/finish');
    // The amendment's event carries the case whole; the new case's, only what the outcome decided.
    const events = hub.store.eventsSince(0, 1000).filter((e) => e.type === 'case.recorded' || e.type === 'case.amended');
    expect(events.map((e) => [e.type, 'state' in e.case])).toEqual([
      ['case.recorded', false],
      ['case.amended', true],
    ]);

    // Monday: the view holds none of Friday's cases; the records have it as amended, with its deadline.
    now = Date.parse('2026-11-30T09:00:00+08:00');
    await until(() => hub.store.view.day === '2026-11-30', 'the new day');
    expect(hub.store.view.cases.has(number)).toBe(false);
    const kept = (await call('GET', `/api/cases/${number}`)).body;
    expect(kept).toMatchObject({ number, state: 'correction', outcome: 'correction', notices: [{ materials: ['m2'], deadline: '2026-12-11' }] });
    expect(kept.amendments).toEqual([{ at: Date.parse('2026-11-27T09:00:00+08:00'), clerk: '1011', from: 'accepted', to: 'correction', reason: '核对后发现缺少材料' }]);
    expect(kept.acceptedOn).toBeUndefined();
    await serve();
    expect((await call('POST', '/api/windows/7/outcome', { serviceCode: 'SJ-QY-SL', outcome: 'accepted', caseNumber: number })).status).toBe(200);
    expect(hub.store.view.cases.get(number)).toMatchObject({ state: 'accepted', outcome: 'accepted', acceptedOn: '2026-11-30', amendments: [expect.objectContaining({ to: 'correction' })] });
    const today = hub.store.view.cases.get(number);
    // After a restart the hub loads today's cases from its tables: the same case, amendments and all.
    await hubs.pop()!.close();
    const again = await hall(dir, () => now, 20);
    expect(again.store.view.cases.get(number)).toEqual(today);
  });
});

describe('a command id', () => {
  it('made before the window answers are kept for is refused with its own code, and not run', async () => {
    let now = Date.parse('2026-11-27T09:00:00+08:00');
    const hub = await hall(folder(), () => now, 20);
    const kiosk = await terminal(hub, { role: 'kiosk', terminal: 'kiosk-1', token: TOKEN });
    const issue = { type: 'issueTicket', serviceCode: 'GA-SFZ-HL', lane: 'ordinary' } as const;

    expect(await kiosk.command({ ...issue, madeAt: now - 8 * DAY } as never, 'kiosk-1-press-old')).toMatchObject({ ok: false, code: 'command-expired' });
    expect(hub.store.view.tickets.size).toBe(0);

    const first = await kiosk.command({ ...issue, madeAt: now } as never, 'kiosk-1-press-0001');
    expect(first).toMatchObject({ ok: true, ticket: { number: 'A001' } });
    // A retry within the window: the first answer, its ticket as it stands.
    expect(await kiosk.command({ ...issue, madeAt: now } as never, 'kiosk-1-press-0001')).toEqual(first);

    now += 8 * DAY;
    await until(() => hub.store.answerOf('kiosk-1', 'kiosk-1-press-0001') === undefined, 'the old answer to be pruned');
    expect(await kiosk.command({ ...issue, madeAt: now - 8 * DAY } as never, 'kiosk-1-press-0001')).toMatchObject({ ok: false, code: 'command-expired' });
    expect(hub.store.eventsSince(0, 1000).filter((e) => e.type === 'ticket.issued')).toHaveLength(1);
  });

  it('made by a terminal whose clock runs days ahead is refused with its own code; one made hours ahead keeps its answer until a retry would be refused as expired, never run twice', async () => {
    let now = Date.parse('2026-11-27T09:00:00+08:00');
    const hub = await hall(folder(), () => now, 60_000);
    const kiosk = await terminal(hub, { role: 'kiosk', terminal: 'kiosk-1', token: TOKEN });
    const issue = { type: 'issueTicket', serviceCode: 'GA-SFZ-HL', lane: 'ordinary' } as const;
    const issued = () => hub.store.eventsSince(0, 1000).filter((e) => e.type === 'ticket.issued').length;

    // Ten days ahead: the terminal's clock is wrong; kept, its answer would be pruned while a retry of it still looked new.
    expect(await kiosk.command({ ...issue, madeAt: now + 10 * DAY } as never, 'kiosk-1-press-ahead')).toMatchObject({ ok: false, code: 'clock-ahead' });
    expect(issued()).toBe(0);

    const soon = now + 11 * 3_600_000;
    const first = await kiosk.command({ ...issue, madeAt: soon } as never, 'kiosk-1-press-soon');
    expect(first).toMatchObject({ ok: true, ticket: { number: 'A001' } });
    // A week and a day of hours on (its answer's time plus 7 days has passed, its made time plus 7 days has not): the retry of an outbox kept across a holiday.
    now += 7 * DAY + 11 * 3_600_000 - 60_000;
    hub.store.pruneAnswers();
    expect(await kiosk.command({ ...issue, madeAt: soon } as never, 'kiosk-1-press-soon')).toMatchObject({ ok: true, ticket: { number: 'A001' } });
    // Its answer goes only once a retry of it is refused as expired.
    now += 3_600_000 + 2 * 60_000;
    hub.store.pruneAnswers();
    expect(hub.store.answerOf('kiosk-1', 'kiosk-1-press-soon')).toBeUndefined();
    expect(await kiosk.command({ ...issue, madeAt: soon } as never, 'kiosk-1-press-soon')).toMatchObject({ ok: false, code: 'command-expired' });
    expect(issued()).toBe(1);
  });

  it('over HTTP says when it was made with X-Made-At: a retry after its answer was pruned is refused, not run', async () => {
    let now = Date.parse('2026-11-27T09:00:00+08:00');
    const hub = await hall(folder(), () => now, 20);
    const made = new Date(now).toISOString();
    const post = (headers: Record<string, string>) =>
      fetch(`${hub.url}/api/tickets`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json', ...headers }, body: JSON.stringify({ serviceCode: 'GA-CS-DJ' }) });
    const first = await post({ 'idempotency-key': 'integration-7-ticket', 'x-made-at': made });
    expect(first.status).toBe(201);
    now += 8 * DAY;
    await until(() => hub.store.answerOf(httpScope(TOKEN), 'integration-7-ticket') === undefined, 'the old answer to be pruned');
    const again = await post({ 'idempotency-key': 'integration-7-ticket', 'x-made-at': made });
    expect(again.status).toBe(409);
    expect(await again.json()).toMatchObject({ code: 'command-expired', text: expect.stringContaining('避免重复办理') });
    expect(hub.store.view.tickets.size).toBe(0);
    expect((await post({ 'idempotency-key': 'integration-7-other', 'x-made-at': 'yesterday' })).status).toBe(400);
  });

  it('is its sender’s own, kept 7 days: a retry gets the first answer, another body under it is refused, another terminal’s is another command', async () => {
    let now = Date.parse('2026-11-27T09:00:00+08:00');
    const hub = await hall(folder(), () => now, 20);
    const kiosk1 = await terminal(hub, { role: 'kiosk', terminal: 'kiosk-1', token: TOKEN });
    const kiosk2 = await terminal(hub, { role: 'kiosk', terminal: 'kiosk-2', token: TOKEN });
    const issue = { type: 'issueTicket', serviceCode: 'GA-SFZ-HL', lane: 'ordinary' } as const;
    const first = await kiosk1.command({ ...issue, madeAt: now } as never, 'press-0001');
    expect(first).toMatchObject({ ok: true, ticket: { number: 'A001' }, link: hub.store.links.livePath('2026-11-27-A001') });
    // Retried a second later (made again: another madeAt): the first answer, kept in its slim form, the ticket and its link as given.
    now += 1000;
    expect(await kiosk1.command({ ...issue, madeAt: now } as never, 'press-0001')).toEqual(first);
    // The same id for a different command: refused, nothing done.
    expect(await kiosk1.command({ ...issue, serviceCode: 'GA-CS-DJ', madeAt: now } as never, 'press-0001')).toMatchObject({ ok: false, code: 'id-reused' });
    // Another terminal's ids are its own.
    expect(await kiosk2.command({ ...issue, madeAt: now } as never, 'press-0001')).toMatchObject({ ok: true, ticket: { number: 'A002' } });
    // Events name the id their sender chose, not the scope it is kept under.
    const issued = hub.store.eventsSince(0, 1000).filter((e) => e.type === 'ticket.issued');
    expect(issued.map((e) => e.commandId)).toEqual(['press-0001', 'press-0001']);

    // Over HTTP: the key is scoped by the token; a retry with or without X-Made-At gets the first answer.
    const post = (key: string, body: object, headers: Record<string, string> = {}) =>
      fetch(`${hub.url}/api/tickets`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json', 'idempotency-key': key, ...headers }, body: JSON.stringify(body) });
    const viaHttp = await post('press-0001', { serviceCode: 'GA-SFZ-HL' }, { 'x-made-at': new Date(now).toISOString() });
    expect(viaHttp.status).toBe(201);
    const made = (await viaHttp.json()) as { number: string };
    expect(made.number).toBe('A003');
    const retried = await post('press-0001', { serviceCode: 'GA-SFZ-HL' });
    expect([retried.status, ((await retried.json()) as { number: string }).number]).toEqual([201, 'A003']);
    const reused = await post('press-0001', { serviceCode: 'GA-CS-DJ' });
    expect([reused.status, ((await reused.json()) as { code: string }).code]).toEqual([409, 'id-reused']);

    // Eight days on the answers are gone: the old command is refused with its own code, not run again.
    now += 8 * DAY;
    await until(() => hub.store.answerOf('kiosk-1', 'press-0001') === undefined, 'the old answer to be pruned');
    expect(await kiosk1.command({ ...issue, madeAt: now - 8 * DAY } as never, 'press-0001')).toMatchObject({ ok: false, code: 'command-expired' });
    expect(hub.store.eventsSince(0, 1000).filter((e) => e.type === 'ticket.issued')).toHaveLength(3);
  });

  it('names its events while its answer is kept, and no longer once it is pruned', async () => {
    let now = Date.parse('2026-11-27T09:00:00+08:00');
    const hub = await hall(folder(), () => now, 20);
    const kiosk = await terminal(hub, { role: 'kiosk', terminal: 'kiosk-1', token: TOKEN });
    // The answer's sequence number is its last event's.
    const eventOf = (a: Awaited<ReturnType<typeof kiosk.command>>): HallEvent => hub.store.eventsSince((a.ok ? a.seq : 0) - 1, 1)[0]!;
    const old = await kiosk.command({ type: 'issueTicket', serviceCode: 'GA-SFZ-HL', lane: 'ordinary' }, 'kiosk-1-press-a');
    expect(eventOf(old)).toMatchObject({ type: 'ticket.issued', commandId: 'kiosk-1-press-a' });
    now += 8 * DAY;
    const fresh = await kiosk.command({ type: 'issueTicket', serviceCode: 'GA-SFZ-HL', lane: 'ordinary' }, 'kiosk-1-press-b');
    await until(() => hub.store.answerOf('kiosk-1', 'kiosk-1-press-a') === undefined, 'the old answer to be pruned');
    expect(eventOf(old).type).toBe('ticket.issued');
    expect(eventOf(old).commandId).toBeUndefined();
    expect(eventOf(fresh)).toMatchObject({ type: 'ticket.issued', commandId: 'kiosk-1-press-b' });
  });
});

describe('the lookups that must not grow with history', () => {
  it.each([...Object.entries(LOOKUPS), ['pruneAnswers', PRUNE_LOOKUP]])('%s is served by an index (EXPLAIN QUERY PLAN)', (_, sql) => {
    const db = openDatabase(folder());
    const params = Array.from({ length: (sql.match(/\?/g) ?? []).length }, () => 1);
    const plan = (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as { detail: string }[]).map((p) => p.detail);
    db.close();
    expect(plan.length).toBeGreaterThan(0);
    for (const step of plan) {
      expect(step).toMatch(/^SEARCH /);
      expect(step).not.toMatch(/TEMP B-TREE/);
    }
  });
});

describe('a ticket on the disk', () => {
  it('is kept once, in the tree of its id: no rowid beside it and no second key on (day, number)', () => {
    const db = openDatabase(folder());
    const { sql } = db.prepare<[], { sql: string }>("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'tickets'").get()!;
    expect(sql).toMatch(/WITHOUT ROWID/);
    expect(db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'tickets'").all()).toEqual([]);
    db.close();
  });

  it("a day's tickets are found by the range of their ids, without the day before's or after's", () => {
    const db = openDatabase(folder());
    const put = db.prepare("INSERT INTO tickets (id, day, number, service_code, state, lane, issued_at, seq, body) VALUES (?, ?, ?, 'A', 'waiting', 'ordinary', 0, 1, '{}')");
    for (const day of ['2026-11-26', '2026-11-27', '2026-11-28'])
      for (const number of ['A001', 'Z999', 'a001', '0001', '~99']) put.run(`${day}-${number}`, day, number);
    const ids = db.prepare<[string, string], { id: string }>(LOOKUPS.ticketsOfDay).all(...idsOfDay('2026-11-27')).map((r) => r.id);
    expect(ids.sort()).toEqual(['2026-11-27-0001', '2026-11-27-A001', '2026-11-27-Z999', '2026-11-27-a001', '2026-11-27-~99']);
    db.close();
  });
});

describe('the closed follow-ups', () => {
  it('are listed newest first, a bounded page at a time', async () => {
    const now = Date.parse('2026-11-27T09:00:00+08:00');
    const hub = await hall(folder(), () => now);
    const call = api(hub);
    await call('POST', '/api/windows/1/open', { clerk: '1001' });
    for (let i = 0; i < 3; i++) {
      const t = await call('POST', '/api/tickets', { serviceCode: 'GA-SFZ-HL' });
      for (const step of ['call-next', 'start', 'finish']) await call('POST', `/api/windows/1/${step}`);
      await call('POST', '/api/ratings', { ticketId: t.body.ticket.id, level: 'very-dissatisfied' });
      const id = `FU-${t.body.ticket.id}-1`;
      for (const step of ['verify', 'fix', 'reply', 'revisit']) expect((await call('POST', `/api/follow-ups/${id}/advance`, { step, note: '已办' })).status).toBe(200);
    }
    expect((await call('GET', '/api/follow-ups')).body.followUps).toEqual([]);
    const page = (await call('GET', '/api/follow-ups?closed=1&limit=2')).body;
    expect(page.followUps.map((f: { ticketId: string }) => f.ticketId)).toEqual(['2026-11-27-A003', '2026-11-27-A002']);
    const rest = (await call('GET', `/api/follow-ups?closed=1&limit=2&before=${page.next}`)).body;
    expect(rest.followUps.map((f: { ticketId: string }) => f.ticketId)).toEqual(['2026-11-27-A001']);
    expect(rest.next).toBeUndefined();
    expect((await call('GET', '/api/follow-ups?closed=1&limit=0')).status).toBe(400);
  });
});

describe('a restart on a day with history', () => {
  it('loads only today: its tickets, and the cases recorded on it (some continued from earlier days)', async () => {
    const dir = folder();
    generateHistory({ dataDir: dir, days: 3, ticketsPerDay: 300, lastDay: '2026-11-27', catalogue: demoCatalogue({ allDay: true }) });
    const evening = Date.parse('2026-11-27T21:00:00+08:00');
    const hub = await hall(dir, () => evening);
    const loaded = toSnapshot(hub.store.view);
    expect(loaded.day).toBe('2026-11-27');
    expect(loaded.tickets.length).toBeGreaterThan(200);
    expect(loaded.tickets.every((t) => t.day === '2026-11-27')).toBe(true);
    expect(loaded.cases.length).toBeGreaterThan(100);
    expect(loaded.cases.every((c) => c.ticketId?.startsWith('2026-11-27-'))).toBe(true);
    // Ratings given today: at the counter, or later second ones by QR of earlier days' services.
    expect(loaded.ratings.every((r) => r.at >= Date.parse('2026-11-27T00:00:00+08:00'))).toBe(true);
  });
});
