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
  type FactTable,
  type RowChange,
} from '@servicehall/reports/facts';
import type { Db } from './db';
import { CASE_FIELDS, caseOfRow, eventOf, type CaseRow, type EventRow } from './rows';

type Statement = ReturnType<Db['prepare']> & { run(...params: unknown[]): unknown; all(...params: unknown[]): unknown[] };

/**
 * The hall's keys under which the hub keeps the last event whose facts a fact table holds: this
 * and the table's name (`facts_seq:report_desk_hours`). This key alone is where hubs before
 * 2026-12-03 kept one such event for all the tables (writtenSeq reads it where a table has none).
 */
export const FACTS_SEQ_KEY = 'facts_seq';
const seqKeyOf = (table: FactTable) => `${FACTS_SEQ_KEY}:${table.name}`;

/**
 * How often the hub writes each table's fact rows (about): the increments of the events committed
 * meanwhile wait in memory, summed per row. The hub writes one table at a time, in turns
 * (HallStore.writeNextFacts): all of them in one go held its commands 12 to 16 ms once a second at
 * 1,700 commands a second. A report reads them all first (HallStore.writeFacts).
 */
export const FACTS_EVERY_MS = 1000;
/** How often the hub's timer writes a table's rows: each table about every FACTS_EVERY_MS. */
export const FACTS_TURN_MS = FACTS_EVERY_MS / FACT_TABLE_LIST.length;

/**
 * The fact tables of the reports in the hall's database: increments applied with prepared
 * statements (one per table and set of counters, made once).
 *
 * The hub's own writer keeps them apart from its commands' transactions: the increments of the
 * events committed are summed per row in memory (pending) and written now and then in one go
 * (writePending), with the last event they hold (FACTS_SEQ_KEY) in the same transaction. Written
 * at each batch's end instead, they were about a fifth of the hub's thread under HTTP commands. A
 * hub that stops without writing them folds the log after that event when it starts again
 * (HallStore.catchUpFacts), so the tables never lose or count twice an event.
 */
export class FactWriter {
  private readonly statements = new Map<string, Statement>();
  /** Increments held while a batch of commands runs (see hold): they join the pending ones at its end. */
  private held: FactIncrement[] | undefined;
  private holding = 0;
  /** Increments of events applied and not held, summed per row, not written yet (see writePending). */
  private pending = new FactSums();
  /** The tables this writer keeps. */
  readonly tables: readonly FactTable[];
  private readonly st;

  /** `only`: the tables to write (a migration of a hall whose later tables are not made yet); all by default. */
  constructor(
    private readonly db: Db,
    private readonly only?: ReadonlySet<string>,
  ) {
    this.tables = FACT_TABLE_LIST.filter((t) => !only || only.has(t.name));
    this.st = {
      seq: db.prepare<[string], { value: string }>('SELECT value FROM hall WHERE key = ?'),
      putSeq: db.prepare('INSERT INTO hall (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value'),
      keepSeq: db.prepare('INSERT OR IGNORE INTO hall (key, value) VALUES (?, ?)'),
      dropSeq: db.prepare('DELETE FROM hall WHERE key = ?'),
    };
  }

  /** An event's increments: held with its batch's, else pending (the hub's events), written by writePending. */
  apply(facts: readonly FactIncrement[]): void {
    if (facts.length === 0) return;
    if (this.held) for (const f of facts) this.held.push(f);
    else this.pending.add(facts);
  }

  /** Increments summed per row (FactSums) and written now, one row change per row (migrations). */
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
   * Holds the increments of what runs until the matching `release` (nested holds count): a command
   * rolled back drops its own (mark, drop), and the batch's join the pending ones at its end.
   */
  hold(): void {
    if (this.holding++ === 0) this.held = [];
  }

  release(): void {
    if (--this.holding > 0) return;
    const held = this.held ?? [];
    this.held = undefined;
    if (held.length > 0) this.pending.add(held);
  }

  /** Whether a batch holds increments now (its transaction is open). */
  get isHolding(): boolean {
    return this.holding > 0;
  }

  /** Whether rows of `table` wait to be written. */
  hasPending(table: FactTable): boolean {
    return this.pending.has(table);
  }

  /**
   * Writes the pending rows of `tables` (every table by default), and that each table with nothing
   * pending now holds the events up to `seq` (those written, and those whose events moved nothing in
   * them), in the transaction the caller has open: its rollback takes both back (and the caller then
   * calls catchUp). Not while a batch holds increments: they would not be in the rows written.
   */
  writePending(seq: number, tables: readonly FactTable[] = this.tables): void {
    this.splitLegacySeq();
    for (const table of tables) for (const change of this.pending.take(table)) this.run(change);
    for (const table of this.tables) if (!this.pending.has(table)) this.st.putSeq.run(seqKeyOf(table), String(seq));
  }

  /** A hall written before the tables had a last event each: the one of all of them becomes each table's. */
  private splitLegacySeq(): void {
    const legacy = this.st.seq.get(FACTS_SEQ_KEY)?.value;
    if (legacy === undefined) return;
    for (const table of FACT_TABLE_LIST) this.st.keepSeq.run(seqKeyOf(table), legacy);
    this.st.dropSeq.run(FACTS_SEQ_KEY);
  }

  /** Forgets the pending increments (a transaction that held some rolled back): catchUp makes them again from the log. */
  discardPending(): void {
    this.pending = new FactSums();
  }

  /** The last event whose facts `table` holds, or undefined where none was ever recorded (written with each event then). */
  writtenSeq(table: FactTable): number | undefined {
    const value = this.st.seq.get(seqKeyOf(table))?.value ?? this.st.seq.get(FACTS_SEQ_KEY)?.value;
    return value === undefined ? undefined : Number(value);
  }

  /**
   * Makes the pending increments of the events after each table's last one up to `seq` again, by
   * the fold of the log from the start of the hall day of the earliest (factFolderAt), each table
   * given those of the events after its own: what a hub that stopped without writing them, or a
   * transaction rolled back, left out. Returns how many events it folded.
   */
  catchUp(seq: number): number {
    this.discardPending();
    const written = new Map(this.tables.map((t) => [t, this.writtenSeq(t) ?? seq]));
    const from = Math.min(seq, ...written.values()) + 1;
    if (from > seq) return 0;
    const folder = factFolderAt(this.db, from);
    return eachEvent(this.db, from, seq, (event) => {
      const facts = folder.apply(event);
      this.pending.add(facts, (table) => event.seq > (written.get(table) ?? Number.MAX_SAFE_INTEGER));
    });
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

/**
 * The log's events from `from` to `to` (both included), in order, a page at a time, until `fn`
 * returns false (that event not counted); returns how many were given to `fn` and taken.
 */
function eachEvent(db: Db, from: number, to: number, fn: (event: HallEvent) => boolean | void): number {
  const page = db.prepare<[number, number, number], EventRow>('SELECT seq, at, type, command_id, body FROM events WHERE seq >= ? AND seq <= ? ORDER BY seq LIMIT ?');
  let events = 0;
  for (let next = from; next <= to; ) {
    const rows = page.all(next, to, 5000);
    if (rows.length === 0) break;
    for (const r of rows) {
      if (fn(eventOf(r)) === false) return events;
      events += 1;
    }
    next = rows[rows.length - 1]!.seq + 1;
  }
  return events;
}

/** A case as the database holds it now, by its number (the fold's facts of a case's outcome need its item, window and clerk). */
function caseLookup(db: Db): (number: string) => Case | undefined {
  const caseByNumber = db.prepare<[string], CaseRow>(`SELECT ${CASE_FIELDS} FROM cases WHERE number = ?`);
  return (number) => {
    const row = caseByNumber.get(number);
    return row ? caseOfRow(row) : undefined;
  };
}

/**
 * A fold of the log that applies `seq` next: begun at the start of the hall day that holds it, with
 * the hall's catalogue as it stood then (a day's facts need only that day; open cases are looked up,
 * follow-ups carry themselves). The hub's facts after a stop without writing them, and the city's
 * as a hall's log is shipped, are made so.
 */
export function factFolderAt(db: Db, seq: number): FactFolder {
  const dayStart = db.prepare<[number], { seq: number }>("SELECT seq FROM events WHERE seq <= ? AND type = 'day.opened' ORDER BY seq DESC LIMIT 1").get(seq)?.seq ?? 1;
  const catalogueRow = db.prepare<[number], { body: string }>("SELECT body FROM events WHERE seq < ? AND type = 'catalogue.replaced' ORDER BY seq DESC LIMIT 1").get(dayStart);
  const stored = db.prepare<[], { value: string }>("SELECT value FROM hall WHERE key = 'catalogue'").get();
  const catalogue = catalogueRow ? (JSON.parse(catalogueRow.body) as { catalogue: Catalogue }).catalogue : stored ? (JSON.parse(stored.value) as Catalogue) : undefined;
  const folder = new FactFolder({ caseOf: caseLookup(db) }, catalogue);
  folder.view.seq = dayStart - 1;
  eachEvent(db, dayStart, seq - 1, (event) => {
    folder.apply(event);
  });
  return folder;
}

/**
 * Fills the fact tables from the event log, folded from its first event by the same rules the hub
 * applies to each new one: a hall upgraded to reports has its whole history in them.
 */
export function backfillFacts(db: Db): { events: number } {
  const folder = new FactFolder({ caseOf: caseLookup(db) });
  const writer = new FactWriter(db);
  // A fold of the log makes many increments of the same rows in a day: summed, then written a row at a time.
  const buffer = new FactSums();
  const events = eachEvent(db, 1, Number.MAX_SAFE_INTEGER, (event) => {
    // A log with a gap (none has one: the log is append-only) is folded up to it.
    if (event.seq !== folder.view.seq + 1) return false;
    buffer.add(folder.apply(event));
    if (buffer.size > 50_000) writer.flush(buffer);
  });
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
    for (const r of db.prepare<[], EventRow>("SELECT seq, at, type, command_id, body FROM events WHERE type = 'complaint.changed' ORDER BY seq").all())
      writer.write(eventFacts(eventOf(r), {}, view));
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

/**
 * The tickets not served by the day's end (未办理) for a database whose fact tables were made before
 * they were counted: the column in every table that keeps tickets. Nothing to fill: the events that
 * count them (ticket.dayEnded) came with it. A database that took migration 50 as it is now has it.
 */
export const REPORTS_DAY_END_MIGRATION = {
  version: 130,
  name: 'reports: tickets the hall day ended before they were served (未办理) counted',
  sql: '',
  run: (db: Db) => {
    // Each table that lacks it (a desk-by-day table made by migration 52 after this one's was written has none).
    const lacks = (table: string) => !(db.prepare(`PRAGMA table_info("${table}")`).all() as { name: string }[]).some((c) => c.name === 'unserved');
    for (const statement of factDdlSteps('sqlite').find((s) => s.step === 4)!.statements) if (lacks(/ALTER TABLE "([^"]+)"/.exec(statement)![1]!)) db.exec(statement);
  },
};

/** The wait target of the staffing plan and the reports' share called in time: 80 % within 20 minutes unless said otherwise. */
export const DEFAULT_WAIT_TARGET = { share: 0.8, minutes: 20 } as const;
