import { isBadRating, type Ticket } from '@servicehall/core';
import { COMPLAINT_COUNTERS, FACT_TABLE_LIST } from '@servicehall/reports';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate, openDatabase, type Db } from './db';
import { KEY_FILE } from './files';
import { HallReports } from './reports';
import { RATING_FIELDS, ratingOfRow, TICKET_FIELDS, ticketOfRow, type RatingRow, type TicketRow } from './rows';
import { busyHall, generateHistory } from './testing/year';
import { HallStore } from './store';
import { hallKeyOf } from './testing/hall-db';

const hall = busyHall({ windows: 10 });
hall.cases = { correctionDays: 2 };
const FROM = '2026-11-20';
const TO = '2026-11-30';
let dir: string;
let db: Db;
let reports: HallReports;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'servicehall-reports-'));
  generateHistory({ dataDir: dir, days: 7, ticketsPerDay: 400, lastDay: TO, catalogue: hall });
  db = openDatabase(dir);
  reports = new HallReports(db, () => hall, () => Date.parse('2026-12-01T01:00:00Z'));
}, 120_000);
afterAll(() => {
  db?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** What the hall's records say, counted here without the fact tables: every ticket and rating as it stands. */
function counted() {
  const tickets = (db.prepare(`SELECT ${TICKET_FIELDS} FROM tickets`).all() as TicketRow[]).map(ticketOfRow);
  const ratings = (db.prepare(`SELECT ${RATING_FIELDS} FROM ratings`).all() as RatingRow[]).map(ratingOfRow);
  const by = <T>(list: T[], key: (x: T) => string) => {
    const m = new Map<string, number>();
    for (const x of list) m.set(key(x), (m.get(key(x)) ?? 0) + 1);
    return m;
  };
  const called = tickets.filter((t) => t.calledAt !== undefined);
  const waits = called.map((t) => Math.round((t.calledAt! - t.issuedAt) / 1000)).sort((a, b) => a - b);
  const done = tickets.filter((t) => t.state === 'done');
  const outcomes = new Map(
    (db.prepare("SELECT json_extract(body, '$.outcome') AS outcome, COUNT(*) AS n FROM events WHERE type = 'case.recorded' GROUP BY 1").all() as { outcome: string; n: number }[]).map((r) => [r.outcome, r.n]),
  );
  for (const r of db.prepare("SELECT json_extract(body, '$.from') AS f, json_extract(body, '$.outcome') AS t FROM events WHERE type = 'case.amended'").all() as { f: string; t: string }[]) {
    outcomes.set(r.f, outcomes.get(r.f)! - 1);
    outcomes.set(r.t, (outcomes.get(r.t) ?? 0) + 1);
  }
  return {
    tickets,
    issuedByDay: by(tickets, (t) => t.day),
    servedByClerk: by(done, (t) => t.clerk ?? ''),
    noShowsByClerk: by(tickets.filter((t) => t.state === 'no-show'), (t) => t.clerk ?? ''),
    ratingsByClerk: by(ratings, (r) => r.clerk ?? ''),
    badByClerk: by(ratings.filter((r) => isBadRating(r.level)), (r) => r.clerk ?? ''),
    waits,
    serviceTotal: done.reduce((a, t: Ticket) => a + Math.round((t.finishedAt! - t.servingAt!) / 1000), 0),
    outcomes,
    breaches: (db.prepare("SELECT COUNT(*) AS n FROM events WHERE type = 'case.recorded' AND json_extract(body, '$.case.notices[#-1].breach') = 1").get() as { n: number }).n,
    lapsed: (db.prepare("SELECT COUNT(*) AS n FROM events WHERE type = 'case.lapsed'").get() as { n: number }).n,
  };
}

describe("the hall's reports, recomputed from a generated history", () => {
  it('count what the records hold: tickets by day, services and no-shows by clerk, ratings, outcomes, waits', () => {
    const c = counted();
    const byDay = reports.report({ breakdown: 'day', from: FROM, to: TO });
    expect(byDay.rows.map((r) => [r.key.day, r.issued])).toEqual([...c.issuedByDay].sort());
    const byClerk = reports.report({ breakdown: 'clerk', from: FROM, to: TO });
    for (const clerk of hall.clerks.map((x) => x.number)) {
      const row = byClerk.rows.find((r) => r.key.clerk === clerk);
      expect(row?.served ?? 0, clerk).toBe(c.servedByClerk.get(clerk) ?? 0);
      expect(row?.noShows ?? 0, clerk).toBe(c.noShowsByClerk.get(clerk) ?? 0);
      expect(row?.rated ?? 0, clerk).toBe(c.ratingsByClerk.get(clerk) ?? 0);
      expect(row?.badRatings ?? 0, clerk).toBe(c.badByClerk.get(clerk) ?? 0);
    }
    const t = byClerk.total;
    expect(t.issued).toBe(c.tickets.length);
    expect(t.called).toBe(c.waits.length);
    expect(t.waitMaxS).toBe(c.waits.at(-1));
    expect(t.waitMeanS).toBe(Math.round(c.waits.reduce((a, b) => a + b, 0) / c.waits.length));
    // Percentiles come from minute buckets: within a minute of the exact figure.
    expect(Math.abs(t.waitMedianS! - c.waits[Math.floor(c.waits.length / 2)]!)).toBeLessThanOrEqual(60);
    expect(Math.abs(t.waitP90S! - c.waits[Math.floor(c.waits.length * 0.9)]!)).toBeLessThanOrEqual(60);
    expect(t.serviceMeanS).toBe(Math.round(c.serviceTotal / t.served));
    expect({ accepted: t.accepted, correction: t.corrections, rejected: t.rejected, consultation: t.consultations }).toEqual(Object.fromEntries(['accepted', 'correction', 'rejected', 'consultation'].map((o) => [o, c.outcomes.get(o) ?? 0])));
    expect(t.breaches).toBe(c.breaches);
    expect(t.lapsed).toBe(c.lapsed);
    expect(t.followUpsOpened).toBe(t.badRatings);
  });

  it('give the same totals whatever the breakdown, and a whole month from the monthly table as from the days', () => {
    const base = reports.report({ breakdown: 'hall', from: '2026-11-01', to: '2026-11-30' }).total;
    for (const breakdown of ['clerk', 'window', 'item', 'department', 'hour', 'day', 'dayHour'] as const)
      expect(reports.report({ breakdown, from: '2026-11-01', to: '2026-11-30' }).total, breakdown).toEqual(base);
    const byWindowDays = reports.report({ breakdown: 'window', from: '2026-11-02', to: '2026-11-30' });
    const byWindowMonth = reports.report({ breakdown: 'window', from: '2026-11-01', to: '2026-11-30' });
    expect(byWindowMonth.rows).toEqual(byWindowDays.rows.map((r) => ({ ...r })));
  });

  it('fill the fact tables of an upgraded hall from its log, to the same figures', { timeout: 120_000 }, () => {
    const copy = fs.mkdtempSync(path.join(os.tmpdir(), 'servicehall-reports-copy-'));
    try {
      db.pragma('wal_checkpoint(TRUNCATE)');
      fs.copyFileSync(path.join(dir, 'hall.db'), path.join(copy, 'hall.db'));
      fs.copyFileSync(path.join(dir, KEY_FILE), path.join(copy, KEY_FILE));
      const old = openDatabase(copy);
      for (const t of FACT_TABLE_LIST) old.exec(`DROP TABLE ${t.name}`);
      old.exec('DELETE FROM schema_migrations WHERE version = 50');
      old.close();
      const upgraded = openDatabase(copy);
      try {
        const again = new HallReports(upgraded, () => hall, () => 0);
        for (const breakdown of ['clerk', 'item', 'dayHour'] as const) expect(again.report({ breakdown, from: FROM, to: TO })).toEqual(reports.report({ breakdown, from: FROM, to: TO }));
        for (const t of FACT_TABLE_LIST) {
          const rows = (d: Db) => d.prepare(`SELECT * FROM ${t.name} ORDER BY 1, 2, 3, 4, 5`).all();
          expect(rows(upgraded), t.name).toEqual(rows(db));
        }
      } finally {
        upgraded.close();
      }
    } finally {
      fs.rmSync(copy, { recursive: true, force: true });
    }
  });

  it('give a day of clerks and windows from the desk-by-day rows, the same as summed from the hours; a hall made before that table gets it filled from them', () => {
    const deskDays = db.prepare('SELECT COUNT(*) AS n FROM report_desk_days').get() as { n: number };
    expect(deskDays.n).toBeGreaterThan(0);
    // Every desk's day equals its hours summed (the longest wait the longest of them).
    const fromHours = db
      .prepare('SELECT day, window_no, clerk, service_code, SUM(issued) AS issued, SUM(served) AS served, SUM(wait_s) AS wait_s, MAX(wait_max_s) AS wait_max_s FROM report_desk_hours GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4')
      .all();
    const days = () => db.prepare('SELECT day, window_no, clerk, service_code, issued, served, wait_s, wait_max_s FROM report_desk_days ORDER BY 1, 2, 3, 4').all();
    expect(days()).toEqual(fromHours);
    const byClerk = reports.report({ breakdown: 'clerk', from: TO, to: TO });
    expect(byClerk.rows.length).toBeGreaterThan(1);
    for (const row of byClerk.rows) {
      // The same clerk's hours, read from the desk-by-hour rows.
      const hours = reports.report({ breakdown: 'hour', from: TO, to: TO, filters: { clerk: String(row.key.clerk) } });
      expect({ issued: hours.total.issued, served: hours.total.served, waitMaxS: hours.total.waitMaxS }).toEqual({ issued: row.issued, served: row.served, waitMaxS: row.waitMaxS });
    }
    // Migration 52 on a hall made before the table (and before 130, which counts tickets not served by the day's end): made and filled from the hours' rows.
    db.exec('DROP TABLE report_desk_days');
    db.exec('DELETE FROM schema_migrations WHERE version IN (52, 130)');
    migrate(db);
    expect(days()).toEqual(fromHours);
    expect(reports.report({ breakdown: 'clerk', from: TO, to: TO })).toEqual(byClerk);
  });

  it('count complaints at the desk they are about: received, replied (late when after the due day), closed with the complainant satisfied', () => {
    let now = Date.parse('2026-12-01T09:00:00+08:00');
    const store = new HallStore(db, () => now, hallKeyOf(dir));
    const clerk = hall.clerks[2]!.number;
    const admin = { role: 'admin' as const, terminal: 'console' };
    const made = store.execute({ id: 'c-1', type: 'createComplaint', source: 'hotline-12345', summary: '窗口办理时间过长', about: { window: 3, clerk } } as never, admin);
    expect(made.answer.ok).toBe(true);
    const id = (made.events.find((e) => e.type === 'complaint.changed') as { complaint: { id: string } }).complaint.id;
    now = Date.parse('2026-12-31T10:00:00+08:00');
    for (const [i, action] of (['reply', 'close'] as const).entries())
      expect(store.execute({ id: `c-${i + 2}`, type: 'advanceComplaint', complaintId: id, action, channel: 'phone', note: '已电话答复', satisfied: true } as never, admin).answer.ok).toBe(true);
    // (The hub's reports write the facts still in memory first; these read the tables straight.)
    store.writeFacts();
    const r = reports.report({ breakdown: 'clerk', from: '2026-12-01', to: '2026-12-31' });
    expect(r.rows.find((x) => x.key.clerk === clerk)).toMatchObject({ complaints: 1, complaintsReplied: 1, complaintsRepliedLate: 1, complaintsClosed: 1, complaintsSatisfied: 1 });
    expect(r.total.complaints).toBe(1);

    // A hall whose fact tables were made before complaints were counted gets their columns and figures from its log.
    // (Such a hall had no desk-by-day table either: migration 52 makes it after 51.)
    db.exec('DROP TABLE report_desk_days');
    for (const t of FACT_TABLE_LIST) if (t.name !== 'report_desk_days') for (const c of COMPLAINT_COUNTERS) if (t.counters.includes(c)) db.exec(`ALTER TABLE ${t.name} DROP COLUMN ${c}`);
    db.exec('DELETE FROM schema_migrations WHERE version IN (51, 52)');
    migrate(db);
    expect(reports.report({ breakdown: 'clerk', from: '2026-12-01', to: '2026-12-31' })).toEqual(r);
  });
});
