import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { HubRefusal } from '../files';
import { runOpsCommand } from '../ops-cli';
import { ENV_FILE, UNIT_FILE, installService, planService, runCommand, systemdUnit, type Account } from './index';

const HAS_SYSTEMD_ANALYZE = spawnSync('systemd-analyze', ['--version']).error === undefined;
/** Whether a folder can be made immutable here (root, chattr, a file system with the flag): its chown then fails. */
const CAN_FREEZE = (() => {
  if (process.getuid?.() !== 0) return false;
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'servicehall-freeze-'));
  const frozen = spawnSync('chattr', ['+i', d]).status === 0;
  spawnSync('chattr', ['-i', d]);
  fs.rmSync(d, { recursive: true, force: true });
  return frozen;
})();
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});
function tempDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'servicehall-service-'));
  dirs.push(d);
  return d;
}

/** An install folder every account may read, as /opt/servicehall is. */
function openRoot(): string {
  const d = tempDir();
  fs.chmodSync(d, 0o755);
  return d;
}

/** The service's own account, `servicehall`, as `useradd --system` makes it: no file of this machine is its yet. */
const SERVICEHALL: Account = { uid: 64_000, gid: 64_000 };
const servicehall = (name: string) => (name === 'servicehall' ? SERVICEHALL : undefined);

const HALL_ENV = {
  SERVICEHALL_DATA: '/var/lib/servicehall',
  SERVICEHALL_HOST: '0.0.0.0',
  SERVICEHALL_TOKEN: 'hall-token-kept-out-of-reports',
  SERVICEHALL_BACKUP_DIR: '/mnt/nas/servicehall',
  PATH: '/usr/bin',
};

describe('install-service on Linux (systemd)', () => {
  it('in a dry run prints the unit, its settings and the commands, and changes nothing', async () => {
    const root = tempDir();
    const ran: string[][] = [];
    const done = await installService({ dryRun: true, env: HALL_ENV, platform: 'linux', user: 'servicehall', fsRoot: root, root: openRoot(), lookupUser: servicehall, run: (c, a) => ran.push([c, ...a]) });
    expect(fs.readdirSync(root)).toEqual([]);
    expect(ran).toEqual([]);
    const report = done.report.join('\n');
    expect(done.report.slice(0, 2)).toEqual(['试运行：什么都没有改动。下面是安装时会写的文件和会运行的命令。', 'Dry run: nothing was changed. Below, the files an install would write and the commands it would run.']);
    expect(report).toContain(`would write ${UNIT_FILE} (mode 644):`);
    expect(report).toContain('    Restart=on-failure');
    expect(report).toContain('would run: systemctl enable --now servicehall-hub.service');
    expect(report).toContain('SERVICEHALL_TOKEN=(hidden)');
    expect(report).not.toContain('hall-token-kept-out-of-reports');
    expect(report).toContain('journalctl -u servicehall-hub.service');
  });

  it('writes the unit and its owner-only settings file, then enables and starts it', async () => {
    const root = tempDir();
    const ran: string[][] = [];
    const done = await installService({ dryRun: false, env: HALL_ENV, platform: 'linux', user: 'servicehall', fsRoot: root, root: openRoot(), lookupUser: servicehall, run: (c, a) => ran.push([c, ...a]) });
    expect(ran).toEqual([
      // The data folder does not exist yet on this machine: made for the service's account alone.
      ['mkdir', '-p', '-m', '700', '/var/lib/servicehall'],
      ['chown', 'servicehall:', '/var/lib/servicehall'],
      ['systemctl', 'daemon-reload'],
      ['systemctl', 'enable', '--now', 'servicehall-hub.service'],
    ]);
    const settings = path.join(root, ENV_FILE);
    expect(fs.statSync(settings).mode & 0o777).toBe(0o600);
    expect(fs.readFileSync(settings, 'utf8').split('\n')).toEqual(
      expect.arrayContaining(['SERVICEHALL_DATA="/var/lib/servicehall"', 'SERVICEHALL_TOKEN="hall-token-kept-out-of-reports"', 'SERVICEHALL_BACKUP_DIR="/mnt/nas/servicehall"']),
    );
    expect(fs.readFileSync(settings, 'utf8')).not.toContain('PATH=');
    const unit = fs.readFileSync(path.join(root, UNIT_FILE), 'utf8');
    // The built hub, run by Node itself (no tsx).
    expect(unit).toContain(`ExecStart=${process.execPath} --initial-old-space-size=512 ${done.plan.cli}`);
    expect(done.plan.cli).toMatch(/packages\/hub\/dist\/cli\.js$/);
    expect(unit).toContain('User=servicehall');
    // A refusal to start (a damaged database) is not met by restarting in a loop.
    expect(unit).toContain('RestartPreventExitStatus=78');
    expect(unit).toContain('RequiresMountsFor=/var/lib/servicehall');
    // systemctl stop signals the hub alone, which ends its phones' process itself (the whole group signalled
    // at once, every clean stop logged that process as not ended cleanly); what is left past the timeout is killed.
    expect(unit).toContain('KillMode=mixed');
    expect(done.report.slice(0, 2)).toEqual(['主机已安装为系统服务，开机自动启动，出错后自动重启。', 'Installed the ServiceHall hub as a service: it starts at boot and again after a failure.']);
  });

  // scripts/install.sh --for-tests installs systemd; without it there is nothing to verify the unit with.
  it.skipIf(!HAS_SYSTEMD_ANALYZE)('makes a unit that systemd-analyze verifies without a warning', () => {
    const dir = tempDir();
    const plan = planService({ env: { ...HALL_ENV, SERVICEHALL_DATA: dir }, platform: 'linux', user: 'root' });
    const file = path.join(dir, 'servicehall-hub.service');
    fs.writeFileSync(file, systemdUnit(plan));
    const verified = spawnSync('systemd-analyze', ['verify', file], { encoding: 'utf8' });
    expect(verified.stderr.trim()).toBe('');
    expect(verified.status).toBe(0);
  });

  it('refuses settings a unit file cannot carry, and needs root for the real thing', async () => {
    await expect(installService({ dryRun: true, env: { ...HALL_ENV, SERVICEHALL_TOKEN: 'a$b' }, platform: 'linux' })).rejects.toThrow(/SERVICEHALL_TOKEN holds a character/);
    await expect(installService({ dryRun: true, env: { SERVICEHALL_DATA: '/srv/my hall' }, platform: 'linux' })).rejects.toThrow(/the data folder \(\/srv\/my hall\) holds a space/);
    await expect(installService({ dryRun: false, env: HALL_ENV, platform: 'linux', privileged: false })).rejects.toThrow(/needs root: sudo -E npm run hub -- install-service/);
    expect(planService({ env: {}, platform: 'linux', user: 'servicehall' }).notes.join('\n')).toMatch(/^SERVICEHALL_HOST 是本机回环地址[^\n]*\nSERVICEHALL_HOST is loopback[^]*没有设置 SERVICEHALL_BACKUP_DIR[^\n]*\nSERVICEHALL_BACKUP_DIR is not set/);
  });

  it('refuses an account this machine does not have, before writing anything, saying how to make it', async () => {
    const root = tempDir();
    const ran: string[][] = [];
    for (const dryRun of [true, false]) {
      const refused = await installService({ dryRun, env: HALL_ENV, platform: 'linux', user: 'servicehall', fsRoot: root, root: openRoot(), lookupUser: () => undefined, run: (c, a) => ran.push([c, ...a]) }).catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(HubRefusal);
      expect((refused as HubRefusal).exitCode).toBe(78);
      expect((refused as Error).message).toMatch(/^本机没有账户 servicehall：以它运行的服务启动不了。请先建立它（如 useradd --system .* servicehall）.*什么都没有改动。\nThere is no account servicehall on this machine/);
    }
    expect(fs.readdirSync(root)).toEqual([]);
    expect(ran).toEqual([]);
  });

  it('refuses an install folder the account cannot reach (a clone in /root), naming the folder', async () => {
    const home = tempDir();
    fs.chmodSync(home, 0o700);
    const clone = path.join(home, 'servicehall');
    fs.mkdirSync(clone, { mode: 0o755 });
    const refused = await installService({ dryRun: true, env: HALL_ENV, platform: 'linux', user: 'servicehall', root: clone, lookupUser: servicehall }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(HubRefusal);
    expect((refused as Error).message).toContain(`服务账户 servicehall 进不了 ${home}（权限 700），读不到主机的程序 ${clone}/packages/hub/dist/cli.js`);
    // The account's own folder is fine, and so is one open to others.
    await expect(installService({ dryRun: true, env: HALL_ENV, platform: 'linux', user: 'servicehall', root: clone, lookupUser: () => ({ uid: fs.statSync(home).uid, gid: 1 }) })).resolves.toBeDefined();
    fs.chmodSync(home, 0o711);
    await expect(installService({ dryRun: true, env: HALL_ENV, platform: 'linux', user: 'servicehall', root: clone, lookupUser: servicehall })).resolves.toBeDefined();
  });

  it('lets an account in the folder’s group through by a supplementary group, as the service will be, and refuses one not in it', async () => {
    const home = tempDir();
    // /srv/apps, 0750, of a group the service account is a member of besides its own.
    fs.chmodSync(home, 0o750);
    fs.chownSync(home, 0, 64_100);
    const clone = path.join(home, 'servicehall');
    fs.mkdirSync(clone, { mode: 0o755 });
    const member: Account = { ...SERVICEHALL, groups: [64_000, 64_100] };
    // Before, only the primary group was compared: refused (服务账户 servicehall 进不了 …（权限 750）), though the service could enter.
    await expect(installService({ dryRun: true, env: HALL_ENV, platform: 'linux', user: 'servicehall', root: clone, lookupUser: () => member })).resolves.toBeDefined();
    const refused = await installService({ dryRun: true, env: HALL_ENV, platform: 'linux', user: 'servicehall', root: clone, lookupUser: servicehall }).catch((e: unknown) => e);
    expect((refused as Error).message).toContain(`服务账户 servicehall 进不了 ${home}（权限 750）`);
  });

  it.skipIf(!CAN_FREEZE)(
    'says which folder could not be given to the account (a share that refuses chown), what it had done and that the service is not started',
    async () => {
      const root = tempDir();
      const data = tempDir();
      const backups = tempDir();
      fs.writeFileSync(path.join(backups, 'hall-20261206.db'), '');
      // An immutable folder refuses root's chown (EPERM), as an NFS share with root_squash does.
      expect(spawnSync('chattr', ['+i', backups]).status).toBe(0);
      try {
        const recorded: string[][] = [];
        const env = { ...HALL_ENV, SERVICEHALL_DATA: data, SERVICEHALL_BACKUP_DIR: backups };
        const refused = await installService({
          dryRun: false,
          env,
          platform: 'linux',
          user: 'nobody',
          fsRoot: root,
          root: openRoot(),
          lookupUser: () => ({ uid: 65_534, gid: 65_534 }),
          // chown for real; systemctl recorded, not run.
          run: (c, a) => (c === 'chown' ? runCommand(c, a) : void recorded.push([c, ...a])),
        }).catch((e: unknown) => e);
        // Before: a plain Error, 'Command failed: chown -R nobody: …', exit code 1, nothing of what was done or what to do.
        expect(refused).toBeInstanceOf(HubRefusal);
        const [zh, en] = (refused as Error).message.split('\n');
        expect(zh).toContain(`没能把 ${backups} 交给服务账户 nobody（chown -R nobody: ${backups}：`);
        expect(zh).toContain('Operation not permitted');
        expect(zh).toContain(`已运行：chown -R nobody: ${data}；没有运行：systemctl daemon-reload; systemctl enable --now servicehall-hub.service，服务既没有启用也没有启动`);
        expect(zh).toContain('root_squash');
        expect(en).toContain(`${backups} could not be given to the service account nobody`);
        expect(en).toContain(`Written: ${ENV_FILE}, ${UNIT_FILE}; run: chown -R nobody: ${data}; not run: systemctl daemon-reload; systemctl enable --now servicehall-hub.service`);
        expect(recorded).toEqual([]);
        expect(fs.statSync(data).uid).toBe(65_534);
        expect(fs.statSync(backups).uid).toBe(0);
      } finally {
        spawnSync('chattr', ['-i', backups]);
      }
    },
  );

  it('gives the data and backup folders that init-tls and the installer made as root to the service account', async () => {
    const data = tempDir();
    const backups = tempDir();
    const ran: string[][] = [];
    const env = { ...HALL_ENV, SERVICEHALL_DATA: data, SERVICEHALL_BACKUP_DIR: backups };
    const done = await installService({ dryRun: true, env, platform: 'linux', user: 'servicehall', root: openRoot(), lookupUser: servicehall, run: (c, a) => ran.push([c, ...a]) });
    expect(ran).toEqual([]);
    expect(done.report).toEqual(expect.arrayContaining([`would run: chown -R servicehall: ${data}`, `would run: chown -R servicehall: ${backups}`]));
    expect(done.report.indexOf(`would run: chown -R servicehall: ${data}`)).toBeLessThan(done.report.indexOf('would run: systemctl enable --now servicehall-hub.service'));
    // Already the account's: nothing to give.
    const own = await installService({ dryRun: true, env, platform: 'linux', user: 'servicehall', root: openRoot(), lookupUser: () => ({ uid: fs.statSync(data).uid, gid: 0 }) });
    expect(own.commands).toEqual([
      ['systemctl', 'daemon-reload'],
      ['systemctl', 'enable', '--now', 'servicehall-hub.service'],
    ]);
  });

  it('is one command on the hub command line', async () => {
    const lines: string[] = [];
    const me = os.userInfo().username;
    expect(await runOpsCommand('install-service', ['--dry-run', '--user', me], { env: HALL_ENV, out: (l) => lines.push(l) })).toBe(0);
    expect(lines[0]).toBe('试运行：什么都没有改动。下面是安装时会写的文件和会运行的命令。');
    expect(lines.join('\n')).toContain(`User=${me}`);
  });
});

describe('install-service on Windows (node-windows, WinSW)', () => {
  it('in a dry run shows the service node-windows makes: restarts, a clean stop, the settings and a rotating log file', async () => {
    const done = await installService({ dryRun: true, env: { SERVICEHALL_DATA: '/srv/servicehall', SERVICEHALL_HOST: '0.0.0.0', SERVICEHALL_BACKUP_DIR: '/mnt/nas' }, platform: 'win32' });
    expect(done.files).toHaveLength(1);
    const xml = done.files[0]!.text;
    expect(xml).toContain('<name>ServiceHall hub</name>');
    expect(xml).toContain('<argument>--initial-old-space-size=512</argument>');
    expect(xml).not.toContain('<argument>tsx</argument>');
    expect(xml).toContain(`<argument>${done.plan.cli}</argument>`);
    expect(xml).toMatch(/<argument>--maxrestarts<\/argument>\s*<argument>10<\/argument>/);
    expect(xml).toMatch(/<argument>--stopparentfirst<\/argument>\s*<argument>true<\/argument>/);
    expect(xml).toContain('<log mode="roll-by-size">');
    expect(xml).toContain('<env name="SERVICEHALL_LOG_FILE" value="/srv/servicehall/logs/hub.log"/>');
    expect(xml).toContain('<env name="SERVICEHALL_DATA" value="/srv/servicehall"/>');
    expect(xml).toContain(`<workingdirectory>${done.plan.root}</workingdirectory>`);
    expect(done.report.join('\n')).toContain('would run: node-windows Service.install()');
  });
});
