import fs from 'node:fs';
import path from 'node:path';
import { backupPolicyFromEnv, listBackups, pruneBackups, takeBackup } from './backup';
import { DAMAGED_MARKER, DATABASE_FILE, HubRefusal, databaseProblem } from './integrity';
import { formatBytes, opsText } from './ops-strings';
import { restoreBackup } from './restore';
import { installService } from './service';

/** The operator's commands: `npm run hub -- NAME ...`. They print for a person, not to the log. */
export const OPS_COMMANDS = ['backup', 'backups', 'restore', 'check', 'install-service'] as const;

export interface OpsIo {
  env: NodeJS.ProcessEnv;
  out: (line: string) => void;
}

function option(args: string[], name: string): string | undefined {
  const i = args.indexOf(`--${name}`);
  if (i < 0) return undefined;
  const value = args[i + 1];
  if (!value || value.startsWith('--')) throw new Error(`--${name} needs a value`);
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
      const dir = option(args, 'to') ?? policy?.dir;
      if (!dir) throw new Error('say where to put the backup: SERVICEHALL_BACKUP_DIR, or --to FOLDER');
      const backup = await takeBackup(path.join(dataDir, DATABASE_FILE), path.resolve(dir));
      out(opsText('backupDone', { file: backup.path, seq: backup.seq, size: formatBytes(backup.bytes), ms: backup.ms }));
      if (policy && path.resolve(dir) === policy.dir) {
        const { timeZone } = await hallTimeZone(backup.path);
        for (const removed of await pruneBackups(policy.dir, policy, timeZone)) out(`  removed by the retention policy: ${removed}`);
      }
      return 0;
    }
    case 'backups': {
      const dir = option(args, 'in') ?? backupPolicyFromEnv(env)?.dir;
      if (!dir) throw new Error('say where the backups are: SERVICEHALL_BACKUP_DIR, or --in FOLDER');
      const backups = await listBackups(path.resolve(dir));
      if (backups.length === 0) out(opsText('noBackup', { dir }));
      for (const b of backups) out(`${b.takenAt}  event ${String(b.seq).padStart(9)}  ${formatBytes(b.bytes).padStart(9)}  ${b.path}`);
      return 0;
    }
    case 'restore': {
      const file = args.find((a) => !a.startsWith('--'));
      if (!file) throw new Error('name the backup to restore: npm run hub -- restore FILE (npm run hub -- backups lists them)');
      const restored = await restoreBackup(file, dataDir, Date.now, env.SERVICEHALL_KEY_FILE || undefined);
      out(opsText('restored', { file: path.resolve(file), seq: restored.seq, at: restored.takenAt ?? '?', kept: restored.kept ?? '-' }));
      out(opsText('restoredNext'));
      return 0;
    }
    case 'check': {
      const file = path.join(dataDir, DATABASE_FILE);
      const problem = databaseProblem(file, 'full');
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
      const done = await installService({ dryRun: args.includes('--dry-run'), user: option(args, 'user'), env });
      for (const line of done.report) out(line);
      return 0;
    }
    default:
      throw new Error(`unknown command "${command}": the hub takes none (it runs), or ${OPS_COMMANDS.join(', ')}`);
  }
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
