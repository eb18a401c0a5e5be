import { localTime } from '@servicehall/core';
import fs from 'node:fs';
import path from 'node:path';
import { backupPolicyFromEnv, failedText, pruneBackups, readBackups, takeBackup } from './backup';
import { databaseAccess } from './files';
import { DAMAGED_MARKER, DATABASE_FILE, HubRefusal, UsageMistake, databaseProblem } from './integrity';
import { formatBytes, opsText, THEN_RUN_AGAIN, type Bilingual } from './ops-strings';
import { restoreBackup } from './restore';
import { installService } from './service';

/** The operator's commands: `npm run hub -- NAME ...`. They print for a person, not to the log. */
export const OPS_COMMANDS = ['backup', 'backups', 'restore', 'check', 'install-service'] as const;

export interface OpsIo {
  env: NodeJS.ProcessEnv;
  out: (line: string) => void;
}

/** How each operator's command is typed: said with a mistake in typing it. */
const USAGE: Record<(typeof OPS_COMMANDS)[number], Bilingual> = {
  backup: { 'zh-CN': 'npm run hub -- backup [--to 文件夹]', en: 'npm run hub -- backup [--to FOLDER]' },
  backups: { 'zh-CN': 'npm run hub -- backups [--in 文件夹]', en: 'npm run hub -- backups [--in FOLDER]' },
  restore: { 'zh-CN': 'npm run hub -- restore 备份文件', en: 'npm run hub -- restore BACKUP-FILE' },
  check: { 'zh-CN': 'npm run hub -- check', en: 'npm run hub -- check' },
  'install-service': { 'zh-CN': 'npm run hub -- install-service [--dry-run] [--user 账户]', en: 'npm run hub -- install-service [--dry-run] [--user ACCOUNT]' },
};

function option(command: keyof typeof USAGE, args: string[], name: string): string | undefined {
  const i = args.indexOf(`--${name}`);
  if (i < 0) return undefined;
  const value = args[i + 1];
  if (!value || value.startsWith('--'))
    throw new UsageMistake(opsText('optionValue', { name, example: name === 'user' ? 'servicehall' : { 'zh-CN': '文件夹', en: 'FOLDER' }, usage: USAGE[command] }));
  return value;
}

function dataDirOf(env: NodeJS.ProcessEnv): string {
  return env.SERVICEHALL_DATA || './data';
}

/** Runs one operator command; resolves with the process's exit code. */
export async function runOpsCommand(command: string, args: string[], io: OpsIo = { env: process.env, out: (l) => console.log(l) }): Promise<number> {
  const { env, out } = io;
  const dataDir = dataDirOf(env);
  switch (command) {
    case 'backup': {
      // Safe while the hub runs: the backup API reads one consistent moment beside the writer.
      const policy = backupPolicyFromEnv(env);
      const to = option('backup', args, 'to');
      const dir = to ?? policy?.dir;
      // An operator's mistake, not a failure: a refusal (exit 78), as a wrong option of init-tls or create-admin is.
      if (!dir) throw new HubRefusal(opsText('backupWhere'));
      const database = path.join(dataDir, DATABASE_FILE);
      if (!isFile(database)) throw new HubRefusal(opsText('backupNoDatabase', { dir: path.resolve(dataDir), file: DATABASE_FILE }));
      backupFolder(dir, to ? '--to' : 'SERVICEHALL_BACKUP_DIR', 'write');
      databaseAccess(database, 'read', THEN_RUN_AGAIN);
      // A folder that cannot be made or written (a share gone read-only, /proc) is said as a failed backup.
      const backup = await takeBackup(database, path.resolve(dir)).catch((error: unknown) => {
        throw new Error(failedText(error));
      });
      out(opsText('backupDone', { file: backup.path, seq: backup.seq, size: formatBytes(backup.bytes), ms: backup.ms }));
      if (policy && path.resolve(dir) === policy.dir) {
        const { timeZone } = await hallTimeZone(backup.path);
        for (const removed of await pruneBackups(policy.dir, policy, timeZone)) out(`  removed by the retention policy: ${removed}`);
      }
      return 0;
    }
    case 'backups': {
      const within = option('backups', args, 'in');
      const dir = within ?? backupPolicyFromEnv(env)?.dir;
      if (!dir) throw new HubRefusal(opsText('backupsWhere'));
      backupFolder(dir, within ? '--in' : 'SERVICEHALL_BACKUP_DIR', 'read');
      const { backups, unlisted } = await readBackups(path.resolve(dir));
      if (backups.length === 0) out(opsText('noBackup', { dir }));
      else {
        // Said in the hall's own time, as its staff read a clock (the manifests keep UTC): the zone from the newest backup's hall.
        const { timeZone } = await hallTimeZone(backups.reduce((a, b) => (b.takenAtMs > a.takenAtMs ? b : a)).path);
        out(opsText('backupsHeading', { zone: timeZone }));
        for (const b of backups) {
          const at = localTime(b.takenAtMs, timeZone);
          out(`${at.day} ${at.time}  ${String(b.seq).padStart(9)}  ${formatBytes(b.bytes).padStart(9)}  ${b.path}`);
        }
      }
      // A manifest that offers no backup is said, not passed over: the operator counting on that backup learns it now.
      for (const u of unlisted) out(opsText('backupUnlisted', { manifest: u.manifest, problem: u.problem }));
      return 0;
    }
    case 'restore': {
      const file = args.find((a) => !a.startsWith('--'));
      if (!file) throw new HubRefusal(opsText('restoreWhich'));
      const restored = await restoreBackup(file, dataDir, Date.now, env.SERVICEHALL_KEY_FILE || undefined);
      // In the hall's own time, as `backups` listed it: an installer picks the backup by that time.
      const taken = restored.takenAtMs;
      const local = taken === undefined ? undefined : localTime(taken, (await hallTimeZone(path.join(dataDir, DATABASE_FILE))).timeZone);
      const at: Bilingual = local ? { 'zh-CN': ` ${local.day} ${local.time}`, en: `${local.day} ${local.time}` } : { 'zh-CN': '不明（它旁边没有清单）', en: 'unknown (no manifest beside it)' };
      const said = { file: path.resolve(file), seq: restored.seq, at };
      // Onto a new PC (the old one's disk died) there was no database to keep aside.
      out(restored.kept ? opsText('restored', { ...said, kept: restored.kept }) : opsText('restoredFresh', { ...said, dir: path.resolve(dataDir) }));
      out(opsText('restoredNext'));
      return 0;
    }
    case 'check': {
      const file = path.join(dataDir, DATABASE_FILE);
      // No database is no damage: SERVICEHALL_DATA names another folder.
      if (!isFile(file)) throw new HubRefusal(opsText('archiveNoDatabase', { dir: path.resolve(dataDir) }));
      const problem = databaseProblem(file, 'full', THEN_RUN_AGAIN);
      if (!problem) {
        out(`${file}: integrity_check ok`);
        // A whole check that passes lifts the mark the background check left.
        if (fs.existsSync(path.join(dataDir, DAMAGED_MARKER))) {
          fs.rmSync(path.join(dataDir, DAMAGED_MARKER));
          out(`  ${DAMAGED_MARKER} removed: the hub may start again`);
        }
        return 0;
      }
      out(opsText('damaged', { file, problem }));
      return 1;
    }
    case 'install-service': {
      const done = await installService({ dryRun: args.includes('--dry-run'), user: option('install-service', args, 'user'), env });
      for (const line of done.report) out(line);
      return 0;
    }
    default:
      throw new UsageMistake(opsText('unknownCommand', { command, commands: [...OPS_COMMANDS, 'create-admin', 'init-tls', 'archive YEAR', 'promote'].join(', ') }));
  }
}

function isFile(file: string): boolean {
  try {
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

/**
 * The backup folder an operator named (`where`: the option or the setting), checked before
 * anything is done: a file given for the folder, a path that does not exist (a share not mounted,
 * a typing mistake), a folder this account may not use. A new folder is made for a backup only
 * where its parent folder exists.
 */
function backupFolder(dir: string, where: string, use: 'read' | 'write'): void {
  const full = path.resolve(dir);
  let stat: fs.Stats | undefined;
  try {
    stat = fs.statSync(full);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOTDIR') throw new HubRefusal(opsText('backupDirNotFolder', { dir: nearestFile(full), where }));
    if (code !== 'ENOENT') throw new HubRefusal(opsText('backupDirDenied', { dir: full, problem: (error as Error).message }));
  }
  if (stat && !stat.isDirectory()) throw new HubRefusal(opsText('backupDirNotFolder', { dir: full, where }));
  if (!stat) {
    const parent = path.dirname(full);
    const parentIsFolder = (() => {
      try {
        return fs.statSync(parent).isDirectory();
      } catch {
        return false;
      }
    })();
    if (use === 'read' || !parentIsFolder)
      throw new HubRefusal(opsText('backupDirMissing', { dir: full, where, parent: parentIsFolder ? '' : { 'zh-CN': `，它所在的 ${parent} 也不存在`, en: `, nor does ${parent}, where it would be` } }));
    // The backup makes the folder in its parent: one it may not write (a share mounted read-only) is said now.
    folderUsable(parent, fs.constants.W_OK | fs.constants.X_OK, full);
    return;
  }
  folderUsable(full, use === 'write' ? fs.constants.R_OK | fs.constants.W_OK | fs.constants.X_OK : fs.constants.R_OK | fs.constants.X_OK, full);
}

/**
 * A backup folder (or the folder it would be made in) this account may not use: a disk or share
 * mounted read-only is said so, with what to do there (it was said as the account's rights, which
 * root has, and which no chmod mends); anything else as the account's rights.
 */
function folderUsable(dir: string, mode: number, backupDir: string): void {
  try {
    fs.accessSync(dir, mode);
  } catch (error) {
    const problem = (error as Error).message;
    if ((error as NodeJS.ErrnoException).code === 'EROFS') throw new HubRefusal(opsText('backupReadOnly', { dir: backupDir, problem }));
    throw new HubRefusal(opsText('backupDirDenied', { dir, problem }));
  }
}

/** The file on the way to `full` that stands where a folder should (ENOTDIR). */
function nearestFile(full: string): string {
  for (let at = path.dirname(full); at !== path.dirname(at); at = path.dirname(at)) {
    try {
      if (fs.statSync(at).isFile()) return at;
    } catch {
      // Further up.
    }
  }
  return full;
}

async function hallTimeZone(backupFile: string): Promise<{ timeZone: string }> {
  const { default: Database } = await import('better-sqlite3');
  const db = new Database(backupFile, { readonly: true });
  try {
    const row = db.prepare<[], { value: string }>("SELECT value FROM hall WHERE key = 'catalogue'").get();
    return { timeZone: (row ? (JSON.parse(row.value) as { hall?: { timeZone?: string } }).hall?.timeZone : undefined) ?? 'Asia/Shanghai' };
  } finally {
    db.close();
  }
}

export { HubRefusal };
