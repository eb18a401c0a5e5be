import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runOpsCommand } from '../ops-cli';
import { ENV_FILE, UNIT_FILE, installService, planService, systemdUnit } from './index';

const HAS_SYSTEMD_ANALYZE = spawnSync('systemd-analyze', ['--version']).error === undefined;
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});
function tempDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'servicehall-service-'));
  dirs.push(d);
  return d;
}

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
    const done = await installService({ dryRun: true, env: HALL_ENV, platform: 'linux', user: 'servicehall', fsRoot: root, run: (c, a) => ran.push([c, ...a]) });
    expect(fs.readdirSync(root)).toEqual([]);
    expect(ran).toEqual([]);
    const report = done.report.join('\n');
    expect(report).toContain('Dry run: nothing was changed.');
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
    const done = await installService({ dryRun: false, env: HALL_ENV, platform: 'linux', user: 'servicehall', fsRoot: root, run: (c, a) => ran.push([c, ...a]) });
    expect(ran).toEqual([
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
    expect(done.report[0]).toBe('Installed the ServiceHall hub as a service.');
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
    expect(planService({ env: {}, platform: 'linux', user: 'servicehall' }).notes.join('\n')).toMatch(/loopback[\s\S]*SERVICEHALL_BACKUP_DIR is not set/);
  });

  it('is one command on the hub command line', async () => {
    const lines: string[] = [];
    expect(await runOpsCommand('install-service', ['--dry-run', '--user', 'servicehall'], { env: HALL_ENV, out: (l) => lines.push(l) })).toBe(0);
    expect(lines[0]).toBe('Dry run: nothing was changed.');
    expect(lines.join('\n')).toContain('User=servicehall');
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
