import type { Ticket } from '@servicehall/core';
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, type TestContext } from 'vitest';
import { DATABASE_FILE, REFUSED_EXIT_CODE, USAGE_EXIT_CODE } from './integrity';
import { freePort, HUB_PROCESS_TOKEN, hubCommandLine, LOAD_TEST_LIMITS, spawnHub, type HubProcess } from './testing/hub-process';
import { makeHallDatabase } from './testing/hall-db';
import { TestTerminal } from './testing/terminal';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../../..');

/**
 * The tests run side by side (each command is a process of its own, most of its time spent loading the hub's
 * modules): each test's folders, and the hub it starts, are its own, ended and removed when it ends.
 */
function workspace(onTestFinished: TestContext['onTestFinished']): { tempDir(): string; hub?: HubProcess } {
  const dirs: string[] = [];
  const w: { tempDir(): string; hub?: HubProcess } = {
    tempDir() {
      const d = fs.mkdtempSync(path.join(os.tmpdir(), 'servicehall-ops-'));
      dirs.push(d);
      return d;
    },
  };
  onTestFinished(async () => {
    await w.hub?.kill('SIGKILL');
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  });
  return w;
}

/** Commands at once across the file's tests: one per core (more only wait for a processor, each loading the hub's modules). */
let freeSlots = os.availableParallelism();
const waitingForSlot: (() => void)[] = [];
async function inTurn<T>(run: () => Promise<T>): Promise<T> {
  if (freeSlots > 0) freeSlots -= 1;
  else await new Promise<void>((resolve) => waitingForSlot.push(resolve));
  try {
    return await run();
  } finally {
    const next = waitingForSlot.shift();
    if (next) next();
    else freeSlots += 1;
  }
}

/** `npm run hub -- ARGS` as an operator types it (as another account with `as`, through `before`: prlimit): its exit code and all it printed. */
function hubCommand(args: string[], env: Record<string, string>, as: { uid?: number; gid?: number } = {}, killAfterMs = 60_000, before: string[] = []): Promise<{ code: number | null; out: string; ms: number }> {
  return inTurn(() => new Promise((resolve) => {
    const started = performance.now();
    const [command, ...rest] = [...before, process.execPath, ...hubCommandLine(), ...args];
    const child = spawn(command!, rest, { cwd: root, env: { ...process.env, SERVICEHALL_LOG_LEVEL: 'info', ...env }, stdio: ['ignore', 'pipe', 'pipe'], ...as });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    // A command that hangs is ended and reported as such (exit code null), not waited for.
    const timer = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
    // 'close', not 'exit': a process's exit may be seen before the last of what it printed is read (seen with the tests side by side).
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, out, ms: performance.now() - started });
    });
  }));
}

async function queue(h: HubProcess): Promise<Ticket[]> {
  const res = await fetch(`${h.url}/api/queue`, { headers: { authorization: `Bearer ${h.token}` } });
  return ((await res.json()) as { tickets: Ticket[] }).tickets;
}

async function issue(h: HubProcess, n: number): Promise<Ticket[]> {
  const kiosk = await TestTerminal.connect(h.wsUrl, { role: 'kiosk', terminal: 'kiosk-1', token: h.token });
  const out: Ticket[] = [];
  for (let i = 0; i < n; i++) {
    const a = await kiosk.command({ type: 'issueTicket', serviceCode: i % 2 ? 'GA-CS-DJ' : 'RS-LHJY-DJ', lane: 'ordinary' });
    if (a.ok && a.ticket) out.push(a.ticket);
  }
  kiosk.close();
  return out;
}

describe.concurrent("the operator's commands on a hub in its own process", () => {
  it('backs up while the hub serves, refuses to restore under a running hub, restores after it stops, and the hub refuses a damaged database naming that backup', async ({ onTestFinished }) => {
    const w = workspace(onTestFinished);
    const tempDir = w.tempDir;
    const data = tempDir();
    const backups = tempDir();
    // Thirty tickets from one kiosk at once are beyond a kiosk's pace (20 at once): the limits are off for this hall.
    const env = { SERVICEHALL_DATA: data, SERVICEHALL_BACKUP_DIR: backups, SERVICEHALL_BACKUP_EVERY_MINUTES: '600', SERVICEHALL_LIMITS: LOAD_TEST_LIMITS };
    let hub = (w.hub = await spawnHub(data, env));
    const acknowledged = await issue(hub, 30);
    expect(acknowledged).toHaveLength(30);

    const backup = await hubCommand(['backup'], env);
    expect(backup.code).toBe(0);
    expect(backup.out).toContain('备份完成');
    expect(backup.out).toContain('integrity check passed');
    const file = /Backup done: (\S+\.db)/.exec(backup.out)![1]!;
    expect(fs.existsSync(file)).toBe(true);

    const listed = await hubCommand(['backups'], env);
    expect(listed.out).toContain(file);
    // Its time in the hall's zone (the demo hall's, Asia/Shanghai), as the hall's staff read a clock, under a heading that says so: not the manifest's UTC.
    const takenAtMs = (JSON.parse(fs.readFileSync(file.replace(/\.db$/, '.json'), 'utf8')) as { takenAtMs: number }).takenAtMs;
    const shanghai = new Date(takenAtMs + 8 * 3600_000).toISOString().slice(0, 16).replace('T', ' ');
    expect(listed.out).toContain('备份（时间为大厅所在时区 Asia/Shanghai）');
    expect(listed.out).toMatch(new RegExp(`^${shanghai} +\\d+ +.+${path.basename(file)}$`, 'm'));
    expect(listed.out).not.toMatch(/^\d{4}-\d\d-\d\dT/m);
    // A manifest cut short (a share that went away mid-write), one of no backup, one whose file is gone: each said, not passed over.
    fs.writeFileSync(path.join(backups, 'hall-2026-01-01T000000Z.json'), '{"format":1,"file":"hall-2026');
    fs.writeFileSync(path.join(backups, 'hall-2026-01-02T000000Z.json'), '[]');
    const whole = JSON.parse(fs.readFileSync(file.replace(/\.db$/, '.json'), 'utf8')) as Record<string, unknown>;
    fs.writeFileSync(path.join(backups, 'hall-2026-01-03T000000Z.json'), JSON.stringify({ ...whole, file: 'hall-2026-01-03T000000Z.db' }));
    const unlisted = await hubCommand(['backups'], env);
    expect(unlisted.code).toBe(0);
    expect(unlisted.out).toContain(file);
    expect(unlisted.out.match(/没有列出/g)).toHaveLength(3);
    expect(unlisted.out.match(/is not listed/g)).toHaveLength(3);
    expect(unlisted.out).toContain('清单所说的备份文件 hall-2026-01-03T000000Z.db 不在');
    for (const name of ['hall-2026-01-01T000000Z.json', 'hall-2026-01-02T000000Z.json', 'hall-2026-01-03T000000Z.json']) fs.rmSync(path.join(backups, name));

    const underRunningHub = await hubCommand(['restore', file], env);
    expect(underRunningHub.code).toBe(REFUSED_EXIT_CODE);
    expect(underRunningHub.out).toContain('主机正在运行');
    expect(underRunningHub.out).toContain('stop the hub service before restoring');

    const lost = await issue(hub, 10);
    expect(lost).toHaveLength(10);
    await hub.kill('SIGTERM');
    w.hub = undefined;

    const restored = await hubCommand(['restore', file], env);
    expect(restored.code).toBe(0);
    expect(restored.out).toContain('已恢复');
    expect(restored.out).toMatch(/The previous database is kept in \S+replaced-/);

    hub = w.hub = await spawnHub(data, env);
    const tickets = await queue(hub);
    expect(tickets.map((t) => t.id).sort()).toEqual(acknowledged.map((t) => t.id).sort());
    for (const t of acknowledged) expect(tickets.find((x) => x.id === t.id)!.number).toBe(t.number);
    expect(hub.output()).toContain('"check":{"kind":"quick"');
    await hub.kill('SIGTERM');
    w.hub = undefined;

    // A disk fault: garbage over some pages of the database.
    const fd = fs.openSync(path.join(data, DATABASE_FILE), 'r+');
    fs.writeSync(fd, Buffer.alloc(4 * 4096, 0xa5), 0, 4 * 4096, 4096);
    fs.closeSync(fd);
    const before = fs.readFileSync(path.join(data, DATABASE_FILE));
    const refused = await hubCommand([], { ...env, SERVICEHALL_PORT: '0', SERVICEHALL_TOKEN: HUB_PROCESS_TOKEN });
    expect(refused.code).toBe(REFUSED_EXIT_CODE);
    const newest = fs.readdirSync(backups).filter((f) => f.endsWith('.db')).sort().at(-1)!;
    expect(refused.out).toContain(`npm run hub -- restore ${path.join(backups, newest)}`);
    expect(refused.out).toContain('"level":"fatal"');
    expect(fs.readFileSync(path.join(data, DATABASE_FILE)).equals(before)).toBe(true);

    const check = await hubCommand(['check'], env);
    expect(check.code).toBe(1);
    expect(check.out).toContain('is damaged');
  }, 120_000);

  it('says in Chinese, then English, what is wrong with a file given for a folder, a folder for a file, a path that is not there or a file it may not read, exits non-zero and changes nothing', async ({ onTestFinished }) => {
    const { tempDir } = workspace(onTestFinished);
    const data = tempDir();
    makeHallDatabase(data, 3);
    const database = path.join(data, DATABASE_FILE);
    const before = fs.readFileSync(database);
    const place = tempDir();
    const file = path.join(place, 'not-a-folder');
    fs.writeFileSync(file, 'a file, not a folder');
    const env = { SERVICEHALL_DATA: data };
    const refused = async (args: string[], expected: RegExp, extra: Record<string, string> = {}, as: { uid?: number; gid?: number } = {}) => {
      const said = await hubCommand(args, { ...env, ...extra }, as);
      expect(said.code, `${args.join(' ')}: ${said.out}`).toBe(REFUSED_EXIT_CODE);
      const lines = said.out.trim().split('\n');
      expect(lines, args.join(' ')).toHaveLength(2);
      expect(lines[0], args.join(' ')).toMatch(/[\u4e00-\u9fff]/);
      expect(said.out, args.join(' ')).toMatch(expected);
      expect(said.out).not.toMatch(/ENOTDIR|EEXIST|\n\s+at /);
    };
    const notAFolder = /是一个文件，不是文件夹[^]*is a file, not a folder/;
    await refused(['backups', '--in', file], notAFolder);
    await refused(['backups', '--in', path.join(file, 'backups')], notAFolder);
    await refused(['backup', '--to', file], notAFolder);
    await refused(['backup', '--to', path.join(file, 'backups')], notAFolder);
    await refused(['backup'], /SERVICEHALL_BACKUP_DIR[^]*是一个文件，不是文件夹[^]*is a file, not a folder/, { SERVICEHALL_BACKUP_DIR: file });
    const nowhere = path.join(place, 'share-not-mounted', 'servicehall');
    await refused(['backup', '--to', nowhere], /不存在[^]*does not exist/);
    await refused(['backups', '--in', nowhere], /不存在[^]*does not exist/);
    await refused(['backup'], /没有大厅数据库[^]*There is no hall database/, { SERVICEHALL_DATA: path.join(place, 'no-hall-here'), SERVICEHALL_BACKUP_DIR: place });
    await refused(['check'], /中没有大厅数据库[^]*There is no hall database in/, { SERVICEHALL_DATA: path.join(place, 'no-hall-here') });
    await refused(['restore', place], /这是一个文件夹，不是备份文件[^]*it is a folder, not a backup file/);
    await refused(['restore', path.join(place, 'hall-20261205.db')], /没有这个文件[^]*no such file/);
    // A backup whose manifest, the keeper of its checksum, was cut short.
    const backedUp = await hubCommand(['backup', '--to', path.join(place, 'backups')], env);
    const copied = /Backup done: (\S+\.db)/.exec(backedUp.out)![1]!;
    fs.truncateSync(copied.replace(/\.db$/, '.json'), 40);
    await refused(['restore', copied], /清单 [^]*已损坏[^]*The manifest [^]*is damaged/);
    await refused(['restore', file], /数据文件夹 [^]*它是一个文件，不是文件夹[^]*The data folder [^]*it is a file, not a folder/, { SERVICEHALL_DATA: file });
    // A backup file this account may not read (root reads anything: the command runs as nobody then).
    const secret = path.join(place, 'hall-secret.db');
    fs.copyFileSync(database, secret);
    fs.chmodSync(secret, 0o000);
    fs.chmodSync(place, 0o755);
    await refused(['restore', secret], /无权读取[^]*may not read it/, {}, process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {});

    expect(fs.readFileSync(database).equals(before)).toBe(true);
    expect(fs.readdirSync(data).filter((f) => f.startsWith('replaced-') || f.endsWith('.restoring'))).toEqual([]);
    expect(fs.readFileSync(file, 'utf8')).toBe('a file, not a folder');
    expect(fs.existsSync(path.join(place, 'share-not-mounted'))).toBe(false);
    // A new folder in one that exists is made for the backup, as before.
    const made = await hubCommand(['backup', '--to', path.join(place, 'new-folder')], env);
    expect(made.code, made.out).toBe(0);
    expect(made.out).toContain('备份完成');
  }, 120_000);

  it('refuses a data folder or a backup folder that can never be made (under /proc) within seconds, not spinning in mkdir', async ({ onTestFinished }) => {
    const { tempDir } = workspace(onTestFinished);
    const never = '/proc/servicehall-never/data';
    const start = await hubCommand([], { SERVICEHALL_DATA: never, SERVICEHALL_PORT: '0' }, {}, 10_000);
    expect(start.code, `the hub did not end within 10 s: ${start.out}`).toBe(REFUSED_EXIT_CODE);
    expect(start.out).toMatch(/数据文件夹 \/proc\/servicehall-never\/data 无法创建或写入[^]*The data folder \/proc\/servicehall-never\/data cannot be made/);

    const data = tempDir();
    makeHallDatabase(data, 3);
    const backup = await hubCommand(['backup', '--to', '/proc/servicehall-never'], { SERVICEHALL_DATA: data }, {}, 10_000);
    expect(backup.code, `backup did not end within 10 s: ${backup.out}`).not.toBe(null);
    expect(backup.code).not.toBe(0);
    expect(backup.out).toMatch(/备份失败[^]*The backup failed/);

    const place = tempDir();
    const made = await hubCommand(['backup', '--to', place], { SERVICEHALL_DATA: data });
    const file = /Backup done: (\S+\.db)/.exec(made.out)![1]!;
    const restore = await hubCommand(['restore', file], { SERVICEHALL_DATA: never }, {}, 10_000);
    expect(restore.code, `restore did not end within 10 s: ${restore.out}`).toBe(REFUSED_EXIT_CODE);
    expect(restore.out).toMatch(/数据文件夹 [^]*无法创建或写入[^]*cannot be made/);
  }, 60_000);

  it('says, when hall.db cannot be opened, to run the same command again (create-admin, check), not to start the hub', async ({ onTestFinished }) => {
    const { tempDir } = workspace(onTestFinished);
    const runAgain = /再运行同一条命令。[^]*then run the same command again\./;
    // A new hall's first account on a disk with no room: a file size limit of 0 (RLIMIT_FSIZE), its writes failing as a full disk's would.
    const fresh = tempDir();
    const admin = await hubCommand(['create-admin', '--id', 'boss'], { SERVICEHALL_DATA: fresh }, {}, 60_000, ['prlimit', '--fsize=0:unlimited']);
    expect(admin.code, admin.out).toBe(REFUSED_EXIT_CODE);
    expect(admin.out).toMatch(/主机无法读取大厅数据库 [^]*hall\.db（SQLITE_[A-Z_]+[^]*The hub cannot read the hall database/);
    expect(admin.out).toMatch(runAgain);
    // Before: 再启动主机 / then start the hub again, for a command run with the hub stopped.
    expect(admin.out).not.toMatch(/再启动主机|start the hub/);
    // hall.db not readable by the hub's account: check cannot look at it. Root opens anything: check runs as nobody then, on a folder of its own.
    const data = tempDir();
    makeHallDatabase(data, 3);
    const as = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};
    if (as.uid !== undefined) for (const f of [data, ...fs.readdirSync(data).map((f) => path.join(data, f))]) fs.chownSync(f, as.uid, as.gid!);
    fs.chmodSync(path.join(data, DATABASE_FILE), 0o000);
    const check = await hubCommand(['check'], { SERVICEHALL_DATA: data }, as);
    expect(check.code, check.out).toBe(REFUSED_EXIT_CODE);
    expect(check.out).toMatch(/大厅数据库 [^]*hall\.db 不能读取[^]*The hall database [^]*hall\.db cannot be read/);
    expect(check.out).toMatch(runAgain);
    expect(check.out).not.toMatch(/再启动主机|start the hub/);
  }, 60_000);

  it('says whose hall.db it is and what to do when this account may only read it (create-admin, archive) or not even read it (check, backup), exit code 78, changing nothing', async ({ onTestFinished }) => {
    const { tempDir } = workspace(onTestFinished);
    // Root reads and writes anything: the commands run as nobody, in a folder of nobody's.
    const as = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};
    const data = tempDir();
    makeHallDatabase(data, 3);
    const database = path.join(data, DATABASE_FILE);
    if (as.uid !== undefined) for (const f of [data, ...fs.readdirSync(data).map((f) => path.join(data, f))]) fs.chownSync(f, as.uid, as.gid!);
    const owner = as.uid !== undefined ? 'nobody' : os.userInfo().username;
    const before = fs.readFileSync(database);
    const refused = async (args: string[], use: [string, string], fileOwner: string) => {
      const said = await hubCommand(args, { SERVICEHALL_DATA: data }, as);
      expect(said.code, `${args.join(' ')}: ${said.out}`).toBe(REFUSED_EXIT_CODE);
      const [zh, en, ...more] = said.out.trim().split('\n').filter((l) => !l.startsWith('  warning') && !l.includes('was readable by others'));
      expect(more, said.out).toEqual([]);
      expect(zh).toContain(`大厅数据库 ${database} 不能${use[0]}：它属于 ${fileOwner}`);
      expect(zh).toContain(`数据文件夹 ${data} 的所有者 ${owner}`);
      expect(en).toContain(`The hall database ${database} cannot be ${use[1]}: it is ${fileOwner}’s`);
      expect(en).toContain(`sudo chown ${owner} ${database}`);
      expect(said.out).not.toMatch(/readonly database|unable to open|\n\s+at /);
    };
    // Mode 0400: SQLite opened it without a word and failed at the first write ("attempt to write a readonly database", exit 1).
    fs.chmodSync(database, 0o400);
    await refused(['create-admin', '--id', 'boss'], ['写入', 'written'], owner);
    await refused(['archive', '2025'], ['写入', 'written'], owner);
    // Reading is all check and backup need: they do their work.
    expect((await hubCommand(['check'], { SERVICEHALL_DATA: data }, as)).code).toBe(0);
    const place = tempDir();
    if (as.uid !== undefined) fs.chownSync(place, as.uid, as.gid!);
    expect((await hubCommand(['backup', '--to', place], { SERVICEHALL_DATA: data }, as)).code).toBe(0);
    if (as.uid !== undefined) {
      // root's, mode 600, in the service account's folder (a restore run as root before that fix): not even read.
      fs.chownSync(database, 0, 0);
      fs.chmodSync(database, 0o600);
      await refused(['create-admin', '--id', 'boss'], ['写入', 'written'], 'root');
      await refused(['check'], ['读取', 'read'], 'root');
      await refused(['backup', '--to', place], ['读取', 'read'], 'root');
    }
    expect(fs.readFileSync(database).equals(before)).toBe(true);
  }, 120_000);

  it('names what is wrong with an unknown command or a missing argument, in Chinese then English', async ({ onTestFinished }) => {
    const { tempDir } = workspace(onTestFinished);
    // A command typed wrong is a usage mistake (exit code 64, EX_USAGE), said with how it is typed: before, exit code 1, as a crash.
    const unknown = await hubCommand(['bakcup'], {});
    expect(unknown.code, unknown.out).toBe(USAGE_EXIT_CODE);
    expect(unknown.out.trim().split('\n')).toHaveLength(2);
    expect(unknown.out).toMatch(/^主机没有“bakcup”这个命令。.*用法：npm run hub -- 命令 \[选项\]\nunknown command "bakcup".*Usage: npm run hub -- COMMAND \[OPTIONS\]/);
    expect(unknown.out).toContain('create-admin, init-tls, archive YEAR');
    const noFile = await hubCommand(['restore'], { SERVICEHALL_DATA: tempDir() });
    expect(noFile.out).toMatch(/没有说明要恢复哪个备份[^]*name the backup to restore/);
    const noValue = await hubCommand(['backup', '--to'], { SERVICEHALL_DATA: tempDir() });
    expect(noValue.code, noValue.out).toBe(USAGE_EXIT_CODE);
    expect(noValue.out.trim().split('\n')).toEqual([
      '命令选项 --to 后面缺少它的值（如 --to 文件夹）。用法：npm run hub -- backup [--to 文件夹]',
      '--to needs a value (e.g. --to FOLDER). Usage: npm run hub -- backup [--to FOLDER]',
    ]);
    const noUser = await hubCommand(['install-service', '--user'], { SERVICEHALL_DATA: tempDir() });
    expect(noUser.code, noUser.out).toBe(USAGE_EXIT_CODE);
    expect(noUser.out).toContain('用法：npm run hub -- install-service [--dry-run] [--user 账户]');
    const nowhere = await hubCommand(['backups'], { SERVICEHALL_DATA: tempDir(), SERVICEHALL_BACKUP_DIR: '' });
    expect(nowhere.out).toMatch(/没有说明备份在哪里[^]*say where the backups are/);
    // The operator's mistake, not a crash: a refusal, exit code 78, one line in each language (before: exit code 1).
    const noFolder = await hubCommand(['backup'], { SERVICEHALL_DATA: tempDir(), SERVICEHALL_BACKUP_DIR: '' });
    expect(noFolder.code, noFolder.out).toBe(REFUSED_EXIT_CODE);
    expect(noFolder.out.trim().split('\n')).toEqual([
      '没有备份：没有说明把备份放到哪里。请设置 SERVICEHALL_BACKUP_DIR，或在命令后写 --to 文件夹（另一块磁盘或网络共享上的文件夹），再运行同一条命令。',
      'No backup was taken: nothing says where to put it. Set SERVICEHALL_BACKUP_DIR, or add --to FOLDER (a folder on another disk or a network share), then run the same command again.',
    ]);
    expect(nowhere.code, nowhere.out).toBe(REFUSED_EXIT_CODE);
    expect(noFile.code, noFile.out).toBe(REFUSED_EXIT_CODE);
  }, 60_000);

  it('stops on a wrong setting (SERVICEHALL_LOG_LEVEL, SERVICEHALL_PORT, SERVICEHALL_MAX_DB_MB=0, a backup every 99999 minutes, SERVICEHALL_STOP_WITH_PARENT=ja) with a line of its log naming it in both languages, and is not restarted', async ({ onTestFinished }) => {
    const { tempDir } = workspace(onTestFinished);
    for (const [name, value] of [['SERVICEHALL_LOG_LEVEL', 'loud'], ['SERVICEHALL_PORT', '86OO'], ['SERVICEHALL_MAX_DB_MB', '0'], ['SERVICEHALL_BACKUP_EVERY_MINUTES', '99999'], ['SERVICEHALL_STOP_WITH_PARENT', 'ja']]) {
      const data = tempDir();
      const wrong = await hubCommand([], { SERVICEHALL_DATA: data, SERVICEHALL_PORT: '0', [name!]: value! });
      expect(wrong.code).toBe(REFUSED_EXIT_CODE);
      const line = JSON.parse(wrong.out.trim().split('\n').at(-1)!) as { level: string; msg: string };
      expect(line.level).toBe('fatal');
      expect(line.msg).toMatch(new RegExp(`^主机的运行设置有误，没有启动：${name}[^]*A setting of the hub is wrong`));
      expect(line.msg.split('\n')[0]).toContain(`${name} 应为`);
      expect(fs.readdirSync(data)).toEqual([]);
    }
  }, 60_000);

  it('stops, naming SERVICEHALL_LOG_FILE in both languages, on a log file whose folder cannot be made, rather than serve with its log going nowhere', async ({ onTestFinished }) => {
    const { tempDir } = workspace(onTestFinished);
    const data = tempDir();
    // A file stands where the log's folder would be: no disk ever takes that path.
    const aFile = path.join(tempDir(), 'logs');
    fs.writeFileSync(aFile, '');
    const wrong = await hubCommand([], { SERVICEHALL_DATA: data, SERVICEHALL_PORT: '0', SERVICEHALL_LOG_FILE: path.join(aFile, 'hub.log') });
    expect(wrong.code, wrong.out).toBe(REFUSED_EXIT_CODE);
    const line = JSON.parse(wrong.out.trim().split('\n').at(-1)!) as { level: string; msg: string };
    expect(line.level).toBe('fatal');
    expect(line.msg).toMatch(new RegExp(`^主机的运行设置有误，没有启动：SERVICEHALL_LOG_FILE 的日志文件 .*hub\\.log 无法使用：它所在的文件夹 ${aFile} 无法创建或写入（(ENOTDIR|EEXIST)）[^]*\nA setting of the hub is wrong, and it did not start: SERVICEHALL_LOG_FILE: the log file`));
    expect(fs.readdirSync(data)).toEqual([]);
  }, 60_000);

  it('stops, naming SERVICEHALL_BACKUP_DIR in both languages, on a backup folder that is a file, rather than serve and fail every backup with ENOTDIR', async ({ onTestFinished }) => {
    const { tempDir } = workspace(onTestFinished);
    const data = tempDir();
    const aFile = path.join(tempDir(), 'backups');
    fs.writeFileSync(aFile, '');
    const wrong = await hubCommand([], { SERVICEHALL_DATA: data, SERVICEHALL_PORT: '0', SERVICEHALL_BACKUP_DIR: aFile });
    expect(wrong.code, wrong.out).toBe(REFUSED_EXIT_CODE);
    expect(wrong.out).not.toMatch(/    at /);
    const line = JSON.parse(wrong.out.trim().split('\n').at(-1)!) as { level: string; msg: string };
    expect(line.level).toBe('fatal');
    expect(line.msg).toMatch(new RegExp(`^主机的运行设置有误，没有启动：SERVICEHALL_BACKUP_DIR 的备份文件夹 ${aFile} 无法使用：它不是文件夹，或无法在其中写入文件（ENOTDIR）[^]*\nA setting of the hub is wrong, and it did not start: SERVICEHALL_BACKUP_DIR: the backup folder`));
    expect(fs.readdirSync(data)).toEqual([]);
  }, 60_000);

  it('stops, naming SERVICEHALL_LOG_FILE, on a log folder where no file can be made though it looks writable (/proc, for root), not in a stack trace', async ({ onTestFinished }) => {
    const { tempDir } = workspace(onTestFinished);
    const data = tempDir();
    // access() says yes to root for /proc; pino-roll's first file then failed (ENOENT) and the hub ended in sonic-boom's RangeError, exit code 1.
    const wrong = await hubCommand([], { SERVICEHALL_DATA: data, SERVICEHALL_PORT: '0', SERVICEHALL_LOG_FILE: '/proc/hub.log' });
    expect(wrong.code, wrong.out).toBe(REFUSED_EXIT_CODE);
    expect(wrong.out).not.toMatch(/RangeError|    at /);
    const line = JSON.parse(wrong.out.trim().split('\n').at(-1)!) as { level: string; msg: string };
    expect(line.msg).toMatch(/^主机的运行设置有误，没有启动：SERVICEHALL_LOG_FILE 的日志文件 \/proc\/hub\.log 无法使用：它所在的文件夹 \/proc 无法创建或写入（E[A-Z]+）[^]*\nA setting of the hub is wrong/);
    expect(fs.readdirSync(data)).toEqual([]);
  }, 60_000);

  it('says a port already taken once in each language, without a stack trace, and exits for its service to try again', async ({ onTestFinished }) => {
    const { tempDir } = workspace(onTestFinished);
    const held = net.createServer();
    await new Promise<void>((resolve) => held.listen(0, '127.0.0.1', resolve));
    try {
      const port = (held.address() as net.AddressInfo).port;
      const taken = await hubCommand([], { SERVICEHALL_DATA: tempDir(), SERVICEHALL_PORT: String(port) });
      expect(taken.code, taken.out).toBe(1);
      const line = JSON.parse(taken.out.trim().split('\n').at(-1)!) as { level: string; msg: string; err?: unknown };
      expect(line.level).toBe('fatal');
      expect(line.err).toBeUndefined();
      const [zh, en, ...more] = line.msg.split('\n');
      expect(more).toEqual([]);
      expect(zh).toMatch(new RegExp(`^主机没能启动：主机无法在 127\\.0\\.0\\.1 的端口 ${port} 上监听（[^）]*EADDRINUSE[^）]*）：[^]*另选端口和地址。进程退出，服务管理器会再启动它`));
      expect(en).toMatch(new RegExp(`^ServiceHall hub could not start: The hub cannot listen on 127\\.0\\.0\\.1 port ${port} [^]*SERVICEHALL_HOST\\. The process exits`));
    } finally {
      held.close();
    }
  }, 60_000);

  it('init-tls refuses a wrong option, a name with a space and a CA file that is not one, in Chinese then English, exit code 78, writing nothing', async ({ onTestFinished }) => {
    const { tempDir } = workspace(onTestFinished);
    for (const [args, said] of [
      [['--days', '0'], /^init-tls 只接受 --name 主机名或 IP 地址[^]*“--days 0”不是其中之一。什么都没有生成。\ninit-tls takes --name/],
      [['--name', 'hub hall'], /^“hub hall”既不是 IP 地址，也不是主机名[^]*\n"hub hall" is neither an IP address nor a host name/],
      // A mistyped address: it passed as a host name, and the certificate named a "DNS name" no terminal would ever use.
      [['--name', '192.168.1.300'], /^“192\.168\.1\.300”既不是 IP 地址，也不是主机名[^]*\n"192\.168\.1\.300" is neither an IP address nor a host name/],
    ] as const) {
      const data = tempDir();
      const wrong = await hubCommand(['init-tls', ...args], { SERVICEHALL_DATA: data });
      expect(wrong.code, wrong.out).toBe(REFUSED_EXIT_CODE);
      expect(wrong.out).toMatch(said);
      expect(fs.readdirSync(data)).toEqual([]);
    }
    // ca.crt overwritten by hand (a copy that went wrong): said before the hub's certificate is touched.
    const data = tempDir();
    fs.mkdirSync(path.join(data, 'tls'));
    fs.writeFileSync(path.join(data, 'tls', 'ca.crt'), 'not a certificate\r\n');
    const junk = await hubCommand(['init-tls', '--name', '127.0.0.1'], { SERVICEHALL_DATA: data });
    expect(junk.code, junk.out).toBe(REFUSED_EXIT_CODE);
    expect(junk.out).toMatch(/^大厅 CA 的 \S+ca\.crt 不能使用（[^]*请从备份中取回 ca\.crt 和 ca\.key[^]*\nThe hall CA's \S+ca\.crt cannot be used/);
    expect(fs.readdirSync(path.join(data, 'tls'))).toEqual(['ca.crt']);
  }, 60_000);

  it('init-tls prints the fingerprints of ca.crt that an office PC checks before it trusts it, as openssl computes them', async ({ onTestFinished }) => {
    const { tempDir } = workspace(onTestFinished);
    const data = tempDir();
    const made = await hubCommand(['init-tls', '--name', '192.168.1.10'], { SERVICEHALL_DATA: data });
    expect(made.code, made.out).toBe(0);
    const ca = path.join(data, 'tls', 'ca.crt');
    const openssl = (digest: string) => execFileSync('openssl', ['x509', '-noout', '-fingerprint', `-${digest}`, '-in', ca], { encoding: 'utf8' }).trim().split('=')[1]!;
    expect(made.out).toContain(`SHA-1 指纹 ${openssl('sha1')}`);
    expect(made.out).toContain(`SHA-256 指纹 ${openssl('sha256')}`);
    expect(made.out).toContain(`SHA-256 fingerprint ${openssl('sha256')}`);
  }, 60_000);

  it('refuses promote with a port out of range, as the hub’s start refuses it, in Chinese then English, exit code 78', async ({ onTestFinished }) => {
    const { tempDir } = workspace(onTestFinished);
    const data = tempDir();
    for (const port of ['99999', '86OO']) {
      const wrong = await hubCommand(['promote'], { SERVICEHALL_DATA: data, SERVICEHALL_PORT: port, SERVICEHALL_TOKEN: HUB_PROCESS_TOKEN });
      expect(wrong.code, wrong.out).toBe(REFUSED_EXIT_CODE);
      expect(wrong.out).toMatch(new RegExp(`^设置有误，没有请本机主机接管：SERVICEHALL_PORT 应为 0 到 65535 之间的整数（端口号），而不是“${port}”[^]*\nA setting is wrong, and the hub on this machine was not asked to take charge: SERVICEHALL_PORT must be a whole number of port from 0 to 65535, not "${port}"`));
    }
    // 0 is a hub's start letting the system choose (the tests' hubs): promote would have tried port 0.
    const zero = await hubCommand(['promote'], { SERVICEHALL_DATA: data, SERVICEHALL_PORT: '0', SERVICEHALL_TOKEN: HUB_PROCESS_TOKEN });
    expect(zero.code, zero.out).toBe(REFUSED_EXIT_CODE);
    expect(zero.out).toMatch(/^设置有误，没有请本机主机接管：SERVICEHALL_PORT=0 只在主机启动时让系统自选端口[^]*\nA setting is wrong, and the hub on this machine was not asked to take charge: SERVICEHALL_PORT=0 only lets the system choose a port/);
    expect(fs.readdirSync(data)).toEqual([]);
    // No token given nor stored: a refusal naming the file, not an English line.
    const noToken = await hubCommand(['promote'], { SERVICEHALL_DATA: data, SERVICEHALL_PORT: '8600', SERVICEHALL_TOKEN: '' });
    expect(noToken.code, noToken.out).toBe(REFUSED_EXIT_CODE);
    expect(noToken.out).toMatch(/^没有大厅令牌，无法请本机主机接管：请在主机服务的设置中设置 SERVICEHALL_TOKEN，或在数据文件夹（有 \S+admin-token 的那台机器）[^]*\nNo hall token/);
    // No hub on that port (stopped, or SERVICEHALL_PORT not its port): the address tried, not a bare ECONNREFUSED.
    const closed = await freePort();
    const noHub = await hubCommand(['promote'], { SERVICEHALL_DATA: data, SERVICEHALL_PORT: String(closed), SERVICEHALL_TOKEN: HUB_PROCESS_TOKEN });
    expect(noHub.code, noHub.out).toBe(1);
    expect(noHub.out).toMatch(new RegExp(`^本机的主机 http://127\\.0\\.0\\.1:${closed} 没有应答（ECONNREFUSED），没有接管：请确认本机的主机服务在运行，且 SERVICEHALL_PORT 与它服务的端口相同[^]*\nThe hub on this machine, http://127\\.0\\.0\\.1:${closed}, did not answer`));
    expect(fs.readdirSync(data)).toEqual([]);
  }, 60_000);
});
