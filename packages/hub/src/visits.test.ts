import { demoCatalogue } from '@servicehall/fixtures';
import Database from 'better-sqlite3';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { PIN_ATTEMPTS } from './pins';
import { startHub, type RunningHub } from './server';
import { TestTerminal } from './testing/terminal';

const TOKEN = 'hall-token-for-visits';
let hub: RunningHub;
let dir: string;
let now = Date.parse('2026-11-27T09:00:00+08:00');

beforeEach(async () => {
  now = Date.parse('2026-11-27T09:00:00+08:00');
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'servicehall-visits-'));
  hub = await startHub({ dataDir: dir, token: TOKEN, seed: demoCatalogue(), clock: () => now, ratingSweepMs: 20 });
});
afterEach(async () => {
  await hub.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function api<T = any>(method: string, route: string, body?: unknown): Promise<{ status: number; body: T }> {
  const res = await fetch(hub.url + route, {
    method,
    headers: { authorization: `Bearer ${TOKEN}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as T };
}

let livePath = '';

/** Window 7 signed in by clerk 1011, serving a ticket for 企业设立登记. */
async function serving(): Promise<string> {
  expect((await api('PUT', '/api/clerks/1011/pin', { pin: '246810' })).status).toBe(200);
  expect((await api('POST', '/api/windows/7/sign-in', { clerk: '1011', pin: '246810' })).status).toBe(200);
  const t = await api('POST', '/api/tickets', { serviceCode: 'SJ-QY-SL' });
  livePath = t.body.link;
  await api('POST', '/api/windows/7/call-next');
  await api('POST', '/api/windows/7/start');
  return t.body.ticket.id;
}

describe('signing in with a PIN (H-18)', () => {
  const signIn = (window: number, clerk: string, pin: string) => api('POST', `/api/windows/${window}/sign-in`, { clerk, pin });

  it('keeps only a salted hash, refuses wrong PINs and locks the clerk after repeated failures, until a supervisor unlocks', async () => {
    await api('PUT', '/api/clerks/1001/pin', { pin: '135790' });
    const db = new Database(path.join(dir, 'hall.db'), { readonly: true });
    const row = db.prepare('SELECT * FROM clerk_pins WHERE clerk = ?').get('1001') as { hash: string; salt: string };
    db.close();
    expect(JSON.stringify(row)).not.toContain('135790');
    expect(row.hash).toMatch(/^[0-9a-f]{64}$/);

    // Wrong PINs a minute apart (so that the sender's own back-off never holds it up), all against clerk 1001.
    for (let i = 1; i < PIN_ATTEMPTS; i++) {
      expect(await signIn(1, '1001', '000000')).toMatchObject({ status: 401, body: { code: 'unauthorised' } });
      now += 60_000;
    }
    expect(await signIn(1, '1001', '000000')).toMatchObject({ status: 409, body: { code: 'locked' } });
    const lockedUntil = now + 5 * 60_000;
    now += 60_000;
    // Locked: even the right PIN waits.
    expect(await signIn(1, '1001', '135790')).toMatchObject({ body: { code: 'locked', text: expect.stringContaining('锁定') } });
    expect((await api('GET', '/api/sign-in-locks')).body.clerks).toEqual([{ clerk: '1001', failures: 0, lockedUntil }]);
    expect((await api('POST', '/api/clerks/1001/unlock')).status).toBe(200);
    expect(await signIn(1, '1001', '135790')).toMatchObject({ status: 200 });
    expect(hub.store.view.windows.get(1)).toMatchObject({ open: true, clerk: '1001' });
    expect((await api('POST', '/api/clerks/9999/unlock')).status).toBe(404);
  });

  it('slows a window that guesses down before it can lock a clerk, so that one window cannot lock every clerk out', async () => {
    const clerks = hub.store.view.catalogue.clerks.map((c) => c.number);
    expect(clerks).toHaveLength(18);
    for (const c of clerks) await hub.store.pins.set(c, '135790');
    const window3 = await TestTerminal.connect(hub.wsUrl, { role: 'window', terminal: 'window-3', window: 3, token: TOKEN });
    const codes = new Map<string, number>();
    // Window 3 guesses every ten seconds of the hall's time for an hour, spreading its guesses over all 18 clerks.
    for (let attempt = 0; attempt < 360; attempt++) {
      const a = await window3.command({ type: 'signIn', window: 3, clerk: clerks[attempt % clerks.length]!, pin: String(100000 + attempt) });
      const code = a.ok ? 'ok' : a.code;
      codes.set(code, (codes.get(code) ?? 0) + 1);
      now += 10_000;
    }
    const locked = hub.store.pins.locks(now).clerks.filter((l) => l.lockedUntil);
    // Without the window's back-off all 18 were locked within seconds; now at most a few in an hour.
    expect(locked.length).toBeLessThanOrEqual(4);
    expect(codes.get('sign-in-paused')).toBeGreaterThan(300);
    expect(await window3.command({ type: 'signIn', window: 3, clerk: '1018', pin: '135790' })).toMatchObject({ ok: false, code: 'sign-in-paused' });
    // Another window is not held up by window 3's guesses, and a supervisor can let window 3 go on.
    const window4 = await TestTerminal.connect(hub.wsUrl, { role: 'window', terminal: 'window-4', window: 4, token: TOKEN });
    expect(await window4.command({ type: 'signIn', window: 4, clerk: '1017', pin: '135790' })).toMatchObject({ ok: true });
    expect((await api('GET', '/api/sign-in-locks')).body.sources).toContainEqual({ source: 'window 3', failures: expect.any(Number), waitUntil: expect.any(Number) });
    expect((await api('POST', '/api/windows/3/sign-in/unlock')).status).toBe(200);
    expect(await window3.command({ type: 'signIn', window: 3, clerk: '1018', pin: '135790' })).toMatchObject({ ok: true });
    window3.close();
    window4.close();
  });

  it('checks a PIN off the event loop: other work goes on while the hash is computed', async () => {
    await hub.store.pins.set('1001', '135790');
    const order: string[] = [];
    setImmediate(() => order.push('the event loop turned'));
    await hub.store.pins.check('1001', '135790', now, 'window 1').then((r) => order.push(`checked: ${r.ok}`));
    expect(order).toEqual(['the event loop turned', 'checked: true']);
  });
});

describe('personal data (H-19)', () => {
  it('stays out of events, is masked in the case, and is read in full only through a logged request', async () => {
    await serving();
    const res = await api('POST', '/api/windows/7/outcome', { serviceCode: 'SJ-QY-SL', outcome: 'accepted', applicant: { name: '王小明', idNumber: '330106198801011234' } });
    expect(res.status).toBe(200);
    const events = await api('GET', '/api/events?since=0&limit=5000');
    expect(JSON.stringify(events.body)).not.toContain('小明');
    expect(JSON.stringify(events.body)).not.toContain('330106198801011234');
    const number = hub.store.view.cases.values().next().value!.number;
    expect((await api('GET', `/api/cases/${number}`)).body).toMatchObject({ state: 'accepted', applicant: { name: '王**', idNumber: '3301**********1234' } });
    expect((await api('GET', `/api/cases/${number}/applicant`)).status).toBe(400);
    // The purpose is one of a short list; free text goes in the note, one bounded line.
    expect((await api('GET', `/api/cases/${number}/applicant?purpose=${encodeURIComponent('结果送达')}`)).status).toBe(400);
    expect((await api('GET', `/api/cases/${number}/applicant?purpose=delivery&note=${'长'.repeat(201)}`)).status).toBe(400);
    expect((await api('GET', `/api/cases/${number}/applicant?purpose=delivery&note=${encodeURIComponent('窗口送达')}&who=${encodeURIComponent('随便谁')}`)).body).toMatchObject({
      name: '王小明',
      idNumber: '330106198801011234',
    });
    // Who read it is the identity the hub saw (the token and its address), never what the caller claims.
    const log = await api('GET', `/api/personal-data-access?case=${number}`);
    expect(log.body.records).toEqual([{ at: now, who: 'hall token from 127.0.0.1', caseNumber: number, purpose: 'delivery', note: '窗口送达' }]);
    expect(JSON.stringify(log.body)).not.toContain('随便谁');
    expect((await api('GET', '/api/personal-data-access')).body.records).toHaveLength(1);
  });
});

describe('ratings through the hub', () => {
  it('gives an unrated service the default level once its time is up, once', async () => {
    const ticketId = await serving();
    await api('POST', '/api/windows/7/finish');
    now += 11 * 60_000;
    await expect.poll(() => hub.store.view.ratings.get(ticketId)?.length ?? 0).toBe(1);
    await new Promise((r) => setTimeout(r, 80));
    expect(hub.store.view.ratings.get(ticketId)).toHaveLength(1);
    expect(hub.store.view.ratings.get(ticketId)![0]).toMatchObject({ isDefault: true, level: 'satisfied' });
    const exported = await api('GET', '/api/ratings?target=provincial-reversed');
    expect(exported.body.ratings[0]).toMatchObject({ level: 4, isDefault: true, window: '7', clerk: '1011' });
  });

  it('waits with the default while the window’s rating pad is off its link (a press made in time may be in its outbox), at most an hour more', async () => {
    const pad = await TestTerminal.connect(hub.wsUrl, { role: 'rating-pad', terminal: 'pad-7', window: 7, token: TOKEN });
    const ticketId = await serving();
    await api('POST', '/api/windows/7/finish');
    // The pad's link drops; the citizen presses 不满意 on it meanwhile (kept in its outbox).
    pad.ws.terminate();
    await new Promise((r) => setTimeout(r, 200));
    now += 11 * 60_000;
    await new Promise((r) => setTimeout(r, 200));
    expect(hub.store.view.ratings.get(ticketId)).toBeUndefined();
    // Back on its link, the pad delivers the citizen's press: that is the rating, not 满意 by default.
    const again = await TestTerminal.connect(hub.wsUrl, { role: 'rating-pad', terminal: 'pad-7', window: 7, token: TOKEN, waiting: 1 });
    await new Promise((r) => setTimeout(r, 200));
    const rated = await again.command({ type: 'rate', ticketId, level: 'dissatisfied', channel: 'window-pad', aspects: {}, reasons: [] } as never);
    expect(rated).toMatchObject({ ok: true });
    again.send({ type: 'ping', t: 1, waiting: 0 });
    expect(hub.store.view.ratings.get(ticketId)).toEqual([expect.objectContaining({ level: 'dissatisfied', isDefault: false })]);

    // A pad gone for good holds the default back an hour at most.
    again.ws.terminate();
    await new Promise((r) => setTimeout(r, 200));
    await api('POST', '/api/windows/7/call-next');
    const second = await serving();
    await api('POST', '/api/windows/7/finish');
    now += 30 * 60_000;
    await new Promise((r) => setTimeout(r, 200));
    expect(hub.store.view.ratings.get(second)).toBeUndefined();
    now += 45 * 60_000;
    await expect.poll(() => hub.store.view.ratings.get(second)?.[0]?.isDefault).toBe(true);
  });

  it("signs a new ticket's reference once: its answer's link resolves at once, and its event finds the reference indexed", async () => {
    const signed = vi.spyOn(hub.store.links, 'ref');
    // The ticket's event, once the hub has told it (the references hear it before this listener).
    const told = new Promise<string>((resolve) =>
      hub.store.onEvents((events) => {
        for (const e of events) if (e.type === 'ticket.issued') resolve(e.ticket.number);
      }),
    );
    const t = await api('POST', '/api/tickets', { serviceCode: 'SJ-QY-SL' });
    const id: string = t.body.ticket.id;
    expect(hub.store.refs.ticket(t.body.link.split('/').at(-1))?.id).toBe(id);
    expect(await told).toBe(t.body.ticket.number);
    expect(signed.mock.calls.filter(([kind, of]) => kind === 'ticket' && of === id)).toHaveLength(1);
  });

  it('serves the progress page of the link the hub signed, and refuses a link it did not sign or that expired', async () => {
    const ticketId = await serving();
    // The ticket's QR code opens the phone's live page, by an opaque reference the hub made.
    expect(livePath).toMatch(/^\/m\/t\/[\w-]{22}$/);
    expect(hub.store.refs.ticket(livePath.split('/').at(-1)!)?.id).toBe(ticketId);
    // The older progress page still answers a link the hub signed (tickets printed before the live page).
    const progressPath = hub.store.links.path('q', ticketId, now + 2 * 86_400_000);
    const progress = await fetch(hub.url + progressPath);
    expect(progress.status).toBe(200);
    const html = await progress.text();
    expect(html).toContain('E001');
    expect(html).toContain('正在办理');
    // It leads to the phone's live page.
    expect(html).toContain(`href="${livePath}"`);
    const english = await (await fetch(hub.url + progressPath, { headers: { 'accept-language': 'en-GB,en;q=0.9' } })).text();
    expect(english).toContain('Being served');
    expect(english).toContain('<html lang="en">');
    const e = new URL(hub.url + progressPath).searchParams.get('e')!;
    const s = new URL(hub.url + progressPath).searchParams.get('s')!;
    expect((await fetch(`${hub.url}/q/${ticketId}?s=forged`)).status).toBe(403);
    // The signature covers the ticket and the expiry: neither can be changed.
    expect((await fetch(`${hub.url}/q/${ticketId.replace('E001', 'E002')}?e=${e}&s=${s}`)).status).toBe(403);
    expect((await fetch(`${hub.url}/q/${ticketId}?e=${(parseInt(e, 36) + 86_400).toString(36)}&s=${s}`)).status).toBe(403);
    expect((await fetch(`${hub.url}/rate/${ticketId}?e=${e}&s=${s}`)).status).toBe(403);
    now += 3 * 86_400_000;
    const expired = await fetch(hub.url + progressPath);
    expect(expired.status).toBe(410);
    expect(await expired.text()).toContain('已过有效期');
  });

  it('takes one rating through a rating link: a second press of the form is answered as the first, another rating is refused', async () => {
    const ticketId = await serving();
    await api('POST', '/api/windows/7/finish');
    const link = hub.store.ratingLinkFor({ role: 'admin', terminal: 'test' }, ticketId);
    if (!link.ok) throw new Error(link.message);
    const form = await fetch(hub.url + link.link);
    expect(await form.text()).toContain('非常满意');
    const post = (level: string) =>
      fetch(hub.url + link.link, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `level=${level}&text=${encodeURIComponent('等得有点久')}` });
    expect((await post('dissatisfied')).status).toBe(200);
    expect(hub.store.view.ratings.get(ticketId)![0]).toMatchObject({ channel: 'qr', count: 1, level: 'dissatisfied', text: '等得有点久' });
    expect((await post('dissatisfied')).status).toBe(200);
    const other = await post('satisfied');
    expect(other.status).toBe(409);
    expect(await other.text()).toContain('已用于评价');
    expect(await (await fetch(hub.url + link.link)).text()).toContain('已用于评价');
    expect(hub.store.view.ratings.get(ticketId)).toHaveLength(1);
    const followUps = await api('GET', '/api/follow-ups');
    expect(followUps.body.followUps).toHaveLength(1);
    const id = followUps.body.followUps[0].id;
    expect((await api('POST', `/api/follow-ups/${id}/advance`, { step: 'verify', note: '已核实：当日等候超过40分钟' })).status).toBe(200);
    expect((await api('POST', `/api/follow-ups/${id}/advance`, { step: 'reply', note: '越级' })).body).toMatchObject({ code: 'illegal-transition' });
  });

  it('lets a rating link give the second rating after the first was given at the counter', async () => {
    const ticketId = await serving();
    await api('POST', '/api/windows/7/finish');
    const link = hub.store.ratingLinkFor({ role: 'admin', terminal: 'test' }, ticketId);
    if (!link.ok) throw new Error(link.message);
    expect((await api('POST', '/api/ratings', { ticketId, level: 'satisfied', aspects: {} })).status).toBe(201);
    const second = await fetch(hub.url + link.link, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'level=very-satisfied' });
    expect(second.status).toBe(200);
    expect(hub.store.view.ratings.get(ticketId)!.map((r) => r.count)).toEqual([1, 2]);
  });
});

describe('a new hall day', () => {
  it('opens by itself after midnight: yesterday’s queue leaves every screen, numbers start again', async () => {
    await api('POST', '/api/tickets', { serviceCode: 'GA-CS-DJ' });
    expect(hub.store.view.tickets.size).toBe(1);
    now = Date.parse('2026-11-28T00:00:30+08:00');
    await expect.poll(() => hub.store.view.day).toBe('2026-11-28');
    expect(hub.store.view.tickets.size).toBe(0);
    now = Date.parse('2026-11-28T09:00:00+08:00');
    const t = await api('POST', '/api/tickets', { serviceCode: 'GA-CS-DJ' });
    expect(t.body).toMatchObject({ number: 'A001', ticket: { id: '2026-11-28-A001' } });
  });
});

describe('a restart of the hub', () => {
  it('loads from its tables exactly the view its event log folded to', async () => {
    const { toSnapshot } = await import('@servicehall/core');
    // Yesterday (a hall that starts on the 26th): a correction case left open, an appointment booked for today.
    await hub.close();
    fs.rmSync(dir, { recursive: true, force: true });
    now = Date.parse('2026-11-26T10:00:00+08:00');
    hub = await startHub({ dataDir: dir, token: TOKEN, seed: demoCatalogue(), clock: () => now, ratingSweepMs: 60_000 });
    await serving();
    const yesterday = await api('POST', '/api/windows/7/outcome', { serviceCode: 'SJ-QY-SL', outcome: 'correction', materials: ['m2'] });
    expect(yesterday.status).toBe(200);
    const caseNumber = [...hub.store.view.cases.keys()][0]!;
    await api('POST', '/api/windows/7/finish');
    await api('POST', '/api/appointments', { code: 'YY9', serviceCode: 'GA-CS-DJ', slotStart: Date.parse('2026-11-27T10:00:00+08:00'), slotEnd: Date.parse('2026-11-27T10:30:00+08:00') });
    // Today: the case comes back and is accepted, an appointment checks in, its print fails, it checks in again,
    // a bad rating opens a follow-up, a terminal reports its devices.
    now = Date.parse('2026-11-27T09:00:00+08:00');
    await api('POST', '/api/tickets', { serviceCode: 'SJ-QY-SL' });
    // The hall day's end closed window 7: its clerk signs in again.
    expect((await api('POST', '/api/windows/7/sign-in', { clerk: '1011', pin: '246810' })).status).toBe(200);
    await api('POST', '/api/windows/7/call-next');
    await api('POST', '/api/windows/7/start');
    expect((await api('POST', '/api/windows/7/outcome', { serviceCode: 'SJ-QY-SL', outcome: 'accepted', caseNumber })).status).toBe(200);
    const checkIn = await api('POST', '/api/appointments/YY9/check-in');
    await api('POST', `/api/tickets/${checkIn.body.ticket.id}/void`, { reason: '打印失败' });
    expect((await api('POST', '/api/appointments/YY9/check-in')).status).toBe(201);
    await api('POST', '/api/windows/7/finish');
    await api('POST', '/api/ratings', { ticketId: hub.store.view.ratingRequests.keys().next().value, level: 'very-dissatisfied' });
    const live = toSnapshot(hub.store.view);
    expect(live.followUps).toHaveLength(1);
    expect(caseNumber).toMatch(/^SL20261126/);
    expect(live.cases.find((c) => c.number === caseNumber)).toMatchObject({ state: 'accepted' });

    await hub.close();
    hub = await startHub({ dataDir: dir, token: TOKEN, seed: demoCatalogue(), clock: () => now, ratingSweepMs: 60_000 });
    const loaded = toSnapshot(hub.store.view);
    const sorted = <T>(list: T[], key: (x: T) => string) => [...list].sort((a, b) => key(a).localeCompare(key(b)));
    const essence = (s: typeof live) => ({
      ...s,
      tickets: sorted(s.tickets, (t) => t.id),
      windows: sorted(s.windows, (w) => String(w.number).padStart(3, '0')),
      cases: sorted(s.cases, (c) => c.number),
      appointments: sorted(s.appointments, (a) => a.code),
      ratingRequests: sorted(s.ratingRequests, (r) => r.ticketId),
      ratings: sorted(s.ratings, (r) => r.id),
      followUps: sorted(s.followUps, (f) => f.id),
      devices: sorted(s.devices, (d) => d.terminal),
    });
    expect(essence(loaded)).toEqual(essence(live));
  });
});

describe('a rating at the counter', () => {
  it('keeps the level pressed, and the reasons added after it in the same record, across a restart', async () => {
    const ticketId = await serving();
    await api('POST', '/api/windows/7/finish');
    const pad = { role: 'rating-pad', terminal: 'rating-pad-7', window: 7 } as const;
    expect(hub.store.execute({ id: 'pad-7-rate-0001', type: 'rate', ticketId, level: 'dissatisfied', aspects: {}, reasons: [], channel: 'window-pad' }, pad).answer).toMatchObject({ ok: true });
    expect(hub.store.ratingsOn('2026-11-27')).toEqual([expect.objectContaining({ ticketId, level: 'dissatisfied', reasons: [] })]);
    now += 30_000;
    expect(hub.store.execute({ id: 'pad-7-amend-0001', type: 'amendRating', ticketId, aspects: {}, reasons: ['等候时间长'], text: '等了很久' }, pad).answer).toMatchObject({ ok: true });
    const amended = expect.objectContaining({ ticketId, level: 'dissatisfied', reasons: ['等候时间长'], text: '等了很久', amendedAt: now, count: 1 });
    expect(hub.store.ratingsOn('2026-11-27')).toEqual([amended]);
    await hub.close();
    hub = await startHub({ dataDir: dir, token: TOKEN, seed: demoCatalogue(), clock: () => now, ratingSweepMs: 60_000 });
    expect(hub.store.view.ratings.get(ticketId)).toEqual([amended]);
  });
});

describe('a later second rating (N-01)', () => {
  it('is taken by QR on a later day within the hall’s days for it, and not after', async () => {
    const ticketId = await serving();
    await api('POST', '/api/windows/7/finish');
    await api('POST', '/api/ratings', { ticketId, level: 'satisfied' });
    now = Date.parse('2026-11-30T10:00:00+08:00');
    const second = await api('POST', '/api/ratings', { ticketId, level: 'dissatisfied', text: '回家后发现材料被退回' });
    expect(second.status).toBe(201);
    expect(hub.store.ratingsOn('2026-11-30')).toEqual([expect.objectContaining({ ticketId, count: 2, level: 'dissatisfied', channel: 'qr' })]);
    expect((await api('POST', '/api/ratings', { ticketId, level: 'satisfied' })).body).toMatchObject({ code: 'already-rated' });
  });

  it('is refused past the days the hall takes it in', async () => {
    const ticketId = await serving();
    await api('POST', '/api/windows/7/finish');
    await api('POST', '/api/ratings', { ticketId, level: 'satisfied' });
    now = Date.parse('2026-12-20T10:00:00+08:00');
    expect((await api('POST', '/api/ratings', { ticketId, level: 'satisfied' })).body).toMatchObject({ code: 'conflict', message: expect.stringContaining('15 days') });
  });
});
