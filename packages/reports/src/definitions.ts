import {
  DummyDriver,
  Kysely,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  sql,
  SqliteAdapter,
  SqliteIntrospector,
  SqliteQueryCompiler,
  type CompiledQuery,
  type SelectQueryBuilder,
} from 'kysely';
import { BUCKETS, countWithin, quantile } from './buckets';
import { addDays } from './days';
import { FACT_TABLES, MAX_COUNTERS, PAUSE_COUNTERS, type Dialect, type FactTable, type KeyColumn } from './schema';

/**
 * The report definitions, written once against the fact tables with kysely and compiled for the
 * hall's SQLite and the city's PostgreSQL. A report is a breakdown (by clerk, window, item,
 * department, hour, day, or day and hour) of a period (days, both ends included) under filters.
 */
import { BREAKDOWNS, type Breakdown } from './columns';

export { BREAKDOWNS, type Breakdown };

export interface ReportFilters {
  serviceCode?: string;
  department?: string;
  window?: number;
  clerk?: string;
}

export interface ReportSpec {
  breakdown: Breakdown;
  /** Days, YYYY-MM-DD, both included. */
  from: string;
  to: string;
  filters?: ReportFilters;
}

// kysely needs a database type; the fact tables are built from their definitions, so they are typed loosely here.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type FactDatabase = Record<string, any>;

const GROUPS: Record<Breakdown, KeyColumn[]> = {
  hall: [],
  clerk: ['clerk'],
  window: ['window_no'],
  item: ['service_code', 'department'],
  department: ['department'],
  hour: ['hour'],
  day: ['day'],
  dayHour: ['day', 'hour'],
};

const FILTER_COLUMNS: { [K in keyof ReportFilters]-?: KeyColumn } = { serviceCode: 'service_code', department: 'department', window: 'window_no', clerk: 'clerk' };

/** One query of a report: a table over a stretch of its periods. */
export interface ReportPart {
  table: FactTable;
  from: string;
  to: string;
  group: KeyColumn[];
  filters: ReportFilters;
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;

const lastOfMonth = (month: string) => addDays(`${nextMonth(month)}-01`, -1);
function nextMonth(month: string): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, '0')}`;
}

/**
 * Which tables answer a report, each over which stretch: the item-and-hour table when no desk is
 * asked for; the desk-and-hour table when hours are; whole months from the monthly desk table when
 * neither hours nor days are; the desk-and-day table for the rest. So a year's report by clerk reads
 * twelve months' rows, and a day's its desks' rows of the day, not every hour's.
 */
export function planReport(spec: ReportSpec): ReportPart[] {
  if (!DAY.test(spec.from) || !DAY.test(spec.to)) throw new RangeError('a report period is two days, YYYY-MM-DD');
  const filters = spec.filters ?? {};
  const group = GROUPS[spec.breakdown];
  const needed = new Set<KeyColumn>(group);
  for (const [k, col] of Object.entries(FILTER_COLUMNS)) if (filters[k as keyof ReportFilters] !== undefined) needed.add(col);
  const itemOnly = [...needed].every((c) => FACT_TABLES.itemHours.keys.includes(c as never));
  if (itemOnly) return [{ table: FACT_TABLES.itemHours, from: spec.from, to: spec.to, group, filters }];
  if (needed.has('hour')) return [{ table: FACT_TABLES.deskHours, from: spec.from, to: spec.to, group, filters }];
  if (needed.has('day')) return [{ table: FACT_TABLES.deskDays, from: spec.from, to: spec.to, group, filters }];
  const parts: ReportPart[] = [];
  let day = spec.from;
  while (day <= spec.to) {
    const month = day.slice(0, 7);
    const end = lastOfMonth(month);
    if (day.endsWith('-01') && end <= spec.to) {
      // Whole months in a row are one stretch of the monthly table.
      let last = month;
      while (lastOfMonth(nextMonth(last)) <= spec.to) last = nextMonth(last);
      parts.push({ table: FACT_TABLES.deskMonths, from: month, to: last, group, filters });
      day = addDays(lastOfMonth(last), 1);
    } else {
      const stop = end < spec.to ? end : spec.to;
      const prev = parts.at(-1);
      if (prev && prev.table === FACT_TABLES.deskDays && addDays(prev.to, 1) === day) prev.to = stop;
      else parts.push({ table: FACT_TABLES.deskDays, from: day, to: stop, group, filters });
      day = addDays(stop, 1);
    }
  }
  return parts;
}

/** The query of one part, on any kysely database holding the fact tables. */
export function partQuery(db: Kysely<FactDatabase>, part: ReportPart): SelectQueryBuilder<FactDatabase, string, Record<string, unknown>> {
  const period = part.table.period === 'month' ? 'month' : 'day';
  let q = db.selectFrom(part.table.name).where(period, '>=', part.from).where(period, '<=', part.to);
  for (const [k, col] of Object.entries(FILTER_COLUMNS)) {
    const v = part.filters[k as keyof ReportFilters];
    if (v !== undefined) q = q.where(col, '=', v);
  }
  const select = q.select([
    ...part.group.map((g) => sql.ref(g).as(g)),
    ...part.table.counters.map((c) => (MAX_COUNTERS.has(c) ? sql<number>`max(${sql.ref(c)})`.as(c) : sql<number>`sum(${sql.ref(c)})`.as(c))),
  ]);
  return (part.group.length ? select.groupBy(part.group) : select) as unknown as SelectQueryBuilder<FactDatabase, string, Record<string, unknown>>;
}

/** The pauses of a report's period and desks, by reason (an item filter leaves none: pauses are a desk's). */
export function pauseReasonsQuery(db: Kysely<FactDatabase>, spec: ReportSpec): SelectQueryBuilder<FactDatabase, string, Record<string, unknown>> {
  const f = spec.filters ?? {};
  let q = db.selectFrom(FACT_TABLES.pauses.name).where('day', '>=', spec.from).where('day', '<=', spec.to);
  if (f.serviceCode !== undefined) q = q.where(sql.lit(1), '=', sql.lit(0));
  if (f.department !== undefined) q = q.where('department', '=', f.department);
  if (f.window !== undefined) q = q.where('window_no', '=', f.window);
  if (f.clerk !== undefined) q = q.where('clerk', '=', f.clerk);
  return q
    .select([sql.ref('reason').as('reason'), ...PAUSE_COUNTERS.map((c) => sql<number>`sum(${sql.ref(c)})`.as(c))])
    .groupBy('reason') as unknown as SelectQueryBuilder<FactDatabase, string, Record<string, unknown>>;
}

/** Arrivals (tickets issued, voided ones left out) per day, hour and item over a stretch of days: the forecast's history. */
export function arrivalsQuery(db: Kysely<FactDatabase>, from: string, to: string): SelectQueryBuilder<FactDatabase, string, Record<string, unknown>> {
  return db
    .selectFrom(FACT_TABLES.itemHours.name)
    .where('day', '>=', from)
    .where('day', '<=', to)
    .select([sql.ref('day').as('day'), sql.ref('hour').as('hour'), sql.ref('service_code').as('service_code'), sql<number>`sum(${sql.ref('issued')} - ${sql.ref('voided')})`.as('arrivals')])
    .groupBy(['day', 'hour', 'service_code']) as unknown as SelectQueryBuilder<FactDatabase, string, Record<string, unknown>>;
}

/** Services finished and their time per item over a stretch of days: the staffing plan's service times. */
export function serviceTimesQuery(db: Kysely<FactDatabase>, from: string, to: string): SelectQueryBuilder<FactDatabase, string, Record<string, unknown>> {
  return db
    .selectFrom(FACT_TABLES.itemHours.name)
    .where('day', '>=', from)
    .where('day', '<=', to)
    .select([sql.ref('service_code').as('service_code'), sql<number>`sum(${sql.ref('served')})`.as('served'), sql<number>`sum(${sql.ref('service_s')})`.as('service_s')])
    .groupBy('service_code') as unknown as SelectQueryBuilder<FactDatabase, string, Record<string, unknown>>;
}

/** A kysely that only compiles, for `dialect` (the hub runs the SQL with better-sqlite3 itself, synchronously). */
export function compilerFor(dialect: Dialect): Kysely<FactDatabase> {
  return new Kysely<FactDatabase>({
    dialect:
      dialect === 'sqlite'
        ? { createAdapter: () => new SqliteAdapter(), createDriver: () => new DummyDriver(), createIntrospector: (db) => new SqliteIntrospector(db), createQueryCompiler: () => new SqliteQueryCompiler() }
        : { createAdapter: () => new PostgresAdapter(), createDriver: () => new DummyDriver(), createIntrospector: (db) => new PostgresIntrospector(db), createQueryCompiler: () => new PostgresQueryCompiler() },
  });
}

export interface CompiledReport {
  parts: CompiledQuery[];
  pauses: CompiledQuery;
}

export function compileReport(spec: ReportSpec, db: Kysely<FactDatabase>): CompiledReport {
  return { parts: planReport(spec).map((p) => partQuery(db, p).compile()), pauses: pauseReasonsQuery(db, spec).compile() };
}

/** One row of a report: its key and its figures (durations in seconds, shares 0..1, absent where nothing was counted). */
export interface ReportRow {
  key: { clerk?: string; window?: number; serviceCode?: string; department?: string; hour?: number; day?: string };
  issued: number;
  called: number;
  served: number;
  noShows: number;
  voided: number;
  /** 未办理: waiting, called or held when the hall day ended. */
  unserved: number;
  transferred: number;
  referred: number;
  waitMedianS?: number;
  waitP90S?: number;
  waitMaxS?: number;
  waitMeanS?: number;
  /** Share of those called within the wait target. */
  calledWithinTarget?: number;
  serviceMedianS?: number;
  serviceP90S?: number;
  serviceMeanS?: number;
  serviceMaxS?: number;
  pauses: number;
  pausedS: number;
  rated: number;
  verySatisfied: number;
  satisfied: number;
  basicallySatisfied: number;
  dissatisfied: number;
  veryDissatisfied: number;
  /** 满意率: (非常满意 + 满意 + 基本满意) / ratings. */
  satisfactionRate?: number;
  badRatings: number;
  defaultRatings: number;
  secondRatings: number;
  followUpsOpened: number;
  followUpsClosed: number;
  followUpsLate: number;
  followUpsAppealed: number;
  accepted: number;
  corrections: number;
  rejected: number;
  consultations: number;
  amended: number;
  breaches: number;
  lapsed: number;
  complaints: number;
  complaintsReplied: number;
  complaintsRepliedLate: number;
  complaintsEscalated: number;
  complaintsClosed: number;
  complaintsSatisfied: number;
}

export interface PauseReason {
  reason: string;
  pauses: number;
  pausedS: number;
}

export interface Report {
  spec: ReportSpec;
  /** The wait target the share called within it was counted against, in minutes. */
  waitTargetMinutes: number;
  rows: ReportRow[];
  total: ReportRow;
  pauseReasons: PauseReason[];
}

type Sums = Record<string, number>;

const num = (v: unknown): number => (v === null || v === undefined ? 0 : Number(v));

/** Rows of every part summed by the breakdown's key (a report over months and days reads both tables). */
function sumRows(spec: ReportSpec, rows: readonly Record<string, unknown>[][]): Map<string, { key: Record<string, unknown>; sums: Sums }> {
  const group = GROUPS[spec.breakdown];
  const out = new Map<string, { key: Record<string, unknown>; sums: Sums }>();
  for (const part of rows)
    for (const r of part) {
      const key = Object.fromEntries(group.map((g) => [g, r[g]]));
      const k = JSON.stringify(group.map((g) => r[g]));
      let entry = out.get(k);
      if (!entry) out.set(k, (entry = { key, sums: {} }));
      for (const c of FACT_TABLES.deskHours.counters) {
        const v = num(r[c]);
        entry.sums[c] = MAX_COUNTERS.has(c) ? Math.max(entry.sums[c] ?? 0, v) : (entry.sums[c] ?? 0) + v;
      }
    }
  return out;
}

function figures(key: ReportRow['key'], s: Sums, targetMinutes: number): ReportRow {
  const w = Array.from({ length: BUCKETS }, (_, i) => s[`w${i}`] ?? 0);
  const sv = Array.from({ length: BUCKETS }, (_, i) => s[`s${i}`] ?? 0);
  const n = (c: string) => s[c] ?? 0;
  const called = n('called');
  const served = n('served');
  const rated = n('rated');
  const good = n('rated_very_satisfied') + n('rated_satisfied') + n('rated_basically_satisfied');
  const round = (x: number | undefined) => (x === undefined ? undefined : Math.round(x));
  const opt = <T>(name: string, v: T | undefined) => (v === undefined ? {} : { [name]: v });
  return {
    key,
    issued: n('issued'),
    called,
    served,
    noShows: n('no_shows'),
    voided: n('voided'),
    unserved: n('unserved'),
    transferred: n('transferred'),
    referred: n('referred'),
    ...opt('waitMedianS', round(quantile(w, 0.5, called ? n('wait_max_s') : undefined))),
    ...opt('waitP90S', round(quantile(w, 0.9, called ? n('wait_max_s') : undefined))),
    ...opt('waitMaxS', called ? n('wait_max_s') : undefined),
    ...opt('waitMeanS', called ? Math.round(n('wait_s') / called) : undefined),
    ...opt('calledWithinTarget', called ? countWithin(w, targetMinutes) / called : undefined),
    ...opt('serviceMedianS', round(quantile(sv, 0.5, served ? n('service_max_s') : undefined))),
    ...opt('serviceP90S', round(quantile(sv, 0.9, served ? n('service_max_s') : undefined))),
    ...opt('serviceMeanS', served ? Math.round(n('service_s') / served) : undefined),
    ...opt('serviceMaxS', served ? n('service_max_s') : undefined),
    pauses: n('pauses'),
    pausedS: n('paused_s'),
    rated,
    verySatisfied: n('rated_very_satisfied'),
    satisfied: n('rated_satisfied'),
    basicallySatisfied: n('rated_basically_satisfied'),
    dissatisfied: n('rated_dissatisfied'),
    veryDissatisfied: n('rated_very_dissatisfied'),
    ...opt('satisfactionRate', rated ? good / rated : undefined),
    badRatings: n('rated_dissatisfied') + n('rated_very_dissatisfied'),
    defaultRatings: n('rated_default'),
    secondRatings: n('rated_second'),
    followUpsOpened: n('follow_ups_opened'),
    followUpsClosed: n('follow_ups_closed'),
    followUpsLate: n('follow_ups_late'),
    followUpsAppealed: n('follow_ups_appealed'),
    accepted: n('accepted'),
    corrections: n('corrections'),
    rejected: n('rejected'),
    consultations: n('consultations'),
    amended: n('amended'),
    breaches: n('breaches'),
    lapsed: n('lapsed'),
    complaints: n('complaints'),
    complaintsReplied: n('complaints_replied'),
    complaintsRepliedLate: n('complaints_replied_late'),
    complaintsEscalated: n('complaints_escalated'),
    complaintsClosed: n('complaints_closed'),
    complaintsSatisfied: n('complaints_satisfied'),
  } as ReportRow;
}

function rowKey(k: Record<string, unknown>): ReportRow['key'] {
  const key: ReportRow['key'] = {};
  if ('clerk' in k) key.clerk = String(k.clerk ?? '');
  if ('window_no' in k) key.window = num(k.window_no);
  if ('service_code' in k) key.serviceCode = String(k.service_code ?? '');
  if ('department' in k) key.department = String(k.department ?? '');
  if ('hour' in k) key.hour = num(k.hour);
  if ('day' in k) key.day = String(k.day);
  return key;
}

const order = (a: ReportRow, b: ReportRow) =>
  (a.key.day ?? '').localeCompare(b.key.day ?? '') ||
  (a.key.hour ?? 0) - (b.key.hour ?? 0) ||
  (a.key.window ?? 0) - (b.key.window ?? 0) ||
  (a.key.department ?? '').localeCompare(b.key.department ?? '') ||
  (a.key.serviceCode ?? '').localeCompare(b.key.serviceCode ?? '') ||
  (a.key.clerk ?? '').localeCompare(b.key.clerk ?? '');

/** The report from the rows its compiled queries returned (in the order of `compileReport`'s parts). */
export function finishReport(spec: ReportSpec, partRows: readonly Record<string, unknown>[][], pauseRows: readonly Record<string, unknown>[], waitTargetMinutes = 20): Report {
  const summed = sumRows(spec, partRows);
  const rows = [...summed.values()].map((e) => figures(rowKey(e.key), e.sums, waitTargetMinutes)).sort(order);
  const all = sumRows({ ...spec, breakdown: 'hall' }, partRows).values().next().value?.sums ?? {};
  return {
    spec,
    waitTargetMinutes,
    rows,
    total: figures({}, all, waitTargetMinutes),
    pauseReasons: pauseRows
      .map((r) => ({ reason: String(r.reason ?? ''), pauses: num(r.pauses), pausedS: num(r.paused_s) }))
      .filter((r) => r.pauses > 0)
      .sort((a, b) => b.pausedS - a.pausedS),
  };
}
