import Database from 'better-sqlite3';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { newestBackup } from './backup';
import { log } from './log';
import { opsText } from './ops-strings';

/** Present while a hub runs on the data folder; found at start, it means the last one did not stop cleanly. */
export const RUNNING_MARKER = 'hub.running';
export const DATABASE_FILE = 'hall.db';
/** The exit code of a hub that refuses to start (EX_CONFIG): its service does not restart it in a loop. */
export const REFUSED_EXIT_CODE = 78;

interface Marker {
  pid: number;
  startedAt: string;
  /** Linux's boot id: a pid from an earlier boot is not this boot's process of the same number. */
  boot?: string;
}

export interface StartCheck {
  /** `new`: no database yet; `quick`: quick_check after a clean stop; `full`: integrity_check after a crash. */
  kind: 'new' | 'quick' | 'full';
  ms: number;
  /** The process that ran the hub last and did not stop cleanly. */
  uncleanStop?: { pid: number; startedAt: string };
}

/** The hub must not start: the message says why and what to do, in Chinese and English. */
export class HubRefusal extends Error {
  override readonly name = 'HubRefusal';
  readonly exitCode = REFUSED_EXIT_CODE;
}

function bootId(): string | undefined {
  try {
    return fs.readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  } catch {
    return undefined;
  }
}

function alive(pid: number): boolean {
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

/** What SQLite says is wrong with the database, or undefined when it is whole. */
export function databaseProblem(file: string, kind: 'quick' | 'full'): string | undefined {
  let db: Database.Database | undefined;
  try {
    // Read-only: a damaged file is not written, not even by a checkpoint at close.
    db = new Database(file, { readonly: true, fileMustExist: true });
    const rows = db.pragma(kind === 'quick' ? 'quick_check(5)' : 'integrity_check(5)') as Record<string, string>[];
    const found = rows.map((r) => Object.values(r)[0]!).filter((m) => m !== 'ok');
    if (found.length > 0) return found.join('; ');
    if (!db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'events'").get()) return 'no event log in it';
    return undefined;
  } catch (error) {
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
export async function checkAtStart(dataDir: string, backupDir?: string): Promise<StartCheck> {
  const started = performance.now();
  const other = runningHub(dataDir);
  if (other) throw new HubRefusal(opsText('otherHub', { pid: other.pid, since: other.startedAt, dir: dataDir }));
  const file = path.join(dataDir, DATABASE_FILE);
  if (!fs.existsSync(file)) return { kind: 'new', ms: 0 };
  const marker = readMarker(dataDir);
  const kind = marker ? 'full' : 'quick';
  if (marker) log.warn({ previous: { pid: marker.pid, startedAt: marker.startedAt } }, opsText('uncleanStop', { pid: marker.pid }));
  const problem = databaseProblem(file, kind);
  if (problem) {
    const newest = backupDir ? await newestBackup(backupDir).catch(() => undefined) : undefined;
    const next = newest
      ? opsText('restoreNewest', { backup: newest.path })
      : backupDir
        ? opsText('noBackup', { dir: backupDir })
        : opsText('noBackupDir');
    throw new HubRefusal(`${opsText('damaged', { file, problem })}\n${next}`);
  }
  return { kind, ms: Math.round(performance.now() - started), ...(marker ? { uncleanStop: { pid: marker.pid, startedAt: marker.startedAt } } : {}) };
}

/** Leaves the running marker in the data folder; the returned function removes it at a clean stop. */
export function markRunning(dataDir: string): () => void {
  fs.mkdirSync(dataDir, { recursive: true });
  const file = path.join(dataDir, RUNNING_MARKER);
  const marker: Marker = { pid: process.pid, startedAt: new Date().toISOString(), ...(bootId() ? { boot: bootId() } : {}) };
  fs.writeFileSync(file, JSON.stringify({ ...marker, host: os.hostname() }) + '\n', { mode: 0o600 });
  return () => fs.rmSync(file, { force: true });
}
