import { FACT_TABLE_LIST } from '@servicehall/reports/facts';
import Database from 'better-sqlite3';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { newestBackup } from './backup';
import { checkDatabaseFile, DATABASE_FILE, databaseAccess, HubRefusal, makeDataFolder, REFUSED_EXIT_CODE, USAGE_EXIT_CODE, UsageMistake } from './files';
import { log } from './log';
import { sqliteWorker } from './sqlite-worker';
import type { Worker } from 'node:worker_threads';
import { opsText, THEN_START_HUB, type Bilingual } from './ops-strings';

/** Present while a hub runs on the data folder; found at start, it means the last one did not stop cleanly. */
export const RUNNING_MARKER = 'hub.running';
/** Left when the check in the background found the database damaged: the hub refuses to start until a restore (or a whole check that passes) removes it. */
export const DAMAGED_MARKER = 'hub.damaged';
export { DATABASE_FILE, HubRefusal, REFUSED_EXIT_CODE, USAGE_EXIT_CODE, UsageMistake };
/**
 * A database up to this size is checked whole (quick_check, about 200 MB/s here) before the hub
 * opens it. A bigger one, a busy hall's year, would keep the hall waiting: its small tables are
 * checked before, and the whole of it in the background while the hub serves.
 */
export const WHOLE_CHECK_UP_TO_BYTES = 256 * 1024 * 1024;
/** The tables that grow with the hall's history: left to the background check of a big database. */
export const HISTORY_TABLES: readonly string[] = [
  'events',
  'tickets',
  'commands',
  'cases',
  'ratings',
  'personal_data',
  'personal_data_access',
  'follow_ups',
  'notify_outbox',
  'notify_attempts',
  'complaints',
  'case_routes',
  'deliveries',
  'evidence_files',
  'alerts',
  'audit',
  'used_links',
  'phone_links',
  'number_leases',
  // The reports' fact tables: 120 MB on a busy hall's year, a second of the check before the hub serves.
  ...FACT_TABLE_LIST.map((t) => t.name),
];

interface Marker {
  pid: number;
  startedAt: string;
  /** Linux's boot id: a pid from an earlier boot is not this boot's process of the same number. */
  boot?: string;
}

export interface StartCheck {
  /**
   * `new`: no database yet; `quick`: quick_check after a clean stop; `full`: integrity_check after
   * a crash; `partial`: a big database after a clean stop, its small tables checked before the
   * start and the whole of it in the background (see WHOLE_CHECK_UP_TO_BYTES).
   */
  kind: 'new' | 'quick' | 'full' | 'partial';
  bytes: number;
  ms: number;
  /** The process that ran the hub last and did not stop cleanly. */
  uncleanStop?: { pid: number; startedAt: string };
}


function bootId(): string | undefined {
  try {
    return fs.readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  } catch {
    return undefined;
  }
}

/** Whether a process of this id is there (signal 0 only asks; one of another user's is there too). */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readMarker(dataDir: string): Marker | undefined {
  try {
    const marker = JSON.parse(fs.readFileSync(path.join(dataDir, RUNNING_MARKER), 'utf8')) as Marker;
    return typeof marker.pid === 'number' ? marker : { pid: 0, startedAt: '?' };
  } catch (error) {
    // A marker cut short by the crash it records still records a crash.
    return (error as NodeJS.ErrnoException).code === 'ENOENT' ? undefined : { pid: 0, startedAt: '?' };
  }
}

/** The other live process that runs a hub on `dataDir`, if one does. */
export function runningHub(dataDir: string): Marker | undefined {
  const marker = readMarker(dataDir);
  if (!marker || marker.pid === 0 || marker.pid === process.pid || !alive(marker.pid)) return undefined;
  const boot = bootId();
  if (marker.boot && boot && marker.boot !== boot) return undefined;
  return marker;
}

/** SQLite's words for a damaged file (or none of its own); any other failure to read it is the disk's or the folder's, not the database's. */
const DAMAGE = /^SQLITE_(CORRUPT|NOTADB)/;

/**
 * What SQLite says is wrong with the database, or undefined when it is whole. A database it cannot
 * read for another reason (a full or read-only disk, its permissions, another program's lock) is
 * not called damaged: that refusal says so, and asks for no restore, then `then`: start the hub, or run the operator's command again.
 */
export function databaseProblem(file: string, kind: 'quick' | 'full' | 'partial', then: Bilingual = THEN_START_HUB): string | undefined {
  // A file this account may not read is said with whose it is, not as SQLite's bare "unable to open database file".
  databaseAccess(file, 'read', then);
  let db: Database.Database | undefined;
  try {
    // Read-only: a damaged file is not written, not even by a checkpoint at close.
    db = new Database(file, { readonly: true, fileMustExist: true });
    const check = (pragma: string) => (db!.pragma(pragma) as Record<string, string>[]).map((r) => Object.values(r)[0]!).filter((m) => m !== 'ok');
    let found: string[];
    if (kind === 'partial') {
      const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").all() as { name: string }[]).map((r) => r.name);
      found = tables.filter((t) => !HISTORY_TABLES.includes(t)).flatMap((t) => check(`quick_check("${t.replace(/"/g, '""')}")`));
    } else found = check(kind === 'quick' ? 'quick_check(5)' : 'integrity_check(5)');
    if (found.length > 0) return found.join('; ');
    if (!db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'events'").get()) return 'no event log in it';
    return undefined;
  } catch (error) {
    // Only SQLite's own word is damage: better-sqlite3's errors of its own (a folder that is not there) are not.
    if (!(error instanceof Database.SqliteError) || !DAMAGE.test(error.code)) throw new HubRefusal(opsText('unreadable', { file, problem: error instanceof Error ? error.message : String(error), then }));
    return error instanceof Error ? error.message : String(error);
  } finally {
    db?.close();
  }
}

/**
 * Checks the hall database before the hub uses it: quick_check after a clean stop, the whole
 * integrity_check after a crash (the running marker was left behind). A damaged database is left
 * as it is and the hub refuses to start, naming the newest backup to restore. Also refuses when
 * another hub process runs on the same data folder: there is one writer.
 */
export async function checkAtStart(dataDir: string, backupDir?: string, wholeUpToBytes = WHOLE_CHECK_UP_TO_BYTES): Promise<StartCheck> {
  const started = performance.now();
  const other = runningHub(dataDir);
  if (other) throw new HubRefusal(opsText('otherHub', { pid: other.pid, since: other.startedAt, dir: dataDir }));
  const file = path.join(dataDir, DATABASE_FILE);
  const damaged = path.join(dataDir, DAMAGED_MARKER);
  if (fs.existsSync(damaged)) throw new HubRefusal(fs.readFileSync(damaged, 'utf8').trim());
  if (!fs.existsSync(file)) return { kind: 'new', bytes: 0, ms: 0 };
  // An empty file is a new hall's, unless the folder held a hall before: that refusal says what happened (see checkDatabaseFile).
  if (fs.statSync(file).size === 0) {
    checkDatabaseFile(dataDir);
    return { kind: 'new', bytes: 0, ms: 0 };
  }
  const marker = readMarker(dataDir);
  const bytes = fs.statSync(file).size + (fs.existsSync(`${file}-wal`) ? fs.statSync(`${file}-wal`).size : 0);
  const kind = marker ? 'full' : bytes <= wholeUpToBytes ? 'quick' : 'partial';
  if (marker) log.warn({ previous: { pid: marker.pid, startedAt: marker.startedAt } }, opsText('uncleanStop', { pid: marker.pid }));
  const problem = databaseProblem(file, kind);
  if (problem) throw new HubRefusal(await damageMessage(file, problem, backupDir));
  return { kind, bytes, ms: Math.round(performance.now() - started), ...(marker ? { uncleanStop: { pid: marker.pid, startedAt: marker.startedAt } } : {}) };
}

/** What to say of a damaged database: what is wrong, and the command that restores the newest backup. */
export async function damageMessage(file: string, problem: string, backupDir?: string, found: 'at start' | 'while serving' = 'at start'): Promise<string> {
  const newest = backupDir ? await newestBackup(backupDir).catch(() => undefined) : undefined;
  const next = newest ? opsText('restoreNewest', { backup: newest.path }) : backupDir ? opsText('noBackup', { dir: backupDir }) : opsText('noBackupDir');
  return `${opsText(found === 'at start' ? 'damaged' : 'damagedWhileServing', { file, problem })}\n${next}`;
}

const CHECK_WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
let db;
try {
  db = new Database(workerData.file, { readonly: true, fileMustExist: true });
  const found = db.pragma('quick_check(5)').map((r) => Object.values(r)[0]).filter((m) => m !== 'ok');
  parentPort.postMessage(found.length ? { kind: 'damaged', problem: found.join('; ') } : { kind: 'whole' });
} catch (e) {
  const message = e && e.message ? e.message : String(e);
  // Only SQLite's own verdict of corruption is damage; a busy file, an I/O error, no memory is a check that could not finish.
  parentPort.postMessage(new RegExp(workerData.damage).test(e && e.code) ? { kind: 'damaged', problem: message } : { kind: 'unfinished', reason: (e && e.code ? e.code + ': ' : '') + message });
} finally {
  try { if (db) db.close(); } catch {}
}
`;

/** What one whole check in the background found: the database whole, damaged (SQLite says so), or nothing (it could not finish). */
export type BackgroundVerdict = { kind: 'whole' } | { kind: 'damaged'; problem: string } | { kind: 'unfinished'; reason: string };

/** One whole quick_check in a worker. Its worker failing (out of memory, killed) is a check unfinished, not damage. */
export function checkOnce(file: string): { verdict: Promise<BackgroundVerdict>; worker: Worker } {
  // The worker's source is a string: it is given the same test of damage as databaseProblem's.
  const worker = sqliteWorker(CHECK_WORKER, { file, damage: DAMAGE.source });
  const verdict = new Promise<BackgroundVerdict>((resolve) => {
    worker.once('message', (found: BackgroundVerdict) => resolve(found));
    worker.once('error', (error) => resolve({ kind: 'unfinished', reason: `the check's worker failed: ${error.message}` }));
    worker.once('exit', (code) => resolve({ kind: 'unfinished', reason: `the check's worker ended (exit code ${code}) before it finished` }));
  });
  return { verdict, worker };
}

/** How long after a check that could not finish the next one begins. */
export const CHECK_RETRY_MS = 15 * 60_000;

/**
 * The whole quick_check of a big database, in a worker beside the running hub (a read transaction
 * in WAL mode: the hub writes on meanwhile). Resolves with the problem found when SQLite finds the
 * database damaged, or undefined when it is whole; `stop` ends it (the hub is closing) and it then
 * resolves with undefined. A check that could not finish (its worker out of memory or ended, an I/O
 * error, the file busy or gone) is logged as such and tried again after `retryMs`: it is no damage.
 */
export function checkInBackground(file: string, retryMs = CHECK_RETRY_MS): { result: Promise<string | undefined>; stop(): void } {
  let stopped = false;
  let current: Worker | undefined;
  let retry: NodeJS.Timeout | undefined;
  let settle!: (problem: string | undefined) => void;
  const result = new Promise<string | undefined>((resolve) => (settle = resolve));
  const attempt = (n: number) => {
    const check = checkOnce(file);
    current = check.worker;
    void check.verdict.then((verdict) => {
      void check.worker.terminate();
      if (stopped) return;
      if (verdict.kind === 'unfinished') {
        log.warn({ reason: verdict.reason, attempt: n, retryInMinutes: retryMs / 60_000 }, opsText('checkUnfinished', { file, reason: verdict.reason, minutes: Math.round((retryMs / 60_000) * 10) / 10 }));
        retry = setTimeout(() => attempt(n + 1), retryMs);
        retry.unref();
        return;
      }
      settle(verdict.kind === 'damaged' ? verdict.problem : undefined);
    });
  };
  attempt(1);
  return {
    result,
    stop() {
      stopped = true;
      clearTimeout(retry);
      void current?.terminate();
      settle(undefined);
    },
  };
}

/** Marks the database damaged (the background check found it so), with what to say at the next start. */
export function markDamaged(dataDir: string, message: string): void {
  fs.writeFileSync(path.join(dataDir, DAMAGED_MARKER), message + '\n', { mode: 0o600 });
}

/** Leaves the running marker in the data folder; the returned function removes it at a clean stop. */
export function markRunning(dataDir: string): () => void {
  makeDataFolder(dataDir);
  const file = path.join(dataDir, RUNNING_MARKER);
  const marker: Marker = { pid: process.pid, startedAt: new Date().toISOString(), ...(bootId() ? { boot: bootId() } : {}) };
  try {
    fs.writeFileSync(file, JSON.stringify({ ...marker, host: os.hostname() }) + '\n', { mode: 0o600 });
  } catch (error) {
    // A new hall's first write on a full disk: said as the data folder's problem, and no empty marker left to read as an unclean stop.
    fs.rmSync(file, { force: true });
    throw new HubRefusal(opsText('dataFolder', { dir: path.resolve(dataDir), problem: (error as Error).message }));
  }
  return () => fs.rmSync(file, { force: true });
}
