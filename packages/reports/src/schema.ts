import { BUCKETS } from './buckets';

/**
 * The fact tables: counters kept per period and place as events are applied, so that a report
 * sums rows instead of reading the log. Portable types only (integers, text, no NULL in keys), so
 * that the hall's SQLite and the city's PostgreSQL hold the same tables and run the same reports.
 */

/** Where a fact happened. Text '' and window 0 stand for "none" (a key column cannot be NULL in PostgreSQL). */
export const KEY_COLUMNS = {
  day: 'text',
  month: 'text',
  hour: 'int',
  service_code: 'text',
  department: 'text',
  window_no: 'int',
  clerk: 'text',
  reason: 'text',
} as const;
export type KeyColumn = keyof typeof KEY_COLUMNS;

const waitBuckets = Array.from({ length: BUCKETS }, (_, i) => `w${i}` as const);
const serviceBuckets = Array.from({ length: BUCKETS }, (_, i) => `s${i}` as const);
export type WaitBucket = `w${number}`;
export type ServiceBucket = `s${number}`;

/** The counters, each summed; those named here as `max` keep the largest value instead. */
export const COUNTERS = [
  // Tickets (H-20).
  'issued',
  'called',
  'served',
  'no_shows',
  'voided',
  // 未办理: waiting, called or held when the hall day ended (ticket.dayEnded); added in the schema's fourth step.
  'unserved',
  'transferred',
  'referred',
  'wait_s',
  'wait_max_s',
  'service_s',
  'service_max_s',
  ...waitBuckets,
  ...serviceBuckets,
  // Pauses (H-18).
  'pauses',
  'paused_s',
  // Ratings (N-01, N-03).
  'rated',
  'rated_very_satisfied',
  'rated_satisfied',
  'rated_basically_satisfied',
  'rated_dissatisfied',
  'rated_very_dissatisfied',
  'rated_default',
  'rated_second',
  'follow_ups_opened',
  'follow_ups_closed',
  'follow_ups_late',
  'follow_ups_appealed',
  // Outcomes (H-07), one-time notice (H-03), lapsed corrections (N-05).
  'accepted',
  'corrections',
  'rejected',
  'consultations',
  'amended',
  'breaches',
  'lapsed',
  // Complaints (H-15, N-07's complaint handling): added in the schema's second step.
  'complaints',
  'complaints_replied',
  'complaints_replied_late',
  'complaints_escalated',
  'complaints_closed',
  'complaints_satisfied',
] as const;
export type Counter = (typeof COUNTERS)[number] | WaitBucket | ServiceBucket;

/** The counters each step of the fact tables' schema added (a database made at step 1 gets step 2's columns by ALTER TABLE). */
export const COMPLAINT_COUNTERS: readonly Counter[] = ['complaints', 'complaints_replied', 'complaints_replied_late', 'complaints_escalated', 'complaints_closed', 'complaints_satisfied'];

/** The counter the fourth step of the schema added. */
export const DAY_END_COUNTERS: readonly Counter[] = ['unserved'];

export const MAX_COUNTERS: ReadonlySet<string> = new Set(['wait_max_s', 'service_max_s']);

/**
 * The counters in families that move together (a call moves the wait, its maximum and a wait
 * bucket; a rating its level and the rated count). A row is written with every counter of the
 * families it moves, 0 for those that did not: so that the statements that write rows are a few
 * per table (one per set of families), not one per set of counters, of which a day makes thousands.
 */
const FAMILY_FIRST: readonly [Counter, string][] = [
  ['issued', 'tickets'],
  ['w0', 'waits'],
  ['s0', 'services'],
  ['pauses', 'pauses'],
  ['rated', 'ratings'],
  ['accepted', 'outcomes'],
  ['complaints', 'complaints'],
];
export const COUNTER_FAMILY: ReadonlyMap<string, string> = (() => {
  const out = new Map<string, string>();
  const all: readonly string[] = COUNTERS;
  let family = 'tickets';
  for (const c of all) {
    family = FAMILY_FIRST.find(([first]) => first === c)?.[1] ?? family;
    out.set(c, family);
  }
  return out;
})();
export const PAUSE_COUNTERS = ['pauses', 'paused_s'] as const;

export interface FactTable {
  name: string;
  /** The period its rows are kept for. */
  period: 'day' | 'month';
  keys: readonly KeyColumn[];
  counters: readonly Counter[];
}

/**
 * Four shapes of the same counters, each for the reports it serves fast: by item and hour (no
 * desks: items, departments, hours, days, the forecast); by desk and hour (a desk's hours); by desk
 * and day (clerks and windows over days and weeks: a tenth of the hours' rows); by desk and month
 * (clerks and windows over months and years). And the pauses with their reasons.
 */
export const FACT_TABLES = {
  itemHours: { name: 'report_item_hours', period: 'day', keys: ['day', 'hour', 'service_code', 'department'], counters: COUNTERS },
  deskHours: { name: 'report_desk_hours', period: 'day', keys: ['day', 'hour', 'service_code', 'department', 'window_no', 'clerk'], counters: COUNTERS },
  deskDays: { name: 'report_desk_days', period: 'day', keys: ['day', 'service_code', 'department', 'window_no', 'clerk'], counters: COUNTERS },
  deskMonths: { name: 'report_desk_months', period: 'month', keys: ['month', 'service_code', 'department', 'window_no', 'clerk'], counters: COUNTERS },
  pauses: { name: 'report_pauses', period: 'day', keys: ['day', 'department', 'window_no', 'clerk', 'reason'], counters: PAUSE_COUNTERS },
} as const satisfies Record<string, FactTable>;
export type FactTableName = keyof typeof FACT_TABLES;
export const FACT_TABLE_LIST: readonly FactTable[] = Object.values(FACT_TABLES);

export type Dialect = 'sqlite' | 'postgres';

const q = (name: string) => `"${name}"`;

/**
 * The fact tables' schema in `dialect`, step by step: 1 made the tables (and their indexes) with
 * the counters of tickets, pauses, ratings and outcomes; 2 added the complaints' counters; 3 added
 * the desk-by-day table, filled from the desk-by-hour one; 4 added the tickets not served by the
 * day's end (未办理). A new database takes every step
 * (factDdl); one made at an earlier step takes the steps after it.
 */
export function factDdlSteps(dialect: Dialect): { step: number; statements: string[] }[] {
  const counterType = dialect === 'postgres' ? 'BIGINT' : 'INTEGER';
  const fourth = new Set<string>(DAY_END_COUNTERS);
  const later = new Set<string>([...COMPLAINT_COUNTERS, ...fourth]);
  const first = FACT_TABLE_LIST.filter((t) => t !== FACT_TABLES.deskDays);
  const withCounters = first.filter((t) => t.counters.some((c) => later.has(c)));
  const add = (t: FactTable, counters: readonly Counter[]) => counters.map((c) => `ALTER TABLE ${q(t.name)} ADD COLUMN ${q(c)} ${counterType} NOT NULL DEFAULT 0`);
  return [
    { step: 1, statements: first.map((t) => createTable(t, dialect, later)) },
    { step: 2, statements: withCounters.flatMap((t) => add(t, COMPLAINT_COUNTERS)) },
    { step: 3, statements: [createTable(FACT_TABLES.deskDays, dialect, fourth), rollUp(FACT_TABLES.deskHours, FACT_TABLES.deskDays, fourth)] },
    { step: 4, statements: FACT_TABLE_LIST.filter((t) => t.counters.some((c) => fourth.has(c))).flatMap((t) => add(t, DAY_END_COUNTERS)) },
  ];
}

/** The rows of `to` made from those of `from`, whose keys are `to`'s and more (an hour's rows summed into its day's). */
function rollUp(from: FactTable, to: FactTable, leaveOut: ReadonlySet<string>): string {
  const keys = to.keys.map(q).join(', ');
  const names = to.counters.filter((c) => !leaveOut.has(c));
  const counters = names.map((c) => (MAX_COUNTERS.has(c) ? `MAX(${q(c)})` : `SUM(${q(c)})`)).join(', ');
  return `INSERT INTO ${q(to.name)} (${keys}, ${names.map(q).join(', ')}) SELECT ${keys}, ${counters} FROM ${q(from.name)} GROUP BY ${keys}`;
}

/** The statements that create the fact tables in `dialect`, as they stand now. */
export function factDdl(dialect: Dialect): string[] {
  return factDdlSteps(dialect).flatMap((s) => s.statements);
}

function createTable(t: FactTable, dialect: Dialect, leaveOut: ReadonlySet<string>): string {
  const counterType = dialect === 'postgres' ? 'BIGINT' : 'INTEGER';
  const keys = t.keys.map((k) => `${q(k)} ${KEY_COLUMNS[k] === 'int' ? 'INTEGER NOT NULL DEFAULT 0' : "TEXT NOT NULL DEFAULT ''"}`);
  const counters = t.counters.filter((c) => !leaveOut.has(c)).map((c) => `${q(c)} ${counterType} NOT NULL DEFAULT 0`);
  // No index by clerk or window: SQLite would read a whole table through one to group by it; a period's rows are found by the key's first column.
  return `CREATE TABLE ${q(t.name)} (${[...keys, ...counters].join(', ')}, PRIMARY KEY (${t.keys.map(q).join(', ')}))`;
}

/**
 * The statement adding one increment to `table`: its key columns, then the counters named, as
 * parameters in that order (`?` for SQLite, `$n` for PostgreSQL). Counters add; maxima keep the larger.
 */
export function upsertSql(table: FactTable, counters: readonly string[], dialect: Dialect): string {
  const columns = [...table.keys, ...counters];
  const params = columns.map((_, i) => (dialect === 'postgres' ? `$${i + 1}` : '?'));
  return `INSERT INTO ${q(table.name)} (${columns.map(q).join(', ')}) VALUES (${params.join(', ')}) ${onConflictAdd(table, counters, dialect)}`;
}

/** The clause that adds a row's counters to the row already there (the largest kept for a `max` counter). */
export function onConflictAdd(table: FactTable, counters: readonly string[], dialect: Dialect): string {
  const greatest = dialect === 'postgres' ? 'GREATEST' : 'MAX';
  const set = counters.map((c) =>
    MAX_COUNTERS.has(c) ? `${q(c)} = ${greatest}(${q(table.name)}.${q(c)}, excluded.${q(c)})` : `${q(c)} = ${q(table.name)}.${q(c)} + excluded.${q(c)}`,
  );
  return `ON CONFLICT (${table.keys.map(q).join(', ')}) DO UPDATE SET ${set.join(', ')}`;
}

/** One increment as a row change of one table: the table, the counters it adds, and the values (keys, then counters). */
export interface RowChange {
  table: FactTable;
  counters: readonly string[];
  values: (string | number)[];
}

/** The key values of a fact's place, by column. */
export interface PlaceColumns {
  day: string;
  month: string;
  hour: number;
  service_code: string;
  department: string;
  window_no: number;
  clerk: string;
  reason: string;
}

