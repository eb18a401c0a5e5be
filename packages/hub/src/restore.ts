import Database from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';
import { checkManifest, inspectBackup, type BackupManifest } from './backup';
import { SCHEMA_VERSION } from './db';
import { giveToFolderOwner, HallKey, KEY_FILE, makeFolder, syncFolder } from './files';
import { DAMAGED_MARKER, DATABASE_FILE, HubRefusal, RUNNING_MARKER, runningHub } from './integrity';
import { branchLineage, type Lineage } from './lineage';
import { formatBytes, opsText, type Bilingual } from './ops-strings';
import { Sealer } from './sealed';

export interface Restored {
  /** The backup's last event: the restored hub goes on from here. */
  seq: number;
  takenAt?: string;
  /** The same moment in milliseconds, said in the hall's own time as `backups` lists it. */
  takenAtMs?: number;
  /** Where the database that was replaced is kept (nothing is deleted). */
  kept?: string;
  lineage: Lineage;
  /** Whether the backup's manifest was found and its checksum matched. */
  checksum: 'matched' | 'no manifest';
}

function fsyncFile(file: string): void {
  const fd = fs.openSync(file, 'r+');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/** What keeps `file` from being read as a backup file: not there, a folder, not readable by this account. */
function backupFileProblem(file: string): Bilingual | undefined {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return { 'zh-CN': '没有这个文件：请用 npm run hub -- backups 列出备份', en: 'no such file: npm run hub -- backups lists the backups' };
    return { 'zh-CN': `无法读取它：${(error as Error).message}`, en: `it cannot be read: ${(error as Error).message}` };
  }
  if (stat.isDirectory()) return { 'zh-CN': '这是一个文件夹，不是备份文件：请写明其中的 hall-….db 文件', en: 'it is a folder, not a backup file: name the hall-….db file in it' };
  if (!stat.isFile()) return { 'zh-CN': '这不是普通文件', en: 'it is not a regular file' };
  try {
    fs.accessSync(file, fs.constants.R_OK);
  } catch (error) {
    return { 'zh-CN': `运行本命令的账号无权读取它（${(error as NodeJS.ErrnoException).code}）`, en: `the account running this command may not read it (${(error as NodeJS.ErrnoException).code})` };
  }
  return undefined;
}

/** Why a backup's file cannot be restored, as the check of it (inspectBackup) said it in SQLite's words, put in the operator's. */
function unusableBackup(problem: string): Bilingual {
  if (problem.startsWith('not a hall database')) return { 'zh-CN': '它不是大厅数据库，其中没有事件记录', en: 'it is not a hall database: no event log in it' };
  return { 'zh-CN': `文件已损坏或不完整，可能复制时被截断或在存储中损坏（${problem}）`, en: `the file is damaged or cut short, in copying or in storage (${problem})` };
}

/**
 * The manifest beside the backup `file`, or undefined when there is none (a backup copied without
 * it). One that is there but cannot be read or is not a whole manifest (not JSON, cut short, another
 * shape) is refused: its checksum is what tells a whole backup from one damaged in storage.
 */
function readManifest(file: string): BackupManifest | undefined {
  const manifest = file.replace(/\.db$/, '.json');
  if (manifest === file) return undefined;
  let text: string;
  try {
    text = fs.readFileSync(manifest, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new HubRefusal(opsText('badManifest', { file, manifest, problem: (error as Error).message }));
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new HubRefusal(opsText('badManifest', { file, manifest, problem: { 'zh-CN': `不是完整的 JSON：${(error as Error).message}`, en: `not whole JSON: ${(error as Error).message}` } }));
  }
  const checked = checkManifest(parsed);
  if (!checked.ok) throw new HubRefusal(opsText('badManifest', { file, manifest, problem: checked.problem }));
  return checked.manifest;
}

/** A data folder that is a file (or under one) is said so before anything is read or made. */
function dataFolderProblem(dataDir: string): void {
  try {
    if (fs.statSync(dataDir).isDirectory()) return;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw new HubRefusal(opsText('dataFolder', { dir: path.resolve(dataDir), problem: (error as Error).message }));
  }
  throw new HubRefusal(opsText('dataFolder', { dir: path.resolve(dataDir), problem: { 'zh-CN': '它是一个文件，不是文件夹', en: 'it is a file, not a folder' } }));
}

/**
 * Puts the backup `file` in place of the hall database in `dataDir`, with the hub stopped. The
 * backup is checked first (integrity, an event log, a schema this program knows, its manifest's
 * checksum) and nothing changes unless it passes. The database it replaces is moved aside, never
 * deleted. The restored log gets a new identity, so that terminals that saw later events than the
 * backup holds take a snapshot instead of following a history the hub no longer has.
 */
export async function restoreBackup(file: string, dataDir: string, now: () => number = Date.now, keyFile = path.join(dataDir, KEY_FILE)): Promise<Restored> {
  const running = runningHub(dataDir);
  if (running) throw new HubRefusal(opsText('running', { pid: running.pid }));
  const source = path.resolve(file);
  const unusable = backupFileProblem(source);
  if (unusable) throw new HubRefusal(opsText('notABackup', { file: source, problem: unusable }));
  dataFolderProblem(dataDir);
  const found = await inspectBackup(source);
  if (!found.ok) throw new HubRefusal(opsText('backupUnusable', { file: source, problem: unusableBackup(found.problem) }));
  const known = SCHEMA_VERSION;
  if (found.schemaVersion > known) throw new HubRefusal(opsText('newerSchema', { file: source, version: found.schemaVersion, known }));
  const manifest = readManifest(source);
  if (manifest && manifest.sha256 !== found.sha256) throw new HubRefusal(opsText('checksumMismatch', { file: source }));
  // Another hall's backup (sealed with another hall key) would be put in place only for the hub to refuse it.
  if (fs.existsSync(keyFile)) {
    const backup = new Database(source, { readonly: true, fileMustExist: true });
    let sealedWith: string | undefined;
    try {
      sealedWith = backup.prepare<[], { value: string }>("SELECT value FROM hall WHERE key = 'key-check'").get()?.value;
    } finally {
      backup.close();
    }
    if (sealedWith && sealedWith !== new Sealer(HallKey.load(keyFile).derive('applicant-data')).fingerprint())
      throw new HubRefusal(opsText('otherHallKey', { file: source, key: keyFile }));
  }

  try {
    makeFolder(dataDir, 0o700);
  } catch (error) {
    throw new HubRefusal(opsText('dataFolder', { dir: path.resolve(dataDir), problem: (error as Error).message }));
  }
  const target = path.join(dataDir, DATABASE_FILE);
  const incoming = `${target}.restoring`;
  let lineage: Lineage;
  // The database being replaced goes aside as it is: it may be the damaged one a person wants to
  // look at, or the only copy of the events after the backup.
  let kept: string | undefined;
  // Until the copy is whole and the database beside it kept, a disk that takes no more (full,
  // read-only) leaves the data folder as it was: what was begun is removed.
  try {
    fs.copyFileSync(source, incoming);
    // The copy takes the backup's mode: the data folder's files are for the hub's account alone.
    fs.chmodSync(incoming, 0o600);
    fsyncFile(incoming);
    const db = new Database(incoming);
    try {
      lineage = branchLineage(db);
    } finally {
      db.close();
    }
    fsyncFile(incoming);
    if (fs.existsSync(target)) {
      const aside = path.join(dataDir, `replaced-${new Date(now()).toISOString().replace(/[-:.]/g, '')}`);
      // Made here, not found here: a folder of that name is another restore's, never written into nor removed.
      fs.mkdirSync(aside);
      kept = aside;
      try {
        fs.linkSync(target, path.join(kept, DATABASE_FILE));
      } catch {
        fs.copyFileSync(target, path.join(kept, DATABASE_FILE));
      }
    }
  } catch (error) {
    for (const begun of [incoming, `${incoming}-wal`, `${incoming}-shm`, `${incoming}-journal`, ...(kept ? [kept] : [])]) fs.rmSync(begun, { recursive: true, force: true });
    throw new HubRefusal(opsText('restoreNoRoom', { dir: path.resolve(dataDir), problem: (error as { code?: string }).code ?? (error as Error).message, size: formatBytes(fs.statSync(source).size) }));
  }
  // Its -wal and -shm go with it.
  if (kept) for (const extra of ['-wal', '-shm']) if (fs.existsSync(target + extra)) fs.renameSync(target + extra, path.join(kept, DATABASE_FILE + extra));
  // Restored by root (sudo) into the service account's folder: the account's, or the service could not open it.
  giveToFolderOwner(dataDir, incoming, ...(kept ? [kept] : []));
  // The replaced database's names in the folder kept are made to last before hall.db's name leaves it.
  if (kept) syncFolder(kept);
  fs.renameSync(incoming, target);
  // The backup was checked whole just now: the next start needs no crash check, and is not damaged.
  fs.rmSync(path.join(dataDir, RUNNING_MARKER), { force: true });
  fs.rmSync(path.join(dataDir, DAMAGED_MARKER), { force: true });
  // The rename and the markers' removal are names in the folder: a power cut before it is synced could bring back the old hall.db, or none.
  syncFolder(dataDir);
  return { seq: found.seq, takenAt: manifest?.takenAt, takenAtMs: manifest?.takenAtMs, kept, lineage, checksum: manifest ? 'matched' : 'no manifest' };
}
