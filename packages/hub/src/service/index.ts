import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { HubRefusal } from '../files';
import { opsText } from '../ops-strings';
import { planService, shownEnv, type ServicePlan } from './plan';
import { ENV_FILE, UNIT_FILE, UNIT_NAME, environmentFile, systemdUnit } from './systemd';
import { WINDOWS_SERVICE_NAME, installWindowsService, windowsServiceFolder, winswXml } from './windows';

export { planService, type ServicePlan } from './plan';
export { systemdUnit, environmentFile, UNIT_NAME, UNIT_FILE, ENV_FILE } from './systemd';
export { nodeWindowsConfig, winswXml } from './windows';

export interface InstallOptions {
  /** Print what would be written and run; change nothing. */
  dryRun: boolean;
  env: NodeJS.ProcessEnv;
  user?: string;
  platform?: NodeJS.Platform;
  /** A folder that stands for / (tests). */
  fsRoot?: string;
  /** Runs a command (tests record them). */
  run?: (command: string, args: string[]) => void;
  /** Whether this process may install services (root on Linux). */
  privileged?: boolean;
  /** The install folder (tests); the one this hub was built in otherwise. */
  root?: string;
  /** The account the service runs as, by name (tests); `getent passwd` otherwise. */
  lookupUser?: (name: string) => Account | undefined;
}

/** A Linux account as the service's unit names it. */
export interface Account {
  uid: number;
  gid: number;
  /** Its supplementary groups (systemd gives the service all of them). */
  groups?: number[];
}

/** The account `name` through NSS (local, LDAP), as systemd will look it up; undefined when there is none. */
function lookupAccount(name: string): Account | undefined {
  try {
    const [, , uid, gid] = execFileSync('getent', ['passwd', name], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).split(':');
    const groups = execFileSync('id', ['-G', name], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim().split(/\s+/).map(Number);
    return { uid: Number(uid), gid: Number(gid), groups };
  } catch {
    return undefined;
  }
}

/**
 * Whether `account` may enter `folder` (and every folder on the way), asked of the kernel as that account
 * (setpriv, as root): its supplementary groups and the folders' ACLs count as they will for the service.
 * Undefined where this process cannot take another account's identity (a dry run by a user other than root).
 */
function mayEnterAs(account: Account, folder: string): boolean | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const groups = (account.groups ?? []).filter((g) => g !== account.gid);
  const r = spawnSync('setpriv', [`--reuid=${account.uid}`, `--regid=${account.gid}`, groups.length ? `--groups=${groups.join(',')}` : '--clear-groups', '--', 'test', '-x', folder], { stdio: 'ignore' });
  return r.error || (r.status !== 0 && r.status !== 1) ? undefined : r.status === 0;
}

/**
 * The first folder on the way to `dir` (itself included) that `account` may not pass through, with its mode: asked
 * as the account where this process can (mayEnterAs), else by the mode bits of its owner, its groups and others.
 */
function closedOnTheWay(dir: string, account: Account): { dir: string; mode: string } | undefined {
  const parts = path.resolve(dir).split(path.sep).filter(Boolean);
  const groups = new Set([account.gid, ...(account.groups ?? [])]);
  if (mayEnterAs(account, path.resolve(dir)) === true) return undefined;
  for (let i = 0; i <= parts.length; i++) {
    const folder = path.sep + parts.slice(0, i).join(path.sep);
    const st = fs.statSync(folder);
    const asked = mayEnterAs(account, folder);
    const may = asked ?? (st.uid === account.uid ? st.mode & 0o100 : groups.has(st.gid) ? st.mode & 0o010 : st.mode & 0o001);
    if (!may) return { dir: folder, mode: (st.mode & 0o777).toString(8) };
  }
  return undefined;
}

/**
 * What a service run as another account needs before it can start, checked before anything is
 * written: the account itself, the hub's program within its reach, and its folders its own
 * (made and given to it by commands the report shows).
 */
function prepareAccount(plan: ServicePlan, options: InstallOptions): string[][] {
  const account = (options.lookupUser ?? lookupAccount)(plan.user);
  if (!account) throw new HubRefusal(opsText('serviceUserMissing', { user: plan.user }));
  const closed = closedOnTheWay(plan.root, account);
  if (closed) throw new HubRefusal(opsText('serviceRootUnreadable', { user: plan.user, dir: closed.dir, mode: closed.mode, cli: plan.cli }));
  const commands: string[][] = [];
  const owner = `${plan.user}:`;
  const data = plan.dataDir;
  if (!fs.existsSync(data)) commands.push(['mkdir', '-p', '-m', '700', data], ['chown', owner, data]);
  else if (fs.statSync(data).uid !== account.uid) commands.push(['chown', '-R', owner, data]);
  const backups = plan.env.SERVICEHALL_BACKUP_DIR;
  if (backups && fs.existsSync(backups) && fs.statSync(backups).uid !== account.uid) commands.push(['chown', '-R', owner, backups]);
  return commands;
}

/**
 * A command of the install that failed, said with what it had done and what it had not: the unit and its settings
 * written, the commands run before it, those left (the service neither enabled nor started). A chown that fails is a
 * folder on a network share, mostly: NFS with root_squash refuses root a chown, CIFS/SMB takes its owner from its
 * mount options; chown -R may have changed part of the folder before it stopped.
 */
function commandFailed(command: string[], error: unknown, done: { files: string[]; ran: string[][]; left: string[][]; user: string }): HubRefusal {
  const problem = error instanceof Error ? error.message : String(error);
  const list = (commands: string[][]) => commands.map((c) => c.join(' ')).join('; ');
  const values = {
    command: command.join(' '),
    problem,
    files: done.files.join(', '),
    ran: done.ran.length ? list(done.ran) : { 'zh-CN': '无', en: 'none' },
    left: list(done.left) || { 'zh-CN': '无', en: 'none' },
  };
  if (command[0] === 'chown') {
    const dir = command.at(-1)!;
    return new HubRefusal(opsText('serviceChownFailed', { ...values, dir, user: done.user }));
  }
  return new HubRefusal(opsText('serviceCommandFailed', values));
}

export interface Installed {
  plan: ServicePlan;
  /** What was (or, in a dry run, would be) written. */
  files: { path: string; mode: number; text: string }[];
  commands: string[][];
  report: string[];
}

/** Runs one command of the install; one that fails throws with what it said on standard error (chown: … Operation not permitted). */
export const runCommand = (command: string, args: string[]): void => {
  const r = spawnSync(command, args, { stdio: ['ignore', 'inherit', 'pipe'], encoding: 'utf8' });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(r.stderr.trim().split('\n').at(-1) || `${command} ended with exit code ${r.status}`);
};

/**
 * `npm run hub -- install-service [--dry-run] [--user NAME]`: the hub as a service that starts at
 * boot and again after a failure. Linux: a systemd unit and its settings file, enabled and started.
 * Windows: a service through node-windows (WinSW). The report says what was done.
 */
export async function installService(options: InstallOptions): Promise<Installed> {
  const platform = options.platform ?? process.platform;
  const plan = planService({ env: options.env, platform, user: options.user, ...(options.root ? { root: options.root } : {}) });
  const report: string[] = [];
  const files: Installed['files'] = [];
  const commands: string[][] = [];
  const verb = options.dryRun ? 'would write' : 'wrote';
  if (plan.platform === 'linux') {
    files.push({ path: ENV_FILE, mode: 0o600, text: environmentFile(plan) }, { path: UNIT_FILE, mode: 0o644, text: systemdUnit(plan) });
    if (plan.user !== 'root') commands.push(...prepareAccount(plan, options));
    commands.push(['systemctl', 'daemon-reload'], ['systemctl', 'enable', '--now', UNIT_NAME]);
  } else {
    files.push({ path: path.join(windowsServiceFolder(plan), 'daemon', 'servicehallhub.xml'), mode: 0o644, text: winswXml(plan) });
  }
  if (!options.dryRun) {
    // The service runs the built hub: one not built (a checkout without npm run build) would fail at every start.
    if (!options.fsRoot && !fs.existsSync(plan.cli)) throw new Error(`the hub is not built (${plan.cli} is missing): run npm run build first`);
    if (plan.platform === 'linux') {
      const privileged = options.privileged ?? process.getuid?.() === 0;
      if (!privileged && !options.fsRoot) throw new Error('installing a systemd service needs root: sudo -E npm run hub -- install-service (-E keeps your SERVICEHALL_* settings)');
      for (const f of files) {
        const target = options.fsRoot ? path.join(options.fsRoot, f.path) : f.path;
        fs.mkdirSync(path.dirname(target), { recursive: true });
        fs.writeFileSync(target, f.text, { mode: f.mode });
        fs.chmodSync(target, f.mode);
      }
      const ran: string[][] = [];
      for (const c of commands) {
        const [command, ...args] = c;
        try {
          (options.run ?? runCommand)(command!, args);
        } catch (error) {
          throw commandFailed(c, error, { files: files.map((f) => f.path), ran, left: commands.slice(ran.length + 1), user: plan.user });
        }
        ran.push(c);
      }
    } else {
      const result = await installWindowsService(plan);
      report.push(`${WINDOWS_SERVICE_NAME}: ${result}`);
    }
  }
  report.push(...opsText(options.dryRun ? 'serviceDryRun' : 'serviceInstalled').split('\n'));
  for (const f of files) {
    report.push(`${verb} ${f.path} (mode ${f.mode.toString(8)}):`);
    const shown = f.path === ENV_FILE ? ['# settings', ...shownEnv(plan.env)] : f.text.trimEnd().split(/\r?\n/);
    for (const line of shown) report.push(`    ${line}`);
  }
  for (const c of commands) report.push(`${options.dryRun ? 'would run' : 'ran'}: ${c.join(' ')}`);
  if (plan.platform === 'linux') {
    report.push(`logs: journalctl -u ${UNIT_NAME} -f (journald rotates them); state: systemctl status ${UNIT_NAME}`);
  } else {
    report.push(`logs: ${plan.env.SERVICEHALL_LOG_FILE} (daily and at 10 MB, 14 kept); the service: services.msc, "${WINDOWS_SERVICE_NAME}"`);
    if (options.dryRun) report.push('would run: node-windows Service.install() (WinSW install), then start the service');
  }
  for (const note of plan.notes) report.push(...note.split('\n').map((line, i) => `${i === 0 ? 'note:' : '     '} ${line}`));
  return { plan, files, commands, report };
}
