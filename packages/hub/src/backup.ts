import { hallDay } from '@servicehall/core';
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { log } from './log';
import { sqliteWorker } from './sqlite-worker';
import { formatBytes, opsText, type Bilingual } from './ops-strings';
import { canMakeFilesIn, giveToFolderOwner } from './files';
import { hubNumber, SettingProblem } from './setting';

/**
 * What is known of one backup: written beside it once it has been copied and checked. The one idea
 * of a manifest: the listing offers a backup, and restore takes its manifest, only when it passes
 * this. The fields the hub relies on are required (its checksum above all: it tells a whole backup
 * from one damaged in storage); those the first manifests lacked (log, hall, ms) are taken as unknown.
 */
export const BackupManifestSchema = z.looseObject({
  format: z.literal(1),
  /** The backup's file name, in the same folder as this manifest. */
  file: z.string().min(1),
  takenAt: z.string().min(1),
  takenAtMs: z.number().nonnegative(),
  /** The last event in it: every command acknowledged up to this event is in the backup. */
  seq: z.number().int().nonnegative(),
  /** The identity of its event log (see lineage.ts); null for a database older than migration 80. */
  log: z.string().nullable().default(null),
  schemaVersion: z.number().int().nonnegative(),
  hall: z.string().default(''),
  bytes: z.number().int().nonnegative(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  /** PRAGMA integrity_check of the copy said ok. */
  integrity: z.literal('ok'),
  /** Copy and check, milliseconds. */
  ms: z.number().nonnegative().default(0),
});
export type BackupManifest = z.infer<typeof BackupManifestSchema>;

/** A manifest's parsed JSON as a backup's manifest, or what is wrong with it, said in both languages. */
export function checkManifest(parsed: unknown): { ok: true; manifest: BackupManifest } | { ok: false; problem: Bilingual } {
  const checked = BackupManifestSchema.safeParse(parsed);
  if (checked.success) return { ok: true, manifest: checked.data };
  const where = (issue: { path: PropertyKey[] }) => issue.path.map(String).join('.') || '(whole)';
  return {
    ok: false,
    problem: {
      'zh-CN': checked.error.issues.map((issue) => `${where(issue)} 不对：${issue.message}`).join('；'),
      en: checked.error.issues.map((issue) => `${where(issue)} is wrong: ${issue.message}`).join('; '),
    },
  };
}

export interface Backup extends BackupManifest {
  /** Full path of the backup file. */
  path: string;
  /** The copy's steps (see BACKUP_STEP_BYTES), when this process took it. */
  steps?: number;
}

export interface BackupPolicy {
  /** The second folder: another disk or a network share. */
  dir: string;
  everyMs: number;
  /** The newest backup of each of the last N days that have one. */
  keepDaily: number;
  /** The newest backup of each of the last M weeks that have one. */
  keepWeekly: number;
}

export const DEFAULT_BACKUP_POLICY = { everyMs: 4 * 3_600_000, keepDaily: 7, keepWeekly: 8 } as const;

/**
 * The backup copies this much, then flushes it to the disk, then copies on. Copied at once, a year's
 * gigabytes sat in the page cache and went to the disk together, and every commit of the hub waited
 * behind them for its own flush: the event loop paused up to 2.5 s during a backup of the year.
 */
export const BACKUP_STEP_BYTES = 16 * 1024 * 1024;

const PREFIX = 'hall-';
const PARTIAL = '.partial';

/**
 * The copy, the check and every file operation in the backup folder run in a worker thread with
 * its own connection: the hub's event loop and its writer go on meanwhile, and a network share
 * that hangs holds up the worker, never the hall. The backup API copies the database in steps of
 * BACKUP_STEP_BYTES, each flushed before the next, all from one read transaction, so the copy is
 * one consistent moment of the log even while commands commit (WAL lets the writer go on). The copy is then opened on its own and checked
 * whole; only then is it given its name and its manifest, written last.
 */
const WORKER = `
const { parentPort, workerData: task } = require('node:worker_threads');
const fs = require('node:fs');
const path = require('node:path');
const crypto = require('node:crypto');
const Database = require(task.driver);
function inspect(file) {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const problems = db.pragma('integrity_check(10)').map((r) => Object.values(r)[0]).filter((m) => m !== 'ok');
    // SQLite's report holds line breaks: said on one line, as each language of an operator's message is.
    if (problems.length) return { ok: false, problem: problems.join('; ').replace(/\\s*\\n\\s*/g, '; ') };
    const has = (t) => !!db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(t);
    if (!has('events') || !has('hall') || !has('schema_migrations')) return { ok: false, problem: 'not a hall database: no event log in it' };
    const get = (k) => db.prepare('SELECT value FROM hall WHERE key = ?').get(k);
    let hall = '';
    try { hall = JSON.parse(get('catalogue')?.value ?? '{}').hall?.name ?? ''; } catch {}
    return {
      ok: true,
      seq: db.prepare('SELECT COALESCE(MAX(seq), 0) AS s FROM events').get().s,
      schemaVersion: db.prepare('SELECT COALESCE(MAX(version), 0) AS v FROM schema_migrations').get().v,
      log: get('log')?.value ?? null,
      hall,
    };
  } finally {
    db.close();
  }
}
function digest(file) {
  const hash = crypto.createHash('sha256');
  const fd = fs.openSync(file, 'r');
  try {
    const buffer = Buffer.allocUnsafe(1 << 20);
    for (let n; (n = fs.readSync(fd, buffer, 0, buffer.length, null)) > 0; ) hash.update(buffer.subarray(0, n));
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  return hash.digest('hex');
}
function syncFolder(dir) {
  // Makes the renames durable; folders cannot be opened for this on Windows, where NTFS journals them.
  try { const fd = fs.openSync(dir, 'r'); fs.fsyncSync(fd); fs.closeSync(fd); } catch {}
}
// The backup folder's last level at most, in a folder that exists: a share that is not mounted
// leaves its mount point's path missing, and the whole path made on the local disk would fill it.
// False when the parent is missing. (One level: Node 20's recursive mkdir never returns under /proc.)
function makeLastFolder(dir) {
  const full = path.resolve(dir);
  if (fs.existsSync(full)) return true;
  let parentIsFolder = false;
  try { parentIsFolder = fs.statSync(path.dirname(full)).isDirectory(); } catch {}
  if (!parentIsFolder) return false;
  try { fs.mkdirSync(full); } catch (e) { if (e.code !== 'EEXIST') throw e; }
  return true;
}
async function backup() {
  const started = performance.now();
  if (!makeLastFolder(task.dir)) return { ok: false, missing: path.dirname(path.resolve(task.dir)) };
  let name = task.stem;
  for (let i = 2; fs.existsSync(path.join(task.dir, name + '.db')); i++) name = task.stem + '-' + i;
  const file = path.join(task.dir, name + '.db');
  const partial = file + '.partial';
  let named = false;
  try {
    // Made for the hub's account alone, as the data folder's files are (SQLite would make it by the umask, 644).
    fs.rmSync(partial, { force: true });
    fs.closeSync(fs.openSync(partial, 'wx', 0o600));
    const source = new Database(task.source, { readonly: true, fileMustExist: true });
    let written;
    let steps = 0;
    try {
      // One read transaction for the whole copy: every step copies the same moment of the log, so
      // the hub's commits meanwhile never restart it (SQLite restarts a backup whose source another
      // connection changed between steps, unless the source holds its read open across them).
      source.exec('BEGIN');
      source.prepare('SELECT 1 FROM sqlite_master LIMIT 1').get();
      const stepPages = Math.max(1, Math.floor(task.stepBytes / source.pragma('page_size', { simple: true })));
      // After each step its pages are flushed to the disk before the next: gigabytes written at
      // once and flushed only at the end make every flush of the hub's own commits wait for them.
      await source.backup(partial, {
        progress: () => {
          steps += 1;
          written ??= fs.openSync(partial, 'r+');
          fs.fdatasyncSync(written);
          return stepPages;
        },
      });
    } finally {
      if (written !== undefined) fs.closeSync(written);
      if (source.inTransaction) source.exec('COMMIT');
      source.close();
    }
    // One self-contained file, no -wal beside it: a backup is copied around as it is.
    const copy = new Database(partial);
    copy.pragma('journal_mode = DELETE');
    copy.close();
    const found = inspect(partial);
    if (!found.ok) {
      fs.rmSync(partial, { force: true });
      return { ...found, file };
    }
    const manifest = {
      format: 1,
      file: name + '.db',
      takenAt: new Date(task.takenAtMs).toISOString(),
      takenAtMs: task.takenAtMs,
      seq: found.seq,
      log: found.log,
      schemaVersion: found.schemaVersion,
      hall: found.hall,
      bytes: fs.statSync(partial).size,
      sha256: digest(partial),
      integrity: 'ok',
      ms: 0,
    };
    fs.renameSync(partial, file);
    named = true;
    manifest.ms = Math.round(performance.now() - started);
    const json = path.join(task.dir, name + '.json');
    const fd = fs.openSync(json + '.partial', 'w', 0o600);
    try { fs.writeSync(fd, JSON.stringify(manifest, null, 2) + '\\n'); fs.fsyncSync(fd); } finally { fs.closeSync(fd); }
    fs.renameSync(json + '.partial', json);
    syncFolder(task.dir);
    return { ok: true, manifest, path: file, steps };
  } catch (error) {
    fs.rmSync(partial, { force: true });
    // Its manifest not written (the share full or gone at that moment): a copy no list offers and no
    // retention removes would stay, the database's whole size, at every such failure.
    if (named) try { fs.rmSync(file, { force: true }); } catch {}
    throw error;
  }
}
async function run() {
  if (task.kind === 'backup') return backup();
  const found = inspect(task.file);
  if (!found.ok) return found;
  return { ...found, bytes: fs.statSync(task.file).size, sha256: digest(task.file) };
}
run().then((r) => parentPort.postMessage(r), (e) => parentPort.postMessage({ ok: false, problem: e && e.message ? e.message : String(e), code: e && e.code }));
`;

export type Inspection =
  | { ok: true; seq: number; schemaVersion: number; log: string | null; hall: string; bytes: number; sha256: string }
  | { ok: false; problem: string };

type BackupResult = { ok: true; manifest: BackupManifest; path: string; steps: number } | { ok: false; problem: string; file?: string; code?: string } | { ok: false; missing: string };

/** What the disk says when it takes no more (SQLite's and the system's words), or takes nothing at all. */
const NO_ROOM = new Set(['SQLITE_FULL', 'ENOSPC', 'EDQUOT']);
const READ_ONLY = new Set(['SQLITE_READONLY', 'EROFS']);

/**
 * A backup that failed, as its operator reads it (the command line, the scheduled backup's log), in
 * Chinese then English: a backup folder whose disk is full or read-only is said so, with the room a
 * backup needs and what to do, not as SQLite's "database or disk is full"; a copy that failed its
 * check names its file; anything else is said with the reason the worker gave.
 */
export function backupFailure(result: { problem: string; file?: string; code?: string }, dir: string, databaseBytes: () => number): Error {
  if (result.code && (NO_ROOM.has(result.code) || READ_ONLY.has(result.code))) {
    let size = '?';
    try {
      size = formatBytes(databaseBytes());
    } catch {
      // The database's size is only a hint here.
    }
    return new Error(opsText(NO_ROOM.has(result.code) ? 'backupNoRoom' : 'backupReadOnly', { dir, problem: result.problem, size }));
  }
  return new Error(result.file ? opsText('backupBad', { file: result.file, problem: result.problem }) : opsText('backupFailed', { reason: result.problem }));
}

/** No backup was taken: the folder above the backup folder is missing (a share not mounted); nothing was made. */
export class BackupFolderMissing extends Error {
  override readonly name = 'BackupFolderMissing';
  constructor(
    readonly dir: string,
    readonly parent: string,
  ) {
    super(opsText('backupParentMissing', { dir, parent }));
  }
}

function inWorker<T>(task: Record<string, unknown>, signal?: AbortSignal): Promise<T> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new Error('the backup was stopped'));
    const worker = sqliteWorker(WORKER, task);
    const abort = () => {
      void worker.terminate();
      reject(new Error('the backup was stopped: the hub is closing'));
    };
    signal?.addEventListener('abort', abort, { once: true });
    worker.once('message', (result: T) => {
      signal?.removeEventListener('abort', abort);
      resolve(result);
      void worker.terminate();
    });
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`the backup worker stopped (${code})`)));
  });
}

/** Opens `file` on its own and checks it whole: integrity_check, an event log, its last event, its checksum. */
export function inspectBackup(file: string): Promise<Inspection> {
  return inWorker<Inspection>({ kind: 'inspect', file });
}

function stamp(at: number): string {
  return new Date(at).toISOString().replace(/[-:]/g, '').replace('T', '-').replace('.', '-').replace('Z', '');
}

/**
 * Copies the hall database `dbFile` (the hub may be running on it) into `dir` with SQLite's backup
 * API, checks the copy, and writes its manifest beside it. A copy that fails its check is removed
 * and the promise rejects: a backup exists exactly when its manifest does.
 */
export async function takeBackup(dbFile: string, dir: string, now: () => number = Date.now, signal?: AbortSignal, stepBytes = BACKUP_STEP_BYTES): Promise<Backup> {
  const takenAtMs = now();
  const result = await inWorker<BackupResult>({ kind: 'backup', source: dbFile, dir, stem: `${PREFIX}${stamp(takenAtMs)}`, takenAtMs, stepBytes }, signal);
  if (!result.ok && 'missing' in result) throw new BackupFolderMissing(path.resolve(dir), result.missing);
  if (!result.ok) throw backupFailure(result, path.resolve(dir), () => fs.statSync(dbFile).size);
  // Taken by root (sudo) into the service's backup folder: its account lists and prunes them.
  giveToFolderOwner(dir, result.path, result.path.replace(/\.db$/, '.json'));
  return { ...result.manifest, path: result.path, steps: result.steps };
}

/** The backups in `dir` whose file and manifest are both there, newest first. */
export async function listBackups(dir: string): Promise<Backup[]> {
  return (await readBackups(dir)).backups;
}

/** A manifest in the backups' folder that offers no backup: cut short, not one, or its file gone. */
export interface UnlistedBackup {
  manifest: string;
  problem: Bilingual;
}

/** The backups in `dir` (newest first), and the manifests there that offer none (`backups` names them). */
export async function readBackups(dir: string): Promise<{ backups: Backup[]; unlisted: UnlistedBackup[] }> {
  let names: string[];
  try {
    names = await fs.promises.readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { backups: [], unlisted: [] };
    throw error;
  }
  const out: Backup[] = [];
  const unlisted: UnlistedBackup[] = [];
  for (const name of names) {
    if (!name.startsWith(PREFIX) || !name.endsWith('.json')) continue;
    const manifestFile = path.join(dir, name);
    let parsed: unknown;
    try {
      parsed = JSON.parse(await fs.promises.readFile(manifestFile, 'utf8'));
    } catch {
      unlisted.push({ manifest: manifestFile, problem: { 'zh-CN': '清单不是完整可读的 JSON（可能写到一半被中断，或在存储中损坏）', en: 'the manifest is not whole, readable JSON (cut short, or damaged in storage)' } });
      continue;
    }
    // What restore would refuse is no backup to offer.
    const checked = checkManifest(parsed);
    if (!checked.ok) {
      unlisted.push({ manifest: manifestFile, problem: { 'zh-CN': `清单的内容不是大厅备份的清单（${checked.problem['zh-CN']}），恢复时会被拒绝`, en: `the manifest is not a hall backup's (${checked.problem.en}), and restore would refuse it` } });
      continue;
    }
    const manifest = checked.manifest;
    const file = path.join(dir, path.basename(manifest.file));
    if (await fs.promises.access(file).then(() => true, () => false)) out.push({ ...manifest, path: file });
    else unlisted.push({ manifest: manifestFile, problem: { 'zh-CN': `清单所说的备份文件 ${path.basename(file)} 不在`, en: `the backup file it names, ${path.basename(file)}, is not there` } });
  }
  return { backups: out.sort((a, b) => b.takenAtMs - a.takenAtMs), unlisted };
}

export async function newestBackup(dir: string): Promise<Backup | undefined> {
  return (await listBackups(dir))[0];
}

/** Monday of the ISO week of a YYYY-MM-DD day, as the week's key. */
function weekOf(day: string): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() - ((d.getUTCDay() + 6) % 7));
  return d.toISOString().slice(0, 10);
}

/**
 * Which backups to keep: the newest of all, the newest of each of the last `keepDaily` days that
 * have a backup, the newest of each of the last `keepWeekly` weeks that have one (days in the
 * hall's time zone). The rest may go.
 */
export function backupsToKeep(backups: readonly { file: string; takenAtMs: number }[], policy: Pick<BackupPolicy, 'keepDaily' | 'keepWeekly'>, timeZone: string): Set<string> {
  const newestFirst = [...backups].sort((a, b) => b.takenAtMs - a.takenAtMs);
  const keep = new Set<string>(newestFirst.slice(0, 1).map((b) => b.file));
  const days = new Set<string>();
  const weeks = new Set<string>();
  for (const b of newestFirst) {
    const day = hallDay(b.takenAtMs, timeZone);
    const week = weekOf(day);
    if (!days.has(day) && days.size < policy.keepDaily) keep.add(b.file);
    if (!weeks.has(week) && weeks.size < policy.keepWeekly) keep.add(b.file);
    days.add(day);
    weeks.add(week);
  }
  return keep;
}

/** Removes the backups the policy does not keep, and copies left half-made more than a day ago. */
export async function pruneBackups(dir: string, policy: Pick<BackupPolicy, 'keepDaily' | 'keepWeekly'>, timeZone: string, now = Date.now()): Promise<string[]> {
  const backups = await listBackups(dir);
  const keep = backupsToKeep(backups, policy, timeZone);
  const removed: string[] = [];
  // Asynchronous file calls only: a share that hangs must not hold up the hub's event loop.
  for (const b of backups) {
    if (keep.has(b.file)) continue;
    // The manifest goes first: without it the file is no longer offered as a backup.
    await fs.promises.rm(path.join(dir, b.file.replace(/\.db$/, '.json')), { force: true });
    await fs.promises.rm(b.path, { force: true });
    removed.push(b.file);
  }
  for (const name of await fs.promises.readdir(dir)) {
    if (!name.startsWith(PREFIX) || !name.endsWith(PARTIAL)) continue;
    const file = path.join(dir, name);
    if (now - (await fs.promises.stat(file)).mtimeMs > 86_400_000) await fs.promises.rm(file, { force: true });
  }
  return removed;
}

/** SERVICEHALL_BACKUP_DIR (no backups without it), _EVERY_MINUTES (240), _KEEP_DAILY (7), _KEEP_WEEKLY (8). */
export function backupPolicyFromEnv(env: NodeJS.ProcessEnv = process.env): BackupPolicy | undefined {
  // Checked even without a folder: a wrong number is a mistake whether or not backups are on yet.
  const everyMinutes = hubNumber(env, 'SERVICEHALL_BACKUP_EVERY_MINUTES') ?? DEFAULT_BACKUP_POLICY.everyMs / 60_000;
  const keepDaily = hubNumber(env, 'SERVICEHALL_BACKUP_KEEP_DAILY') ?? DEFAULT_BACKUP_POLICY.keepDaily;
  const keepWeekly = hubNumber(env, 'SERVICEHALL_BACKUP_KEEP_WEEKLY') ?? DEFAULT_BACKUP_POLICY.keepWeekly;
  const dir = env.SERVICEHALL_BACKUP_DIR;
  if (!dir) return undefined;
  return { dir: path.resolve(dir), everyMs: everyMinutes * 60_000, keepDaily, keepWeekly };
}

/**
 * SERVICEHALL_BACKUP_DIR checked before the hub starts: a file named for the folder (or on its way),
 * or a folder no file can be made in, stops the hub naming it. Unchecked, the hub served and every
 * scheduled backup failed with ENOTDIR and a stack trace in its log. A folder not there yet is left
 * to the schedule, which waits for its share to be mounted.
 */
export function backupFolderUsable(dir: string): void {
  let problem: string;
  try {
    if (!fs.statSync(dir).isDirectory()) problem = 'ENOTDIR';
    else {
      canMakeFilesIn(dir);
      return;
    }
  } catch (error) {
    problem = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    if (problem === 'ENOENT') return;
  }
  throw new SettingProblem(
    `SERVICEHALL_BACKUP_DIR 的备份文件夹 ${dir} 无法使用：它不是文件夹，或无法在其中写入文件（${problem}）。请写明主机的运行账号能写入的一个文件夹（另一块磁盘或网络共享上，如 /mnt/nas/servicehall），或不设 SERVICEHALL_BACKUP_DIR（不做定时备份）`,
    `SERVICEHALL_BACKUP_DIR: the backup folder ${dir} cannot be used, as it is not a folder or no file can be made in it (${problem}). Name a folder the hub's account may write (on another disk or a network share, e.g. /mnt/nas/servicehall), or leave SERVICEHALL_BACKUP_DIR unset (no scheduled backups)`,
  );
}

async function sameDisk(a: string, b: string): Promise<boolean> {
  try {
    return (await fs.promises.stat(a)).dev === (await fs.promises.stat(b)).dev;
  } catch {
    return false;
  }
}

/** A failed backup's words: said in both languages already (backupFailure), or a reason put in them. */
export function failedText(error: unknown): string {
  const reason = error instanceof Error ? error.message : String(error);
  return /[\u4e00-\u9fff]/.test(reason) ? reason : opsText('backupFailed', { reason });
}

/** How long closing the hub waits for a backup under way before it stops it (a hung share, say). */
const STOP_WAIT_MS = 10_000;

/** What the metrics show of the backups. */
export interface BackupStatus {
  last?: Backup;
  failures: number;
  running: boolean;
}

/**
 * Backs the hall up every `everyMs` while the hub runs (the first one as soon as the newest backup
 * in the folder is older than that), then applies the retention policy. A failed backup is logged
 * and counted; the next is tried at the next turn. The backup folder's parent must exist (a share
 * mounted there): the hub makes the folder's last level at most. Runs never overlap.
 */
export class BackupSchedule {
  readonly status: BackupStatus = { failures: 0, running: false };
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private current: Promise<Backup | undefined> | undefined;
  private readonly abort = new AbortController();

  constructor(
    private readonly dbFile: string,
    private readonly policy: BackupPolicy,
    private readonly timeZone: () => string,
    private readonly clock: () => number = Date.now,
  ) {}

  /** Plans the first backup once the folder has been read; the hub does not wait for it (a share may be slow). */
  start(): Promise<void> {
    const ready = (async () => {
      if (await sameDisk(this.policy.dir, path.dirname(this.dbFile)))
        log.warn({ dir: this.policy.dir }, opsText('backupSameDisk', { dir: this.policy.dir }));
      this.status.last = await newestBackup(this.policy.dir).catch(() => undefined);
      const due = this.status.last ? this.status.last.takenAtMs + this.policy.everyMs - this.clock() : 0;
      this.plan(Math.max(0, due));
    })();
    return ready;
  }

  private plan(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      void this.runNow().finally(() => this.plan(this.policy.everyMs));
    }, delayMs);
    this.timer.unref();
  }

  /** Takes a backup now (or waits for the one under way) and prunes. Never rejects: failures are logged. */
  runNow(): Promise<Backup | undefined> {
    this.current ??= this.run().finally(() => (this.current = undefined));
    return this.current;
  }

  private async run(): Promise<Backup | undefined> {
    this.status.running = true;
    try {
      const backup = await takeBackup(this.dbFile, this.policy.dir, this.clock, this.abort.signal);
      this.status.last = backup;
      log.info({ file: backup.path, seq: backup.seq, bytes: backup.bytes, ms: backup.ms }, opsText('backupDone', { file: backup.path, seq: backup.seq, size: formatBytes(backup.bytes), ms: backup.ms }));
      const removed = await pruneBackups(this.policy.dir, this.policy, this.timeZone(), this.clock());
      if (removed.length > 0) log.info({ removed }, opsText('backupsPruned', { n: removed.length }));
      return backup;
    } catch (error) {
      this.status.failures += 1;
      if (error instanceof BackupFolderMissing)
        log.error({ dir: error.dir, missing: error.parent }, opsText('scheduledBackupNoParent', { dir: error.dir, parent: error.parent, minutes: this.policy.everyMs / 60_000 }));
      else {
        // opsText('backupFailed'), or a refusal of the backup's own (its folder's disk full or read-only) in its words, Chinese then English.
        const failed = failedText(error);
        log.error({ err: error, dir: this.policy.dir }, failed);
      }
      return undefined;
    } finally {
      this.status.running = false;
    }
  }

  /** Stops planning; a backup under way is given 10 s to finish, then stopped (its half-made copy is removed later). */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    if (!this.current) return;
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), STOP_WAIT_MS)));
    if ((await Promise.race([this.current, late])) === 'late') this.abort.abort();
    clearTimeout(timer);
    await this.current;
  }
}
