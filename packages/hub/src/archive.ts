import { hallDay, type Catalogue } from '@servicehall/core';
import Database from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';
import { idsOfDay, migrate, openDatabase, type Db } from './db';
import { syncFolder } from './files';
import { DATABASE_FILE, runningHub } from './integrity';
import { opsText, THEN_RUN_AGAIN } from './ops-strings';

/**
 * A past year of the hall leaves its database for a file of its own (hall-2025.db beside hall.db):
 * its events, tickets, closed cases, ratings, closed follow-ups, appointments, the supervisors'
 * alerts that ended, and personal data with its access log. What is still open (a case waiting for
 * corrections, a follow-up not closed, an alert still standing) stays. Then the database is
 * vacuumed; a VACUUM that failed (it needs room for a copy) is done by the same command run again.
 * The hub must be stopped: the file is rewritten.
 */

export interface Archived {
  year: number;
  file: string;
  /** The sequence numbers of the events moved: the log now begins after `lastSeq`. */
  firstSeq: number;
  lastSeq: number;
  moved: Record<string, number>;
  bytesBefore: number;
  bytesAfter: number;
  /** The year was archived by an earlier run whose VACUUM failed: only the VACUUM was done now, nothing moved. */
  vacuumOnly?: true;
}

export class ArchiveRefusal extends Error {
  override name = 'ArchiveRefusal';
}

/** The year is archived, but hall.db's VACUUM failed: the message says so, and that the same command run again does it. */
export class ArchiveVacuumFailed extends Error {
  override name = 'ArchiveVacuumFailed';
}

/** hall.db's record of an archived year (the hall table's `archived:YEAR`); `vacuumed` false until its VACUUM is done (absent: archived by an earlier release). */
interface ArchivedRecord {
  file: string;
  firstSeq: number;
  lastSeq: number;
  at: number;
  vacuumed?: boolean;
}

function recordArchived(db: Db, year: number, record: ArchivedRecord): void {
  db.prepare('INSERT INTO main.hall (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(`archived:${year}`, JSON.stringify(record));
}

/** hall.db vacuumed and checkpointed, then its record says so; a failure is said as the year archived and the space still to reclaim. */
function vacuum(db: Db, year: number, file: string, record: ArchivedRecord): void {
  try {
    db.exec('VACUUM');
    recordArchived(db, year, { ...record, vacuumed: true });
    db.pragma('wal_checkpoint(TRUNCATE)');
  } catch (error) {
    const reason = error instanceof Database.SqliteError ? `${error.code}: ${error.message}` : error instanceof Error ? error.message : String(error);
    throw new ArchiveVacuumFailed(opsText('archiveVacuumFailed', { year, file, firstSeq: record.firstSeq, lastSeq: record.lastSeq, reason }));
  }
}

// The log is append-only; moving a year out lifts that guard inside each step's transaction.
const noDelete = (schema: string) => `CREATE TRIGGER ${schema}.events_no_delete BEFORE DELETE ON events BEGIN SELECT RAISE(ABORT, 'the event log is append-only'); END;`;

/** The last event of `year` (hall time): events are in time order, so a binary search over sequence numbers finds it. */
function lastSeqOf(db: Db, before: number): number {
  const at = db.prepare<[number], { at: number }>('SELECT at FROM events WHERE seq = ?');
  const range = db.prepare('SELECT MIN(seq) AS lo, MAX(seq) AS hi FROM events').get() as { lo: number | null; hi: number | null };
  let lo = (range.lo ?? 1) - 1;
  let hi = range.hi ?? 0;
  // Invariant: events up to lo are before, events after hi are not.
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    const row = at.get(mid);
    if (row && row.at < before) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** Runs `work` with the year's file attached to hall.db as `archive`, detached after whatever happens. */
function withArchive(db: Db, file: string, work: () => void): void {
  db.prepare('ATTACH ? AS archive').run(file);
  try {
    work();
  } finally {
    db.exec('DETACH archive');
  }
}

/**
 * Moves `year` out of the hall database in `dataDir` into hall-YEAR.db and vacuums; `now` decides whether the year has ended.
 * Two steps, each one file's own transaction: the year is copied into the archive, which is synced and read back, and only then
 * deleted from hall.db (SQLite commits a transaction across ATTACHed files one file at a time when the main one is in WAL mode,
 * so a power cut in one such commit could keep the deletes and lose the copy). A run stopped between them leaves hall.db whole,
 * and the next run copies again over what it left. `steps.copied` is called between the two (for tests: a stop there).
 */
export function archiveYear(dataDir: string, year: number, now: number = Date.now(), steps: { copied?: () => void } = {}): Archived {
  if (!Number.isInteger(year) || year < 2000 || year > 2999) throw new ArchiveRefusal(opsText('archiveYear', { year }));
  // The hub's running marker (see integrity.ts) says whether a hub process uses the folder now.
  const running = runningHub(dataDir);
  if (running) throw new ArchiveRefusal(opsText('archiveRunning', { dir: dataDir, pid: running.pid }));
  const main = path.join(dataDir, DATABASE_FILE);
  if (!fs.existsSync(main)) throw new ArchiveRefusal(opsText('archiveNoDatabase', { dir: dataDir }));
  const file = path.join(dataDir, `hall-${year}.db`);

  const db = openDatabase(dataDir, DATABASE_FILE, THEN_RUN_AGAIN);
  try {
    // The year is archived once hall.db says so (written with its deletes, which were counted against the archive); a file without that is from a run that stopped.
    const done = db.prepare<[string], { value: string }>('SELECT value FROM hall WHERE key = ?').get(`archived:${year}`);
    if (fs.existsSync(file) && done) {
      const record = JSON.parse(done.value) as ArchivedRecord;
      if (record.vacuumed !== false) throw new ArchiveRefusal(opsText('archivedAlready', { file, year }));
      // An earlier run's VACUUM failed (a disk without room for the copy): it is what was left to do.
      const bytesBefore = fs.statSync(main).size;
      vacuum(db, year, file, record);
      return { year, file, firstSeq: record.firstSeq, lastSeq: record.lastSeq, moved: {}, bytesBefore, bytesAfter: fs.statSync(main).size, vacuumOnly: true };
    }
    const catalogue = JSON.parse((db.prepare("SELECT value FROM hall WHERE key = 'catalogue'").get() as { value: string }).value) as Catalogue;
    const zone = catalogue.hall.timeZone;
    if (hallDay(now, zone) < `${year + 1}-01-01`) throw new ArchiveRefusal(opsText('archiveNotEnded', { year }));
    const first = db.prepare('SELECT seq, at FROM events ORDER BY seq LIMIT 1').get() as { seq: number; at: number } | undefined;
    if (!first || hallDay(first.at, zone) >= `${year + 1}-01-01`) throw new ArchiveRefusal(opsText('archiveNothing', { year }));
    if (hallDay(first.at, zone) < `${year}-01-01`) throw new ArchiveRefusal(opsText('archiveOldestFirst', { oldest: hallDay(first.at, zone).slice(0, 4) }));
    // The first instant of the next year in the hall's zone: the latest UTC midnight around it that is already next year there.
    let end = Date.parse(`${year + 1}-01-01T00:00:00Z`) - 14 * 3600_000;
    while (hallDay(end, zone) < `${year + 1}-01-01`) end += 15 * 60_000;
    const lastSeq = lastSeqOf(db, end);
    const bytesBefore = fs.statSync(main).size;

    // The archive has the hall's own schema.
    const archive = openDatabase(dataDir, `hall-${year}.db`, THEN_RUN_AGAIN);
    migrate(archive);
    archive.close();

    const from = `${year}-01-01`;
    const to = `${year}-12-31`;
    const closedFollowUps = "closed = 1 AND json_extract(body, '$.openedOn') BETWEEN ? AND ?";
    // A case is archived with the year it was last recorded in, unless it still waits for corrections.
    const archivedCases = `SELECT number FROM main.cases WHERE day BETWEEN ? AND ? AND state <> 'correction'`;
    // In the order of the deletes: each one's rows are the same whether the ones before it are deleted yet or not.
    const moves: [table: string, where: string, params: unknown[]][] = [
      ['events', 'seq <= ?', [lastSeq]],
      // Tickets are kept by id ('<day>-<number>'): the year's are a range of it.
      ['tickets', 'id > ? AND id < ?', [idsOfDay(from)[0], idsOfDay(to)[1]]],
      ['ratings', 'day BETWEEN ? AND ?', [from, to]],
      ['appointments', 'day BETWEEN ? AND ?', [from, to]],
      ['follow_ups', closedFollowUps, [from, to]],
      // Evidence goes with its follow-ups: a file no follow-up that stays here names.
      [
        'evidence_files',
        `stored_at < ? AND NOT EXISTS (SELECT 1 FROM main.follow_ups f WHERE instr(f.body, main.evidence_files.hash) > 0 AND f.id NOT IN (SELECT id FROM main.follow_ups WHERE ${closedFollowUps}))`,
        [end, from, to],
      ],
      ['complaints', "state = 'closed' AND received_on BETWEEN ? AND ?", [from, to]],
      // The supervisors' alerts of the year that have ended; one still standing stays (a new day's view keeps it).
      ['alerts', 'day BETWEEN ? AND ? AND standing = 0', [from, to]],
      // A case's finished route and its delivery go with it.
      ['case_routes', `state = 'done' AND case_number IN (${archivedCases})`, [from, to]],
      ['deliveries', `case_number IN (${archivedCases})`, [from, to]],
      ['personal_data', `case_number IN (${archivedCases})`, [from, to]],
      ['cases', "day BETWEEN ? AND ? AND state <> 'correction'", [from, to]],
      ['personal_data_access', 'at < ?', [end]],
    ];

    // Step 1, the archive's own transaction: what a stopped run left there is replaced, then synced into the file itself.
    withArchive(db, file, () => {
      const foreign = db.prepare('SELECT MIN(seq) AS seq FROM archive.events a WHERE NOT EXISTS (SELECT 1 FROM main.events m WHERE m.seq = a.seq)').get() as { seq: number | null };
      if (foreign.seq !== null) throw new ArchiveRefusal(opsText('archiveNotLeftByUs', { file, seq: foreign.seq }));
      db.pragma('archive.synchronous = FULL');
      db.transaction(() => {
        db.exec('DROP TRIGGER archive.events_no_delete');
        for (const [table] of moves) db.exec(`DELETE FROM archive.${table}`);
        db.exec(noDelete('archive'));
        for (const [table, where, params] of moves) db.prepare(`INSERT INTO archive.${table} SELECT * FROM main.${table} WHERE ${where}`).run(...params);
      })();
      const [checkpoint] = db.pragma('archive.wal_checkpoint(TRUNCATE)') as { busy: number }[];
      if (checkpoint?.busy !== 0) throw new Error(`the archive ${file} could not be checkpointed: another process has it open`);
    });
    // SQLite syncs the folder only for its journals: hall-YEAR.db's name in it, which a power cut could lose with the file, is synced before rows leave hall.db.
    syncFolder(dataDir);
    steps.copied?.();

    // Step 2, hall.db's own transaction: each table's rows leave it only as many as the archive, opened afresh, holds.
    const moved: Record<string, number> = {};
    let record: ArchivedRecord | undefined;
    withArchive(db, file, () => {
      db.transaction(() => {
        db.exec('DROP TRIGGER main.events_no_delete');
        for (const [table, where, params] of moves) {
          const copied = (db.prepare(`SELECT COUNT(*) AS n FROM archive.${table}`).get() as { n: number }).n;
          moved[table] = db.prepare(`DELETE FROM main.${table} WHERE ${where}`).run(...params).changes;
          if (moved[table] !== copied) throw new ArchiveRefusal(opsText('archiveCopyDiffers', { file, table, copied, moving: moved[table]! }));
        }
        db.exec(noDelete('main'));
        // Answers are kept for days, not years: any left from then are past their window.
        moved.commands = db.prepare('DELETE FROM main.commands WHERE at < ?').run(end).changes;
        record = { file: path.basename(file), firstSeq: first.seq, lastSeq, at: now, vacuumed: false };
        recordArchived(db, year, record);
      })();
    });
    vacuum(db, year, file, record!);
    return { year, file, firstSeq: first.seq, lastSeq, moved, bytesBefore, bytesAfter: fs.statSync(main).size };
  } finally {
    db.close();
  }
}
