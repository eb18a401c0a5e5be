import { emptyView, unconfiguredCatalogue, type Case, type Catalogue, type HallEvent } from '@servicehall/core';
import {
  eventFacts,
  FACT_TABLES,
  FACT_TABLE_LIST,
  factDdl,
  factDdlSteps,
  FactFolder,
  FactSums,
  upsertSql,
  type FactIncrement,
  type RowChange,
} from '@servicehall/reports/facts';
import type { Db } from './db';
import { CASE_FIELDS, caseOfRow, type CaseRow } from './rows';

type Statement = ReturnType<Db['prepare']> & { run(...params: unknown[]): unknown; all(...params: unknown[]): unknown[] };

/**
 * The fact tables of the reports in the hall's database: increments applied with prepared
 * statements (one per table and set of counters, made once) in the event's own transaction.
 */
export class FactWriter {
  private readonly statements = new Map<string, Statement>();
  /** Increments held while a batch of commands runs (see hold), written as one row change per row at its end. */
  private held: FactIncrement[] | undefined;
  private holding = 0;
  /** `only`: the tables to write (a migration of a hall whose later tables are not made yet); all by default. */
  constructor(
    private readonly db: Db,
    private readonly only?: ReadonlySet<string>,
  ) {}

  apply(facts: readonly FactIncrement[]): void {
    if (this.held) for (const f of facts) this.held.push(f);
    else this.write(facts);
  }

  /** Increments summed per row (FactSums) and written, one row change per row. */
  write(facts: readonly FactIncrement[]): void {
    const sums = new FactSums();
    sums.add(facts);
    this.flush(sums);
  }

  /** The rows summed so far, written (FactSums.take: a few statement shapes per table, each made once). */
  flush(sums: FactSums): void {
    for (const change of sums.take()) this.run(change);
  }

  /**
   * Holds the increments of what runs until the matching `release` (nested holds count), which
   * writes them in the transaction still open, one row change per row: a batch of commands makes
   * many increments of the same rows (the hour's, the desk's, the month's).
   */
  hold(): void {
    if (this.holding++ === 0) this.held = [];
  }

  release(): void {
    if (--this.holding > 0) return;
    const held = this.held ?? [];
    this.held = undefined;
    if (held.length > 0) this.write(held);
  }

  /** Where the held increments stand now: a command rolled back goes back to it (see `drop`). */
  mark(): number {
    return this.held?.length ?? 0;
  }

  /** Forgets the increments held after `mark` (a command whose savepoint was rolled back). */
  drop(mark: number): void {
    if (this.held) this.held.length = Math.min(this.held.length, mark);
  }

  run(r: RowChange): void {
    if (this.only && !this.only.has(r.table.name)) return;
    const key = `${r.table.name}|${r.counters.join(',')}`;
    let st = this.statements.get(key);
    if (!st) this.statements.set(key, (st = this.db.prepare(upsertSql(r.table, r.counters, 'sqlite'))));
    st.run(...r.values);
  }
}

/** An event row of the log as its reader gives it (see store.ts eventOf): the type, sequence and time in columns. */
function eventOfRow(r: { seq: number; at: number; type: string; body: string }): HallEvent {
  const event = JSON.parse(r.body) as HallEvent;
  event.seq = r.seq;
  event.at = r.at;
  event.type = r.type as HallEvent['type'];
  return event;
}

/**
 * Fills the fact tables from the event log, folded from its first event by the same rules the hub
 * applies to each new one: a hall upgraded to reports has its whole history in them.
 */
export function backfillFacts(db: Db): { events: number } {
  const caseByNumber = db.prepare<[string], CaseRow>(`SELECT ${CASE_FIELDS} FROM cases WHERE number = ?`);
  const caseOf = (number: string): Case | undefined => {
    const row = caseByNumber.get(number);
    return row ? caseOfRow(row) : undefined;
  };
  const folder = new FactFolder({ caseOf });
  const writer = new FactWriter(db);
  // A fold of the log makes many increments of the same rows in a day: summed, then written a row at a time.
  const buffer = new FactSums();
  const page = db.prepare<[number, number], { seq: number; at: number; type: string; body: string }>('SELECT seq, at, type, body FROM events WHERE seq > ? ORDER BY seq LIMIT ?');
  let seq = 0;
  let events = 0;
  for (let whole = true; whole; ) {
    const rows = page.all(seq, 5000);
    if (rows.length === 0) break;
    for (const r of rows) {
      // A log with a gap (none has one: the log is append-only) is folded up to it.
      if (r.seq !== folder.view.seq + 1) {
        whole = false;
        break;
      }
      buffer.add(folder.apply(eventOfRow(r)));
      events++;
    }
    if (buffer.size > 50_000) writer.flush(buffer);
    seq = rows[rows.length - 1]!.seq;
  }
  writer.flush(buffer);
  return { events };
}

export const REPORTS_MIGRATION = {
  version: 50,
  name: "reports: fact tables kept as events are applied (by item and hour, by desk and hour, by desk and month, pauses), filled from the log",
  sql: factDdl('sqlite').join(';\n'),
  run: (db: Db) => void backfillFacts(db),
};

/**
 * The complaints' counters for a database whose fact tables were made before complaints were
 * counted (migration 50 as it first was): the columns, and the complaints' facts from the log.
 * A database that took migration 50 as it is now has both, and this does nothing.
 */
export const REPORTS_COMPLAINTS_MIGRATION = {
  version: 51,
  name: "reports: complaints counted (received, replied, replied late, escalated, closed, complainant satisfied), filled from the log; no index by clerk or window",
  sql: '',
  run: (db: Db) => {
    // Migration 50 as it first was made indexes by clerk and window, which SQLite took to group a day's report by them, reading every row.
    for (const t of FACT_TABLE_LIST) for (const k of ['clerk', 'window']) db.exec(`DROP INDEX IF EXISTS "${t.name}_${k}"`);
    const columns = (db.prepare(`PRAGMA table_info(${FACT_TABLES.itemHours.name})`).all() as { name: string }[]).map((c) => c.name);
    if (columns.includes('complaints')) return;
    for (const statement of factDdlSteps('sqlite').find((s) => s.step === 2)!.statements) db.exec(statement);
    const text = db.prepare<[], { value: string }>("SELECT value FROM hall WHERE key = 'catalogue'").get()?.value;
    const view = emptyView(text ? (JSON.parse(text) as Catalogue) : unconfiguredCatalogue(), '');
    // The tables such a hall has (the desk-by-day one comes after, from these: migration 52).
    const made = new Set((db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map((t) => t.name));
    const writer = new FactWriter(db, made);
    for (const r of db.prepare<[], { seq: number; at: number; type: string; body: string }>("SELECT seq, at, type, body FROM events WHERE type = 'complaint.changed' ORDER BY seq").all())
      writer.apply(eventFacts(eventOfRow(r), {}, view));
  },
};

/**
 * The desk-by-day table for a database whose fact tables were made before it (migrations 50 and 51
 * as they first were): the table, filled from the desk-by-hour rows (no fold of the log needed).
 * A database that took migration 50 as it is now has it, and this does nothing.
 */
export const REPORTS_DESK_DAYS_MIGRATION = {
  version: 52,
  name: 'reports: a desk-by-day fact table (a day of clerks or windows reads its desks, not their every hour), filled from the desk-by-hour one',
  sql: '',
  run: (db: Db) => {
    if (db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(FACT_TABLES.deskDays.name)) return;
    for (const statement of factDdlSteps('sqlite').find((s) => s.step === 3)!.statements) db.exec(statement);
  },
};

/** The wait target of the staffing plan and the reports' share called in time: 80 % within 20 minutes unless said otherwise. */
export const DEFAULT_WAIT_TARGET = { share: 0.8, minutes: 20 } as const;
