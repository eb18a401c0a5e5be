import type { HallEvent } from '@servicehall/core';
import { factFolderAt } from '@servicehall/hub/report-facts';
import { eventOf } from '@servicehall/hub/rows';
import { type FactFolder, factDdl, factDdlSteps, FactSums, FACT_TABLES, FACT_TABLE_LIST, onConflictAdd, type FactIncrement, type FactTable, type RowChange } from '@servicehall/reports';
import type Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import type pg from 'pg';
import { pgSafeText, type LogRow } from './mask';
import { rollBack } from './transaction';

/**
 * The city's PostgreSQL schema holding one hall's fact tables (the hall's own tables, by the same definitions):
 * a readable part of the hall's code, then a hash of the exact code, so that halls whose codes differ only in
 * case or punctuation (330106-01 and 330106.01, HALL-A and hall_a) have schemas of their own, and a long code
 * stays within PostgreSQL's 63 bytes. City migration 76 computes the same name in SQL: change both or neither.
 */
export function hallSchema(hall: string): string {
  const readable = hall.replace(/[^A-Za-z0-9_]/gu, '_').toLowerCase().slice(0, 40);
  return `hall_${readable}_${createHash('md5').update(hall, 'utf8').digest('hex').slice(0, 10)}`;
}

const q = (name: string) => `"${name.replace(/"/g, '""')}"`;

/** An event as the hall's log holds it, whole (the fold reads the hall's own events, before any masking). */
export const hallEventOf = (r: LogRow): HallEvent => eventOf(r);

/**
 * Makes the hall's schema with the fact tables of packages/reports, in PostgreSQL's dialect, when it
 * has none; `fill` then adds the facts of what the city already holds, in the same transaction. A
 * schema made at an earlier step of the tables (factDdlSteps) gets the steps after it: the
 * desk-by-day table, filled from the desk-by-hour one; the tickets not served by the day's end.
 */
export async function ensureHallFacts(client: pg.ClientBase, hall: string, fill: () => Promise<void>): Promise<void> {
  const schema = hallSchema(hall);
  const has = async (table: string) => (await client.query('SELECT 1 FROM information_schema.tables WHERE table_schema = $1 AND table_name = $2', [schema, table])).rows.length > 0;
  const hasUnserved = async (table: string) =>
    (await client.query("SELECT 1 FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2 AND column_name = 'unserved'", [schema, table])).rows.length > 0;
  // The newest step's column in the newest step's table stands only where every step was taken.
  if (await hasUnserved(FACT_TABLES.deskDays.name)) return;
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock(7017018)');
    if (!(await has(FACT_TABLE_LIST[0]!.name))) {
      await client.query(`CREATE SCHEMA IF NOT EXISTS ${q(schema)}`);
      await client.query(`SET LOCAL search_path TO ${q(schema)}`);
      for (const statement of factDdl('postgres')) await client.query(statement);
      await client.query('SET LOCAL search_path TO DEFAULT');
      await fill();
    } else if (!(await hasUnserved(FACT_TABLES.deskDays.name))) {
      await client.query(`SET LOCAL search_path TO ${q(schema)}`);
      if (!(await has(FACT_TABLES.deskDays.name))) for (const statement of factDdlSteps('postgres').find((s) => s.step === 3)!.statements) await client.query(statement);
      // Each table that lacks it: one made by step 3 just now, or every one of a schema from before step 4.
      for (const statement of factDdlSteps('postgres').find((s) => s.step === 4)!.statements)
        if (!(await hasUnserved(/ALTER TABLE "([^"]+)"/.exec(statement)![1]!))) await client.query(statement);
      await client.query('SET LOCAL search_path TO DEFAULT');
    }
    await client.query('COMMIT');
  } catch (error) {
    await rollBack(client, error);
    throw error;
  }
}

/** Drops the hall's fact tables (a parted tail set aside): ensureHallFacts makes them again from the hall's log. */
export async function dropHallFacts(client: pg.ClientBase, hall: string): Promise<void> {
  await client.query(`DROP SCHEMA IF EXISTS ${q(hallSchema(hall))} CASCADE`);
}

/**
 * The hall's facts as its log is shipped: the same fold and fact rules as the hall's own reports
 * (packages/reports), over the hall's own events. A fold begins at the start of the hall day in
 * which shipping resumes (a day's facts need only that day, open cases and follow-ups carry
 * themselves), with the hall's catalogue as it stood then.
 */
export class CityFacts {
  private folder: FactFolder | undefined;

  constructor(private readonly db: Database.Database) {}

  /** Prepares the fold so that the next event applied is `seq`. */
  resumeAt(seq: number): void {
    this.folder = factFolderAt(this.db, seq);
  }

  /** The facts of the next events (in order, from where the fold stands). */
  apply(rows: readonly LogRow[]): FactIncrement[] {
    if (!this.folder || this.folder.view.seq + 1 !== rows[0]?.seq) this.resumeAt(rows[0]?.seq ?? 1);
    const out: FactIncrement[] = [];
    for (const r of rows) out.push(...this.folder!.apply(hallEventOf(r)));
    return out;
  }

  /** Forgets the fold (a batch that did not go): the next apply resumes from the log. */
  reset(): void {
    this.folder = undefined;
  }
}

/**
 * Adds a batch's facts to the hall's fact tables: the increments summed per row first (FactSums),
 * then one INSERT ... ON CONFLICT DO UPDATE per table for the whole batch (counters add, maxima keep the larger).
 */
export async function writeFacts(client: pg.ClientBase, hall: string, increments: readonly FactIncrement[]): Promise<void> {
  if (increments.length === 0) return;
  const sums = new FactSums();
  sums.add(increments);
  const byTable = new Map<FactTable, RowChange[]>();
  for (const change of sums.take()) (byTable.get(change.table) ?? byTable.set(change.table, []).get(change.table)!).push(change);
  const schema = q(hallSchema(hall));
  for (const [table, rows] of byTable) {
    const keyCount = table.keys.length;
    const counters = (table.counters as readonly string[]).filter((c) => rows.some((r) => r.counters.includes(c)));
    const columns = [...table.keys, ...counters];
    const valueOf = (r: RowChange, c: string) => {
      const i = r.counters.indexOf(c);
      return i < 0 ? 0 : r.values[keyCount + i];
    };
    // A key the hall's catalogue named (a department, a clerk) may hold a NUL, which PostgreSQL's text refuses: as U+FFFD.
    const keyOf = (v: unknown) => (typeof v === 'string' ? pgSafeText(v) : v);
    const arrays = [...table.keys.map((_, i) => rows.map((r) => keyOf(r.values[i]))), ...counters.map((c) => rows.map((r) => valueOf(r, c)))];
    const types = [...table.keys.map((k) => (k === 'hour' || k === 'window_no' ? 'int[]' : 'text[]')), ...counters.map(() => 'bigint[]')];
    await client.query(
      `INSERT INTO ${schema}.${q(table.name)} (${columns.map(q).join(', ')})
       SELECT * FROM unnest(${types.map((t, i) => `$${i + 1}::${t}`).join(', ')})
       ${onConflictAdd(table, counters, 'postgres')}`,
      arrays,
    );
  }
}
