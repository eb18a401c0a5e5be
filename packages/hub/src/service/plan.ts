import Database from 'better-sqlite3';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { INSTALL_ROOT } from '../built';
import { DATABASE_FILE } from '../integrity';
import { opsText } from '../ops-strings';


/** What a service runs and with which settings, whatever the service manager. */
export interface ServicePlan {
  platform: 'linux' | 'win32';
  /** The hall's name, for the service's description ('' before the hall is set up). */
  hall: string;
  root: string;
  node: string;
  cli: string;
  dataDir: string;
  /** The account the service runs as (Linux; Windows services run as LocalSystem). */
  user: string;
  /** SERVICEHALL_* settings the service gets, paths made absolute. */
  env: Record<string, string>;
  /** What the installer should know before relying on it. */
  notes: string[];
}

function hallName(dataDir: string): string {
  const file = path.join(dataDir, DATABASE_FILE);
  if (!fs.existsSync(file)) return '';
  try {
    const db = new Database(file, { readonly: true, fileMustExist: true });
    try {
      const row = db.prepare<[], { value: string }>("SELECT value FROM hall WHERE key = 'catalogue'").get();
      return row ? ((JSON.parse(row.value) as { hall?: { name?: string } }).hall?.name ?? '') : '';
    } finally {
      db.close();
    }
  } catch {
    return '';
  }
}

/** Settings that are paths: made absolute against the installer's folder, as the service starts elsewhere. */
const PATH_SETTINGS = ['SERVICEHALL_DATA', 'SERVICEHALL_BACKUP_DIR', 'SERVICEHALL_LOG_FILE', 'SERVICEHALL_KEY_FILE', 'SERVICEHALL_TLS_CERT', 'SERVICEHALL_TLS_KEY'];

export function planService(options: { env: NodeJS.ProcessEnv; platform: NodeJS.Platform; user?: string; root?: string; node?: string; cwd?: string }): ServicePlan {
  if (options.platform !== 'linux' && options.platform !== 'win32') throw new Error(`the hub installs as a service on Linux (systemd) and Windows; this is ${options.platform}`);
  const cwd = options.cwd ?? process.cwd();
  const root = options.root ?? INSTALL_ROOT;
  // Paths as this machine writes them (node-windows itself uses the running platform's own).
  const resolve = path.resolve;
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(options.env)) if (name.startsWith('SERVICEHALL_') && value !== undefined && value !== '') env[name] = value;
  env.SERVICEHALL_DATA ??= './data';
  for (const name of PATH_SETTINGS) if (env[name]) env[name] = resolve(cwd, env[name]!);
  // Windows has no journal: the hub writes its own rotating log file there.
  if (options.platform === 'win32') env.SERVICEHALL_LOG_FILE ??= resolve(env.SERVICEHALL_DATA!, 'logs', 'hub.log');
  const notes: string[] = [];
  if (!env.SERVICEHALL_HOST || /^(127\.|localhost$|::1$)/.test(env.SERVICEHALL_HOST))
    notes.push(opsText('serviceLoopback'));
  if (!env.SERVICEHALL_BACKUP_DIR) notes.push(opsText('serviceNoBackups'));
  const user = options.user ?? options.env.SUDO_USER ?? os.userInfo().username;
  if (options.platform === 'linux') {
    if (user === 'root') notes.push(opsText('serviceAsRoot'));
    for (const [what, value] of [
      ['the install folder', root],
      ['the data folder', env.SERVICEHALL_DATA!],
    ] as const)
      if (/[\s%"\\]/.test(value)) throw new Error(`${what} (${value}) holds a space, %, " or \\, which a systemd unit cannot carry as it is; move it`);
  }
  return {
    platform: options.platform,
    hall: hallName(env.SERVICEHALL_DATA!),
    root,
    node: options.node ?? process.execPath,
    // The built hub (npm run build), which Node runs without tsx.
    cli: path.join(root, 'packages', 'hub', 'dist', 'cli.js'),
    dataDir: env.SERVICEHALL_DATA!,
    user,
    env,
    notes,
  };
}

/** The settings as a person may read them: tokens hidden. */
export function shownEnv(env: Record<string, string>): string[] {
  return Object.entries(env).map(([name, value]) => `${name}=${/TOKEN/.test(name) ? '(hidden)' : value}`);
}
