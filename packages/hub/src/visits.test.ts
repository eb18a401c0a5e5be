import { demoCatalogue } from '@servicehall/fixtures';
import { legacyProgressLink, linkKey, ratingLink, ticketRef } from '@servicehall/protocol/node';
import Database from 'better-sqlite3';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PIN_ATTEMPTS } from './pins';
import { startHub, type RunningHub } from './server';

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

/** Window 7 signed in by clerk 1011, serving a ticket for 企业设立登记. */
async function serving(): Promise<string> {
  expect((await api('PUT', '/api/clerks/1011/pin', { pin: '246810' })).status).toBe(200);
  expect((await api('POST', '/api/windows/7/sign-in', { clerk: '1011', pin: '246810' })).status).toBe(200);
  const t = await api('POST', '/api/tickets', { serviceCode: 'SJ-QY-SL' });
  await api('POST', '/api/windows/7/call-next');
  await api('POST', '/api/windows/7/start');
  return t.body.ticket.id;
}

describe('signing in with a PIN (H-18)', () => {
  it('keeps only a salted hash, refuses wrong PINs and locks the clerk after repeated failures', async () => {
    await api('PUT', '/api/clerks/1001/pin', { pin: '135790' });
    const db = new Database(path.join(dir, 'hall.db'), { readonly: true });
    const row = db.prepare('SELECT * FROM clerk_pins WHERE clerk = ?').get('1001') as { hash: string; salt: string };
    db.close();
    expect(JSON.stringify(row)).not.toContain('135790');
    expect(row.hash).toMatch(/^[0-9a-f]{64}$/);

    for (let i = 1; i < PIN_ATTEMPTS; i++) expect(await api('POST', '/api/windows/1/sign-in', { clerk: '1001', pin: '000000' })).toMatchObject({ status: 401, body: { code: 'unauthorised' } });
    expect(await api('POST', '/api/windows/1/sign-in', { clerk: '1001', pin: '000000' })).toMatchObject({ status: 409, body: { code: 'locked' } });
    // Locked: even the right PIN waits.
    expect(await api('POST', '/api/windows/1/sign-in', { clerk: '1001', pin: '135790' })).toMatchObject({ body: { code: 'locked', text: expect.stringContaining('锁定') } });
    now += 5 * 60_000 + 1;
    expect(await api('POST', '/api/windows/1/sign-in', { clerk: '1001', pin: '135790' })).toMatchObject({ status: 200 });
    expect(hub.store.view.windows.get(1)).toMatchObject({ open: true, clerk: '1001' });
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
    expect((await api('GET', `/api/cases/${number}/applicant?purpose=${encodeURIComponent('结果送达')}&who=1011`)).body).toMatchObject({ name: '王小明', idNumber: '330106198801011234' });
    const db = new Database(path.join(dir, 'hall.db'), { readonly: true });
    expect(db.prepare('SELECT who, case_number, purpose FROM personal_data_access').all()).toEqual([{ who: '1011', case_number: number, purpose: '结果送达' }]);
    db.close();
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

  it('serves the signed progress and rating pages of a ticket, and refuses unsigned ones', async () => {
    const ticketId = await serving();
    const progress = await fetch(legacyProgressLink(hub.url, linkKey(TOKEN), ticketId));
    expect(progress.status).toBe(200);
    const html = await progress.text();
    expect(html).toContain('E001');
    expect(html).toContain('正在办理');
    // Tickets printed before the phone's live page lead to it.
    expect(html).toContain(`href="/m/t/${ticketRef(linkKey(TOKEN), ticketId)}"`);
    expect((await fetch(`${hub.url}/q/${ticketId}?s=forged`)).status).toBe(403);
    const english = await (await fetch(legacyProgressLink(hub.url, linkKey(TOKEN), ticketId), { headers: { 'accept-language': 'en-GB,en;q=0.9' } })).text();
    expect(english).toContain('Being served');
    expect(english).toContain('<html lang="en">');

    await api('POST', '/api/windows/7/finish');
    const form = await fetch(ratingLink(hub.url, linkKey(TOKEN), ticketId));
    expect(await form.text()).toContain('非常满意');
    let presses = 0;
    const post = (level: string) =>
      fetch(ratingLink(hub.url, linkKey(TOKEN), ticketId), { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `level=${level}&text=${encodeURIComponent('等得有点久')}&nonce=press${++presses}` });
    expect((await post('dissatisfied')).status).toBe(200);
    expect(hub.store.view.ratings.get(ticketId)![0]).toMatchObject({ channel: 'qr', count: 1, level: 'dissatisfied', text: '等得有点久' });
    expect((await post('satisfied')).status).toBe(200);
    const third = await post('satisfied');
    expect(third.status).toBe(409);
    expect(await third.text()).toContain('已评价');
    const followUps = await api('GET', '/api/follow-ups');
    expect(followUps.body.followUps).toHaveLength(1);
    const id = followUps.body.followUps[0].id;
    expect((await api('POST', `/api/follow-ups/${id}/advance`, { step: 'verify', note: '已核实：当日等候超过40分钟' })).status).toBe(200);
    expect((await api('POST', `/api/follow-ups/${id}/advance`, { step: 'reply', note: '越级' })).body).toMatchObject({ code: 'illegal-transition' });
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
