import Database from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';
import { inspectBackup, type BackupManifest } from './backup';
import { SCHEMA_VERSION } from './db';
import { HallKey, KEY_FILE } from './files';
import { DAMAGED_MARKER, DATABASE_FILE, HubRefusal, RUNNING_MARKER, runningHub } from './integrity';
import { branchLineage, type Lineage } from './lineage';
import { opsText } from './ops-strings';
import { Sealer } from './sealed';

export interface Restored {
  /** The backup's last event: the restored hub goes on from here. */
  seq: number;
  takenAt?: string;
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
  if (!fs.existsSync(source)) throw new HubRefusal(opsText('notABackup', { file: source, problem: 'no such file' }));
  const found = await inspectBackup(source);
  if (!found.ok) throw new HubRefusal(opsText('notABackup', { file: source, problem: found.problem }));
  const known = SCHEMA_VERSION;
  if (found.schemaVersion > known) throw new HubRefusal(opsText('newerSchema', { file: source, version: found.schemaVersion, known }));
  let manifest: BackupManifest | undefined;
  try {
    manifest = JSON.parse(fs.readFileSync(source.replace(/\.db$/, '.json'), 'utf8')) as BackupManifest;
  } catch {
    manifest = undefined;
  }
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

  fs.mkdirSync(dataDir, { recursive: true });
  const target = path.join(dataDir, DATABASE_FILE);
  const incoming = `${target}.restoring`;
  fs.copyFileSync(source, incoming);
  fsyncFile(incoming);
  const db = new Database(incoming);
  let lineage: Lineage;
  try {
    lineage = branchLineage(db);
  } finally {
    db.close();
  }
  fsyncFile(incoming);

  // The database being replaced, with its -wal and -shm, goes aside as it is: it may be the damaged
  // one a person wants to look at, or the only copy of the events after the backup.
  let kept: string | undefined;
  if (fs.existsSync(target)) {
    kept = path.join(dataDir, `replaced-${new Date(now()).toISOString().replace(/[-:.]/g, '')}`);
    fs.mkdirSync(kept, { recursive: true });
    try {
      fs.linkSync(target, path.join(kept, DATABASE_FILE));
    } catch {
      fs.copyFileSync(target, path.join(kept, DATABASE_FILE));
    }
    for (const extra of ['-wal', '-shm']) if (fs.existsSync(target + extra)) fs.renameSync(target + extra, path.join(kept, DATABASE_FILE + extra));
  }
  fs.renameSync(incoming, target);
  // The backup was checked whole just now: the next start needs no crash check, and is not damaged.
  fs.rmSync(path.join(dataDir, RUNNING_MARKER), { force: true });
  fs.rmSync(path.join(dataDir, DAMAGED_MARKER), { force: true });
  return { seq: found.seq, takenAt: manifest?.takenAt, kept, lineage, checksum: manifest ? 'matched' : 'no manifest' };
}
