import { applyEvent, emptyView, fromSnapshot, OutOfStep, toSnapshot, type HallEvent } from '@servicehall/core';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../db';
import { HallStore } from '../store';
import { hallKeyOf } from './hall-db';
import { busyHall, generateHistory, generateHistoryInParallel, workingDays } from './year';
import { chinaCalendar } from '@servicehall/core';

const dirs: string[] = [];
const folder = () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'servicehall-year-'));
  dirs.push(dir);
  return dir;
};
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

/** A small hall whose correction cases lapse after two working days, so that a week shows every turn of a case. */
const hall = busyHall({ windows: 10 });
hall.cases = { correctionDays: 2 };
const small = { ticketsPerDay: 400, lastDay: '2026-11-30', catalogue: hall };

/** Every event of the log in order, and the view they fold to from nothing. */
function replay(dataDir: string): { events: HallEvent[]; view: ReturnType<typeof emptyView> } {
  const db = openDatabase(dataDir);
  const store = new HallStore(db, () => 0, hallKeyOf(dataDir));
  const events: HallEvent[] = [];
  for (let seq = 0; ; ) {
    const page = store.eventsSince(seq, 5000);
    if (page.length === 0) break;
    events.push(...page);
    seq = page[page.length - 1]!.seq;
  }
  const first = events[0]!;
  if (first.type !== 'catalogue.replaced') throw new Error('the log does not begin with the catalogue');
  const view = emptyView(first.catalogue, '2000-01-01');
  for (const e of events) applyEvent(view, e);
  db.close();
  return { events, view };
}

describe('the history generator', () => {
  it('writes working days only, from the calendar (国庆 and weekends skipped)', () => {
    expect(workingDays(chinaCalendar, '2026-10-09', 3)).toEqual(['2026-09-30', '2026-10-08', '2026-10-09']);
    expect(workingDays(chinaCalendar, '2026-11-30', 2)).toEqual(['2026-11-27', '2026-11-30']);
  });

  it('writes tickets with their whole life through the hub: calls, outcomes, ratings, corrections, no-shows, follow-ups, lapses', { timeout: 60_000 }, () => {
    const dir = folder();
    const summary = generateHistory({ ...small, dataDir: dir, days: 8 });
    expect(summary).toMatchObject({ days: 8, firstDay: '2026-11-19', lastDay: '2026-11-30' });
    expect(summary.tickets).toBeGreaterThan(8 * 300);
    const db = openDatabase(dir);
    const types = new Map((db.prepare('SELECT type, COUNT(*) AS n FROM events GROUP BY type').all() as { type: string; n: number }[]).map((r) => [r.type, r.n]));
    for (const type of ['ticket.issued', 'ticket.called', 'ticket.recalled', 'ticket.started', 'ticket.finished', 'ticket.noShow', 'ticket.transferred', 'case.recorded', 'case.amended', 'case.lapsed', 'rating.recorded', 'rating.amended', 'followUp.opened', 'followUp.advanced', 'appointment.booked', 'day.opened'])
      expect(types.get(type) ?? 0, type).toBeGreaterThan(0);
    const states = new Map((db.prepare('SELECT state, COUNT(*) AS n FROM cases GROUP BY state').all() as { state: string; n: number }[]).map((r) => [r.state, r.n]));
    for (const state of ['accepted', 'correction', 'rejected', 'consulted', 'lapsed']) expect(states.get(state) ?? 0, state).toBeGreaterThan(0);
    // Corrections come back: some cases were continued on a later day and accepted.
    expect((db.prepare("SELECT COUNT(*) AS n FROM cases WHERE state = 'accepted' AND json_array_length(json_extract(body, '$.notices')) > 0").get() as { n: number }).n).toBeGreaterThan(0);
    // Answers older than their window have been pruned as the days went.
    const oldest = (db.prepare('SELECT MIN(at) AS at FROM commands').get() as { at: number }).at;
    expect(Date.parse('2026-11-30T23:59:59+08:00') - oldest).toBeLessThan(8 * 86_400_000);
    db.close();
  });

  it('keeps no answer for a command of history before the window answers are kept for (it would only be pruned)', () => {
    const dir = folder();
    const db = openDatabase(dir);
    const now = Date.parse('2026-11-30T09:00:00+08:00');
    HallStore.seed(db, hall, now - 3600_000);
    const store = new HallStore(db, () => now, hallKeyOf(dir));
    const kiosk = { role: 'kiosk', terminal: 'kiosk-1' } as const;
    const issue = { id: 'history-00000001', type: 'issueTicket', serviceCode: hall.items[0]!.code, lane: 'ordinary' } as const;
    const first = store.execute(issue, kiosk, { keepAnswer: false });
    expect(first.answer).toMatchObject({ ok: true, ticket: { number: expect.any(String) } });
    expect(store.answerOf('kiosk-1', issue.id)).toBeUndefined();
    expect(db.prepare('SELECT COUNT(*) AS n FROM commands').get()).toEqual({ n: 0 });
    // A command that keeps its answer (the default) is answered again on a retry, not run twice.
    const kept = store.execute({ ...issue, id: 'kiosk-1-press-1' }, kiosk);
    expect(store.execute({ ...issue, id: 'kiosk-1-press-1' }, kiosk)).toMatchObject({ repeated: true, answer: kept.answer });
    expect([...store.view.tickets.values()]).toHaveLength(2);
    db.close();
  });

  it('is deterministic: the same options write the same log', () => {
    const a = folder();
    const b = folder();
    generateHistory({ ...small, dataDir: a, days: 2, seed: 7 });
    generateHistory({ ...small, dataDir: b, days: 2, seed: 7 });
    const log = (dir: string) => {
      const db = openDatabase(dir);
      const rows = db.prepare('SELECT seq, at, type, body FROM events ORDER BY seq').all();
      db.close();
      return rows;
    };
    expect(log(a)).toEqual(log(b));
  });

  it('writes a log that folds from its first event to its last into the view the tables hold', () => {
    const dir = folder();
    generateHistory({ ...small, dataDir: dir, days: 3 });
    const { view } = replay(dir);
    const db = openDatabase(dir);
    const loaded = new HallStore(db, () => 0, hallKeyOf(dir)).view;
    db.close();
    const essence = (v: typeof view) => {
      const s = toSnapshot(v);
      const by = <T>(list: T[], key: (x: T) => string) => [...list].sort((a, b) => key(a).localeCompare(key(b)));
      return { ...s, tickets: by(s.tickets, (t) => t.id), cases: by(s.cases, (c) => c.number), ratings: by(s.ratings, (r) => r.id), followUps: by(s.followUps, (f) => f.id), ratingRequests: by(s.ratingRequests, (r) => r.ticketId), appointments: by(s.appointments, (a) => a.code), windows: by(s.windows, (w) => String(w.number).padStart(4, '0')) };
    };
    expect(view.tickets.size).toBeGreaterThan(300);
    expect(essence(loaded)).toEqual(essence(view));
    // The indexes the fold kept are those rebuilt from its tickets and cases.
    expect(view).toEqual(fromSnapshot(toSnapshot(view)));
  });

  it('in parallel, appends its stretches into one log that folds whole', { timeout: 120_000 }, async () => {
    const dir = folder();
    const summary = await generateHistoryInParallel({ ...small, dataDir: dir, days: 10, parts: 2 });
    expect(summary.days).toBe(10);
    expect(summary.tickets).toBeGreaterThan(10 * 300);
    const { events, view } = replay(dir);
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    expect(events.filter((e) => e.type === 'catalogue.replaced')).toHaveLength(1);
    expect(view.day).toBe('2026-11-30');
    expect(() => replay(dir)).not.toThrow(OutOfStep);
    // The reports' fact rows of both stretches are in the whole: every ticket issued is counted, in every shape.
    const db = openDatabase(dir);
    try {
      const issued = db.prepare("SELECT COUNT(*) AS n FROM events WHERE type = 'ticket.issued'").get() as { n: number };
      for (const table of ['report_item_hours', 'report_desk_hours', 'report_desk_days', 'report_desk_months'])
        expect((db.prepare(`SELECT SUM(issued) AS n FROM ${table}`).get() as { n: number }).n, table).toBe(issued.n);
      expect((db.prepare('SELECT COUNT(DISTINCT day) AS n FROM report_item_hours').get() as { n: number }).n).toBe(10);
    } finally {
      db.close();
    }
  });
});
