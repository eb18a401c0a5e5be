import { demoCatalogue } from '@servicehall/fixtures';
import Database from 'better-sqlite3';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { applyEvent, emptyView, toSnapshot, unconfiguredCatalogue } from '@servicehall/core';
import { FACT_TABLE_LIST } from '@servicehall/reports';
import { openDatabase } from './db';
import { backfillFacts } from './report-facts';
import { eventOf, TICKET_FIELDS, ticketOfRow, type EventRow, type TicketRow } from './rows';
import { startHub, type RunningHub } from './server';
import { dayLeftUnfinished as leaveDayUnfinished } from './testing/day-end';

const TOKEN = 'hall-token-for-day-end';
let hub: RunningHub;
let dir: string;
let now = 0;

beforeEach(async () => {
  now = Date.parse('2026-11-27T09:00:00+08:00');
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'servicehall-day-end-'));
  hub = await startHub({ dataDir: dir, token: TOKEN, seed: demoCatalogue(), clock: () => now, ratingSweepMs: 60_000 });
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

const at = (hhmm: string, day = '2026-11-27') => Date.parse(`${day}T${hhmm}:00+08:00`);

/** The shared day left with four tickets unfinished (testing/day-end.ts), as this hub holds it at 16:50. */
async function dayLeftUnfinished(): Promise<string[]> {
  const ids = await leaveDayUnfinished(api, (t) => (now = t));
  expect([...hub.store.view.tickets.values()].map((t) => [t.number, t.state])).toEqual([
    ['E001', 'done'],
    ['E002', 'serving'],
    ['E003', 'called'],
    ['E004', 'held'],
    ['E005', 'issued'],
  ]);
  return ids;
}

describe("the day's unfinished tickets when the hall day ends", () => {
  it('end with the day: a service left open ends at closing time, the others are not served (未办理), and the reports add up', async () => {
    const ids = await dayLeftUnfinished();
    // The next morning: the first command opens the day.
    now = at('08:40', '2026-11-28');
    expect((await api('POST', '/api/tickets', { serviceCode: 'GA-CS-DJ' })).status).toBe(201);
    expect(hub.store.view.day).toBe('2026-11-28');

    const day = (await api('GET', '/api/reports?breakdown=day&from=2026-11-27&to=2026-11-27')).body;
    const row = day.rows[0];
    // E002 served, its service ending at the hall's closing time (17:00), ten minutes, not a night long.
    expect(row).toMatchObject({ issued: 5, called: 4, served: 2, noShows: 0, voided: 0, unserved: 3, serviceMaxS: 600, serviceMeanS: 600 });
    expect(row.issued).toBe(row.served + row.noShows + row.voided + row.unserved);
    // Each at its own desk: the called and the held at the windows that called them, the waiting one at its item alone.
    const byWindow = (await api('GET', '/api/reports?breakdown=window&from=2026-11-27&to=2026-11-27')).body.rows.map((r: any) => [r.key.window, r.served, r.unserved]);
    expect(byWindow).toEqual([
      [0, 0, 1],
      [7, 2, 0],
      [8, 0, 1],
      [14, 0, 1],
    ]);

    // The records keep each ticket's last state, with the day's end on it; the serving one is done, ended by the day.
    const db = new Database(path.join(dir, 'hall.db'), { readonly: true });
    const record = (id: string) => ticketOfRow(db.prepare(`SELECT ${TICKET_FIELDS} FROM tickets WHERE id = ?`).get(id) as TicketRow);
    expect(record(ids[1]!)).toMatchObject({ state: 'done', finishedAt: at('17:00'), dayEndedAt: at('17:00') });
    for (const [i, state] of [[2, 'called'], [3, 'held'], [4, 'issued']] as const) expect(record(ids[i]!)).toMatchObject({ state, dayEndedAt: at('17:00') });
    expect(record(ids[0]!).dayEndedAt).toBeUndefined();
    db.close();

    // The new day's windows call afresh, and yesterday's services do not weigh on today's expected waits.
    expect(hub.store.view.current.size).toBe(0);
    expect(hub.store.view.serviceTimes.get('SJ-QY-SL')).toEqual([600_000]);
  });

  it('fold the same from the log: a terminal or standby replaying it has the hub’s view, the fact tables made again from it are the same', async () => {
    await dayLeftUnfinished();
    now = at('08:40', '2026-11-28');
    expect((await api('POST', '/api/tickets', { serviceCode: 'GA-CS-DJ' })).status).toBe(201);
    const view = toSnapshot(hub.store.view);
    await hub.close();

    const db = openDatabase(dir);
    try {
      const replayed = emptyView(unconfiguredCatalogue(), '');
      for (const r of db.prepare('SELECT seq, at, type, command_id, body FROM events ORDER BY seq').all() as EventRow[]) applyEvent(replayed, eventOf(r));
      expect(toSnapshot(replayed)).toEqual(view);
      expect((db.prepare("SELECT COUNT(*) AS n FROM events WHERE type = 'ticket.dayEnded'").get() as { n: number }).n).toBe(4);

      const rows = () => FACT_TABLE_LIST.map((t) => db.prepare(`SELECT * FROM ${t.name} ORDER BY 1, 2, 3, 4, 5`).all());
      const live = rows();
      for (const t of FACT_TABLE_LIST) db.exec(`DELETE FROM ${t.name}`);
      backfillFacts(db);
      expect(rows()).toEqual(live);
    } finally {
      db.close();
    }
    // afterEach closes the hub again: a second close is harmless.
  });
});

describe('the windows left open when the hall day ends', () => {
  it("close with the day: the next morning's calls wait for a clerk to sign in, and a pause left open ends at closing time", async () => {
    for (const [w, clerk] of [[7, '1011'], [8, '1012']] as const) {
      expect((await api('PUT', `/api/clerks/${clerk}/pin`, { pin: '246810' })).status).toBe(200);
      expect((await api('POST', `/api/windows/${w}/sign-in`, { clerk, pin: '246810' })).status).toBe(200);
    }
    // Window 8 pauses at 16:40 and its clerk goes home; window 7's clerk goes home without signing out.
    now = at('16:40');
    expect((await api('POST', '/api/windows/8/pause', { reason: '业务咨询' })).status).toBe(200);

    now = at('08:40', '2026-11-28');
    expect((await api('POST', '/api/tickets', { serviceCode: 'SJ-QY-SL' })).status).toBe(201);
    for (const w of [7, 8]) expect(hub.store.view.windows.get(w), `window ${w}`).toMatchObject({ open: false, clerk: undefined, pausedSince: undefined });
    // Yesterday's clerk is not today's: window 7 calls only once someone signs in, and the call is theirs.
    expect((await api('POST', '/api/windows/7/call-next')).body).toMatchObject({ ok: false, code: 'window-closed' });
    expect((await api('PUT', '/api/clerks/1013/pin', { pin: '246810' })).status).toBe(200);
    expect((await api('POST', '/api/windows/7/sign-in', { clerk: '1013', pin: '246810' })).status).toBe(200);
    expect((await api('POST', '/api/windows/7/call-next')).status).toBe(200);
    expect([...hub.store.view.tickets.values()][0]).toMatchObject({ number: 'E001', window: 7, clerk: '1013' });

    // The pause counts twenty minutes (16:40 to the hall's closing at 17:00), not the night.
    const report = (await api('GET', '/api/reports?breakdown=day&from=2026-11-27&to=2026-11-27')).body;
    expect(report.pauseReasons).toEqual([{ reason: '业务咨询', pauses: 1, pausedS: 1200 }]);
    const db = new Database(path.join(dir, 'hall.db'), { readonly: true });
    const closed = db.prepare("SELECT body FROM events WHERE type = 'window.closed' ORDER BY seq").all() as { body: string }[];
    db.close();
    expect(closed.map((r) => JSON.parse(r.body))).toEqual([
      { window: 7, dayEnded: true, happenedAt: at('17:00') },
      { window: 8, dayEnded: true, happenedAt: at('17:00') },
    ]);
  });
});
