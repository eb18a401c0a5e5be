import { dayChange, decide, type Actor, type CommandBody, type HallEvent } from '@servicehall/core';
import { demoCatalogue } from '@servicehall/fixtures';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import {
  BUCKETS,
  bucketOf,
  compileReport,
  compilerFor,
  factDdl,
  FactFolder,
  finishReport,
  FactSums,
  planReport,
  quantile,
  ticketFacts,
  upsertSql,
  type FactIncrement,
  type ReportSpec,
} from './index';

const DAY = '2026-11-23';
/** 09:00 in the hall (Asia/Shanghai) plus minutes. */
const at = (minutes: number) => Date.parse(`${DAY}T01:00:00Z`) + minutes * 60_000;
const admin: Actor = { role: 'admin', terminal: 'console' };
const kiosk: Actor = { role: 'kiosk', terminal: 'kiosk-1' };
const window = (n: number): Actor => ({ role: 'window', terminal: `window-${n}`, window: n });
const pad = (n: number): Actor => ({ role: 'rating-pad', terminal: `pad-${n}`, window: n });

/** A small hall run by core's rules alone: each command decided and folded, its facts applied to a SQLite database. */
function hall() {
  const folder = new FactFolder();
  const db = new Database(':memory:');
  for (const s of factDdl('sqlite')) db.exec(s);
  const facts: FactIncrement[] = [];
  let seq = 0;
  const append = (body: Omit<HallEvent, 'seq' | 'at'>, now: number) => {
    const event = { ...body, seq: ++seq, at: now } as HallEvent;
    const sums = new FactSums();
    for (const f of folder.apply(event)) {
      facts.push(f);
      sums.add([f]);
    }
    for (const r of sums.take()) db.prepare(upsertSql(r.table, r.counters, 'sqlite')).run(...r.values);
  };
  append({ type: 'catalogue.replaced', catalogue: demoCatalogue() } as never, at(-120));
  const run = (command: CommandBody, actor: Actor, minutes: number) => {
    const now = at(minutes);
    for (const e of dayChange(folder.view, now)) append(e as never, now);
    const d = decide(folder.view, command, { now, actor });
    if (!d.ok) throw new Error(`${command.type}: ${d.message}`);
    for (const e of d.value.events) append(e as never, now);
    return d.value.ticket;
  };
  const report = (spec: ReportSpec) => {
    const compiled = compileReport(spec, compilerFor('sqlite'));
    const rows = compiled.parts.map((q) => db.prepare(q.sql).all(...(q.parameters as unknown[])) as Record<string, unknown>[]);
    return finishReport(spec, rows, db.prepare(compiled.pauses.sql).all(...(compiled.pauses.parameters as unknown[])) as Record<string, unknown>[]);
  };
  return { run, report, facts, view: folder.view };
}

/** A morning at windows 1 and 2 (公安户籍): served, a no-show, a pause, a transfer. */
function morning() {
  const h = hall();
  h.run({ type: 'openWindow', window: 1, clerk: '1001' }, admin, -10);
  const a = h.run({ type: 'issueTicket', serviceCode: 'GA-SFZ-HL', lane: 'ordinary' }, kiosk, 0)!;
  h.run({ type: 'issueTicket', serviceCode: 'GA-SFZ-HL', lane: 'ordinary' }, kiosk, 5);
  h.run({ type: 'issueTicket', serviceCode: 'GA-SFZ-HL', lane: 'ordinary' }, kiosk, 10);
  h.run({ type: 'callNext', window: 1 }, window(1), 12); // A waited 12 minutes
  h.run({ type: 'startService', window: 1 }, window(1), 13);
  h.run({ type: 'recordOutcome', window: 1, serviceCode: 'GA-SFZ-HL', outcome: 'accepted' } as CommandBody, window(1), 20);
  h.run({ type: 'finishService', window: 1 }, window(1), 21); // 8 minutes of service
  h.run({ type: 'rate', ticketId: a.id, window: 1, level: 'satisfied', aspects: {}, reasons: [], channel: 'window-pad' } as CommandBody, pad(1), 22);
  h.run({ type: 'callNext', window: 1 }, window(1), 24); // B waited 19 minutes
  h.run({ type: 'markNoShow', window: 1 }, window(1), 30);
  h.run({ type: 'pauseWindow', window: 1, reason: '业务培训' }, window(1), 31);
  h.run({ type: 'resumeWindow', window: 1 }, window(1), 41);
  h.run({ type: 'callNext', window: 1 }, window(1), 45); // C waited 35 minutes
  h.run({ type: 'startService', window: 1 }, window(1), 46);
  h.run({ type: 'transferTicket', window: 1, toService: 'GA-HK-QR', reason: '实际办理户口迁入' }, window(1), 50);
  h.run({ type: 'openWindow', window: 2, clerk: '1002' }, admin, 51);
  h.run({ type: 'callNext', window: 2 }, window(2), 55);
  h.run({ type: 'startService', window: 2 }, window(2), 56);
  h.run({ type: 'recordOutcome', window: 2, serviceCode: 'GA-HK-QR', outcome: 'correction', materials: ['m1'] } as CommandBody, window(2), 60);
  h.run({ type: 'finishService', window: 2 }, window(2), 66); // 10 minutes of service
  return h;
}

describe('fact buckets', () => {
  it('puts a duration in its minute bucket, and wide ones beyond half an hour', () => {
    expect(bucketOf(0)).toBe(0);
    expect(bucketOf(59)).toBe(0);
    expect(bucketOf(60)).toBe(1);
    expect(bucketOf(29 * 60 + 59)).toBe(29);
    expect(bucketOf(31 * 60)).toBe(30);
    expect(bucketOf(10 * 3600)).toBe(BUCKETS - 1);
  });

  it('reads the median and the 90th percentile from summed buckets within a bucket of the true value', () => {
    const waits = Array.from({ length: 1000 }, (_, i) => (i * 37) % 1800);
    const counts = Array.from({ length: BUCKETS }, () => 0);
    for (const w of waits) counts[bucketOf(w)]! += 1;
    const sorted = [...waits].sort((a, b) => a - b);
    expect(Math.abs(quantile(counts, 0.5)! - sorted[499]!)).toBeLessThanOrEqual(60);
    expect(Math.abs(quantile(counts, 0.9)! - sorted[899]!)).toBeLessThanOrEqual(60);
  });
});

describe('the fact rules', () => {
  it("count a morning's tickets, waits, services, pause, rating and outcomes at the desk where each happened", () => {
    const h = morning();
    const r = h.report({ breakdown: 'clerk', from: DAY, to: DAY });
    const of = (clerk: string) => r.rows.find((x) => x.key.clerk === clerk)!;
    expect(of('').issued).toBe(3);
    expect(of('1001')).toMatchObject({ called: 3, served: 1, noShows: 1, transferred: 1, pauses: 1, pausedS: 600, rated: 1, satisfied: 1, accepted: 1, waitMaxS: 35 * 60 });
    expect(of('1001').waitMeanS).toBe(Math.round(((12 + 19 + 35) * 60) / 3));
    expect(of('1001').serviceMedianS).toBeGreaterThanOrEqual(8 * 60);
    expect(of('1001').serviceMedianS).toBeLessThan(9 * 60);
    // The transferred ticket's second call is not a second arrival: called once, at the desk that first called it.
    expect(of('1002')).toMatchObject({ called: 0, served: 1, corrections: 1, serviceMaxS: 10 * 60 });
    expect(r.total).toMatchObject({ issued: 3, called: 3, served: 2, noShows: 1, transferred: 1, rated: 1, satisfactionRate: 1 });
    expect(r.total.calledWithinTarget).toBeCloseTo(2 / 3);
    expect(r.pauseReasons).toEqual([{ reason: '业务培训', pauses: 1, pausedS: 600 }]);
  });

  it("add up, event by event, to each ticket's facts as its record stands: never counted twice", () => {
    const h = morning();
    const ticketCounters = ['issued', 'voided', 'called', 'wait_s', 'served', 'service_s', 'no_shows', 'transferred', 'referred'] as const;
    const sum = (list: readonly FactIncrement[]) => Object.fromEntries(ticketCounters.map((c) => [c, list.reduce((a, f) => a + (f.add[c] ?? 0), 0)]));
    const records = [...h.view.tickets.values()].flatMap((t) => ticketFacts(t, h.view.catalogue));
    expect(sum(h.facts)).toEqual(sum(records));
    expect(sum(h.facts)).toMatchObject({ issued: 3, called: 3, served: 2, no_shows: 1, transferred: 1 });
  });

  it('give the same figures by item and hour as by desk, and by month as by day', () => {
    const h = morning();
    const byItem = h.report({ breakdown: 'item', from: DAY, to: DAY });
    const byHour = h.report({ breakdown: 'hour', from: DAY, to: DAY });
    const byMonth = h.report({ breakdown: 'window', from: '2026-11-01', to: '2026-11-30' });
    for (const r of [byItem, byHour, byMonth]) expect(r.total).toEqual(h.report({ breakdown: 'clerk', from: DAY, to: DAY }).total);
    expect(byItem.rows.find((x) => x.key.serviceCode === 'GA-SFZ-HL')).toMatchObject({ issued: 3, called: 3, served: 1 });
    expect(byItem.rows.find((x) => x.key.serviceCode === 'GA-HK-QR')).toMatchObject({ issued: 0, served: 1 });
    expect(byHour.rows.map((x) => x.key.hour)).toEqual([9, 10]);
  });
});

describe('the report definitions', () => {
  it('read whole months from the monthly table and the days around them from the daily one', () => {
    const parts = planReport({ breakdown: 'clerk', from: '2026-01-15', to: '2026-04-10' });
    expect(parts.map((p) => [p.table.name, p.from, p.to])).toEqual([
      ['report_desk_days', '2026-01-15', '2026-01-31'],
      ['report_desk_months', '2026-02', '2026-03'],
      ['report_desk_days', '2026-04-01', '2026-04-10'],
    ]);
    // A day's desks, and desks by day, from the day table; a desk's hours from the hour table.
    expect(planReport({ breakdown: 'window', from: '2026-01-15', to: '2026-01-15' }).map((p) => p.table.name)).toEqual(['report_desk_days']);
    expect(planReport({ breakdown: 'day', from: '2026-01-01', to: '2026-12-31', filters: { clerk: '1001' } }).map((p) => p.table.name)).toEqual(['report_desk_days']);
    expect(planReport({ breakdown: 'item', from: '2026-01-01', to: '2026-12-31' }).map((p) => p.table.name)).toEqual(['report_item_hours']);
    expect(planReport({ breakdown: 'hour', from: '2026-01-01', to: '2026-12-31', filters: { clerk: '1001' } }).map((p) => p.table.name)).toEqual(['report_desk_hours']);
  });

  it('compile to PostgreSQL as well, from the same definitions', () => {
    const spec: ReportSpec = { breakdown: 'department', from: '2026-01-01', to: '2026-03-31', filters: { window: 3 } };
    const pg = compileReport(spec, compilerFor('postgres'));
    expect(pg.parts[0]!.sql).toContain('"report_desk_months"');
    expect(pg.parts[0]!.sql).toMatch(/\$1/);
    expect(pg.parts[0]!.parameters).toEqual(['2026-01', '2026-03', 3]);
    expect(factDdl('postgres')[0]).toContain('BIGINT');
    expect(upsertSql({ name: 't', period: 'day', keys: ['day'], counters: [] }, ['issued', 'wait_max_s'], 'postgres')).toBe(
      'INSERT INTO "t" ("day", "issued", "wait_max_s") VALUES ($1, $2, $3) ON CONFLICT ("day") DO UPDATE SET "issued" = "t"."issued" + excluded."issued", "wait_max_s" = GREATEST("t"."wait_max_s", excluded."wait_max_s")',
    );
  });
});
