import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { promisify } from 'node:util';
import { execFile } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { hubCommandLine, spawnHub } from './testing/hub-process';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../../..');

/** The hub's log to a file (as the Windows service has it), 300 lines at once, then one more when asked. */
const WRITER = `
import { configureLog } from ${JSON.stringify(path.join(here, 'log.ts'))};
const logger = await configureLog({ level: 'info', file: process.env.PROBE_LOG, rotation: { size: '1m', count: 3 } });
for (let i = 0; i < 300; i++) logger.info({ i }, 'a line of the hall'.padEnd(200, '.'));
process.stdout.write('logged\\n');
process.stdin.once('data', () => logger.info({ i: 300 }, 'the disk has room again'));
`;

/** How often the roller's log looks whether its file is still the one it writes: the hub's every 5 s (LOG_CHECK_MS), which the hub's own process below keeps. */
const ROLLER_CHECK_MS = 500;

/**
 * The hub's log to a file that rolls at 1 kB: one short line, then a line of `width` characters for each line asked
 * ('1100': one roll each), telling on standard output each file its rolls could not open, and each they opened.
 */
const ROLLER = `
import path from 'node:path';
import pino from ${JSON.stringify(createRequire(import.meta.url).resolve('pino'))};
import { configureLog } from ${JSON.stringify(path.join(here, 'log.ts'))};
const logger = await configureLog({ level: 'info', file: process.env.PROBE_LOG, rotation: { size: '1k', count: 3 }, checkMs: ${ROLLER_CHECK_MS} });
const stream = logger[pino.symbols.streamSym];
stream.on('error', (e) => process.stdout.write(\`failed \${e.syscall} \${e.code} \${path.basename(e.path ?? '')}\\n\`));
stream.on('ready', () => process.stdout.write(\`opened \${path.basename(stream.file)}\\n\`));
let i = 0;
const line = (width) => logger.info({ i: i++ }, 'a line of the hall'.padEnd(width, '.'));
line(120);
process.stdout.write('logged\\n');
process.stdin.on('data', (d) => String(d).split('\\n').filter(Boolean).forEach((w) => line(Number(w))));
`;

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

/** A writer script run through `before` (prlimit, or nothing) and node with tsx, as `account`: what it prints is gathered, `code` is undefined while it runs. */
function runWriter(script: string, env: NodeJS.ProcessEnv, before: string[] = [], account: { uid?: number; gid?: number } = {}) {
  const [command, ...args] = [...before, process.execPath, '--import', 'tsx', script];
  const child = spawn(command!, args, { cwd: root, env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'], ...account });
  const run = { child, stdout: '', stderr: '', code: undefined as number | null | undefined, exited: new Promise<number | null>((resolve) => child.once('exit', resolve)) };
  child.stdout.on('data', (d: Buffer) => (run.stdout += d));
  child.stderr.on('data', (d: Buffer) => (run.stderr += d));
  void run.exited.then((c) => (run.code = c));
  return run;
}

describe("the hub's log file on a disk that cannot take it", () => {
  it('is said once in Chinese and English while the hub goes on, and gets every line held meanwhile once the disk has room', { timeout: 60_000 }, async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'servicehall-logfull-'));
    dirs.push(dir);
    const script = path.join(dir, 'writer.mts');
    fs.writeFileSync(script, WRITER);
    const file = path.join(dir, 'logs', 'hub.log');
    // A file size limit of 20 kB (RLIMIT_FSIZE): the file's writes beyond it fail (EFBIG), as on a full disk (ENOSPC).
    const run = runWriter(script, { PROBE_LOG: file }, ['prlimit', '--fsize=20000:unlimited']);
    const { child } = run;
    try {
      await expect.poll(() => (run.code !== undefined ? `exited ${run.code}: ${run.stderr}` : run.stderr.includes('写不进去') && run.stdout.includes('logged')), { timeout: 30_000 }).toBe(true);
      // The disk has room again: the limit raised (as far as its hard limit: unlimited).
      await promisify(execFile)('prlimit', [`--pid=${child.pid}`, '--fsize=unlimited:unlimited']);
      child.stdin.write('go\n');
      const lines = () => fs.readdirSync(path.dirname(file)).flatMap((f) => fs.readFileSync(path.join(path.dirname(file), f), 'utf8').split('\n').filter(Boolean));
      await expect.poll(() => lines().some((l) => l.includes('the disk has room again')), { timeout: 30_000 }).toBe(true);
      expect(lines().map((l) => (JSON.parse(l) as { i: number }).i)).toEqual(Array.from({ length: 301 }, (_, i) => i));
      expect(run.code).toBeUndefined();
      // The words that the disk took the held lines come on standard error after the lines reach the file: a pipe away.
      await expect.poll(() => run.stderr.split('\n').filter(Boolean).length, { timeout: 10_000 }).toBe(4);
      const said = run.stderr.split('\n').filter(Boolean);
      expect(said[0]).toMatch(/^主机的日志文件 .*hub\.\d+\.log 写不进去（EFBIG）：它所在的磁盘可能已满或只读。主机照常运行/);
      expect(said[1]).toMatch(/^The hub’s log file .* cannot be written \(EFBIG\).*The hub goes on serving/);
      expect(said[2]).toMatch(/又能写入了，暂存的日志已全部写入。$/);
      expect(said[3]).toMatch(/can be written again; every line held meanwhile is in it\.$/);
    } finally {
      child.kill();
      await run.exited;
    }
  });
});

/**
 * The ROLLER on logs/hub.log in a folder of its own, logs/ made 0750 as the hub makes it (0755 is put right at start,
 * said in hub.1.log). Root writes into a read-only folder all the same: the writer runs as nobody then, as a service's
 * own account would. What it said (standard error), told (standard output), and the line numbers in each file.
 */
function startRoller(prefix: string) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  dirs.push(dir);
  const logs = path.join(dir, 'logs');
  fs.mkdirSync(logs, { mode: 0o750 });
  const account = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};
  if (account.uid !== undefined) {
    fs.chmodSync(dir, 0o755);
    fs.chownSync(logs, account.uid, account.gid);
  }
  const script = path.join(dir, 'roller.mts');
  fs.writeFileSync(script, ROLLER);
  const run = runWriter(script, { PROBE_LOG: path.join(logs, 'hub.log') }, [], account);
  return {
    dir,
    logs,
    run,
    said: () => run.stderr.split('\n').filter(Boolean),
    told: (what: string) => run.stdout.split('\n').filter((l) => l.startsWith(what)),
    lines: (f: string) => (fs.existsSync(path.join(logs, f)) ? fs.readFileSync(path.join(logs, f), 'utf8').split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { i: number }).i) : []),
  };
}

describe("the hub's log folder made read-only while the hub runs", () => {
  it('says once for each problem that a roll could not make its next file, naming the file its lines still go to, and once that a roll opened one again; no line lost', { timeout: 60_000 }, async () => {
    const { dir, logs, run, said, told, lines } = startRoller('servicehall-logro-');
    const { child } = run;
    /** One long line, past 1 kB: one roll, whose outcome (its file opened, or not, or its folder not made) the writer tells. */
    const rolls = () => told('failed open').length + told('failed mkdir').length + told('opened').length;
    const roll = async () => {
      const before = rolls();
      child.stdin.write('1100\n');
      await expect.poll(() => (run.code !== undefined ? `exited ${run.code}: ${run.stderr}` : rolls()), { timeout: 30_000 }).toBe(before + 1);
    };
    try {
      await expect.poll(() => (run.code !== undefined ? `exited ${run.code}: ${run.stderr}` : run.stdout.includes('logged')), { timeout: 30_000 }).toBe(true);
      fs.chmodSync(logs, 0o555);
      // Three rolls: none can make its next file (pino-roll tries again at each), and the lines go on into hub.1.log.
      for (let n = 0; n < 3; n++) await roll();
      expect(told('failed')).toEqual(['failed open EACCES hub.2.log', 'failed open EACCES hub.3.log', 'failed open EACCES hub.4.log']);
      // Said once, in words that fit: before, each roll said that hub.N.log could not be written, its disk perhaps full, its lines
      // held in memory, and then that hub.1.log could be written again (four lines a roll).
      expect(said()).toHaveLength(2);
      expect(said()[0]).toMatch(/^主机的日志换不了新文件：.*logs\/hub\.2\.log 新建或打开不了（EACCES）.*日志没有丢失，照常写入 .*logs\/hub\.1\.log/);
      expect(said()[1]).toMatch(/^The hub’s log cannot move on to a new file: .*logs\/hub\.2\.log cannot be made or opened \(EACCES\).*No line is lost: they go on into .*logs\/hub\.1\.log/);
      // The log's look (ROLLER_CHECK_MS) compares the file written: before 7ae5e3a, it took hub.2.log for a file gone, and said so. Three looks.
      await new Promise((r) => setTimeout(r, 3 * ROLLER_CHECK_MS));
      expect(said()).toHaveLength(2);
      // Another problem: the folder writable again, but the next file's name taken by a folder.
      fs.mkdirSync(path.join(logs, 'hub.5.log'));
      fs.chmodSync(logs, 0o755);
      await roll();
      expect(told('failed').at(-1)).toBe('failed open EISDIR hub.5.log');
      expect(said()).toHaveLength(4);
      expect(said()[2]).toMatch(/^主机的日志换不了新文件：.*logs\/hub\.5\.log 新建或打开不了（EISDIR）.*照常写入 .*logs\/hub\.1\.log/);
      expect(said()[3]).toMatch(/cannot be made or opened \(EISDIR\)/);
      // Mended: the next roll opens hub.6.log, and says so once.
      await roll();
      expect(told('opened')).toEqual(['opened hub.6.log']);
      expect(said()).toHaveLength(6);
      expect(said()[4]).toMatch(/^主机的日志又能换新文件了：现在写入 .*logs\/hub\.6\.log。$/);
      expect(said()[5]).toMatch(/^The hub’s log moves on to new files again: it now writes .*logs\/hub\.6\.log\.$/);
      child.stdin.write('120\n');
      // Every line: the first and the five long ones (each rolled after it was written) in hub.1.log, the next in hub.6.log.
      await expect.poll(() => lines('hub.6.log')).toEqual([6]);
      expect(lines('hub.1.log')).toEqual([0, 1, 2, 3, 4, 5]);
      expect(fs.readdirSync(logs).sort()).toEqual(['hub.1.log', 'hub.5.log', 'hub.6.log']);
      // Each failed roll's closing of hub.1.log dropped: before, each closed it again once hub.6.log opened (EBADF, said as a disk that cannot be written).
      expect(told('failed').filter((l) => !l.startsWith('failed open'))).toEqual([]);
      expect(said()).toHaveLength(6);
      // The folder deleted, and not to be made again by the hub's account: the roll says the file gone, its lines lost, and not that they go on into it.
      fs.rmSync(logs, { recursive: true, force: true });
      fs.chmodSync(dir, 0o555);
      await roll();
      expect(told('failed mkdir')).toEqual(['failed mkdir EACCES logs']);
      expect(said()).toHaveLength(8);
      expect(said()[6]).toMatch(/^主机的日志文件 .*logs\/hub\.6\.log 已不在原处（ENOENT）/);
      expect(said()[7]).toMatch(/is no longer there \(ENOENT\)/);
      expect(run.code).toBeUndefined();
    } finally {
      child.kill();
      await run.exited;
      fs.chmodSync(dir, 0o755);
    }
  });
});

describe("the hub's log file deleted after a roll that could not make its next file", () => {
  it('is opened again by its own name (hub.1.log), not by the name the failed roll tried (hub.2.log), and rolls by size again', { timeout: 60_000 }, async () => {
    const { logs, run, said, told, lines } = startRoller('servicehall-logreopen-');
    const { child } = run;
    try {
      await expect.poll(() => (run.code !== undefined ? `exited ${run.code}: ${run.stderr}` : run.stdout.includes('logged')), { timeout: 30_000 }).toBe(true);
      fs.chmodSync(logs, 0o555);
      child.stdin.write('1100\n');
      await expect.poll(() => told('failed'), { timeout: 30_000 }).toEqual(['failed open EACCES hub.2.log']);
      // The folder writable again, and the file written deleted (a clean-up): the log's look (ROLLER_CHECK_MS) says it gone and opens it again.
      fs.chmodSync(logs, 0o755);
      fs.rmSync(path.join(logs, 'hub.1.log'));
      await expect.poll(() => told('opened'), { timeout: 20_000 }).toEqual(['opened hub.1.log']);
      child.stdin.write('120\n');
      await expect.poll(() => lines('hub.1.log')).toEqual([2]);
      // Before, the look opened the failed roll's name: the lines went into hub.2.log, though the operator was told hub.1.log.
      expect(fs.readdirSync(logs)).toEqual(['hub.1.log']);
      // The roll's problem, the file gone, the file written again: each in Chinese then English. The same file reopened starts
      // no new file: before, it was also said that the log moved on to new files again, 'now writing hub.1.log'.
      await expect.poll(() => said().length, { timeout: 10_000 }).toBe(6);
      expect(said()[2]).toMatch(/^主机的日志文件 .*logs\/hub\.1\.log 已不在原处（ENOENT）/);
      expect(said()[4]).toMatch(/^主机的日志文件 .*logs\/hub\.1\.log 又在写入了/);
      expect(said()[5]).toMatch(/^The hub’s log file .*logs\/hub\.1\.log is being written again/);
      expect(said().filter((l) => /又能换新文件|moves on to new files/.test(l))).toEqual([]);
      // Nor later: the next looks (three) find the file written where it is named, and say nothing more.
      await new Promise((r) => setTimeout(r, 3 * ROLLER_CHECK_MS));
      expect(said()).toHaveLength(6);
      // And it rolls by size again: a line past 1 kB starts the next number (hub.3.log, as the failed roll took hub.2.log).
      // Before, pino-roll rolled only while sonic-boom's file was its own next name (hub.2.log): hub.1.log grew all day.
      child.stdin.write('1100\n');
      await expect.poll(() => told('opened'), { timeout: 20_000 }).toEqual(['opened hub.1.log', 'opened hub.3.log']);
      child.stdin.write('120\n');
      await expect.poll(() => lines('hub.3.log')).toEqual([4]);
      expect(lines('hub.1.log')).toEqual([2, 3]);
      expect(fs.readdirSync(logs).sort()).toEqual(['hub.1.log', 'hub.3.log']);
      await expect.poll(() => said().length, { timeout: 10_000 }).toBe(8);
      expect(said()[6]).toMatch(/^主机的日志又能换新文件了：现在写入 .*logs\/hub\.3\.log。$/);
      expect(run.code).toBeUndefined();
    } finally {
      child.kill();
      await run.exited;
    }
  });
});

describe("the hub's log folder deleted while the hub runs", () => {
  it('is said once in Chinese and English while tickets are issued, and written again once the folder is back; the hub stops cleanly', { timeout: 120_000 }, async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'servicehall-loggone-'));
    dirs.push(dir);
    const logs = path.join(dir, 'logs');
    const hub = await spawnHub(path.join(dir, 'data'), { SERVICEHALL_LOG_FILE: path.join(logs, 'hub.log'), SERVICEHALL_LOG_LEVEL: 'debug' });
    try {
      const issue = async () =>
        (await fetch(`${hub.url}/api/tickets`, { method: 'POST', headers: { authorization: `Bearer ${hub.token}`, 'content-type': 'application/json' }, body: JSON.stringify({ serviceCode: 'SJ-QY-SL' }) })).status;
      expect(await issue()).toBe(201);
      // An installer cleaning up: the folder and the file the hub writes go.
      fs.rmSync(logs, { recursive: true, force: true });
      const said = () => hub.output().split('\n').filter((l) => /日志文件|log file/.test(l));
      await expect.poll(async () => (expect(await issue()).toBe(201), said().length), { timeout: 30_000, interval: 500 }).toBeGreaterThanOrEqual(2);
      expect(said()[0]).toMatch(/^主机的日志文件 .*logs\/hub\.1\.log 已不在原处（ENOENT）：.*主机照常运行/);
      expect(said()[1]).toMatch(/^The hub’s log file .*logs\/hub\.1\.log is no longer there \(ENOENT\).*The hub goes on serving/);
      // Said once, however long the folder stays away.
      for (let i = 0; i < 10; i++) expect(await issue()).toBe(201);
      await new Promise((r) => setTimeout(r, 6_000));
      expect(said()).toHaveLength(2);
      expect(fs.existsSync(logs)).toBe(false);
      // The folder back: the hub writes its lines there again, and says so.
      fs.mkdirSync(logs);
      await expect.poll(() => said().length, { timeout: 30_000, interval: 500 }).toBe(4);
      expect(said()[2]).toMatch(/^主机的日志文件 .*hub\.1\.log 又在写入了/);
      expect(said()[3]).toMatch(/is being written again/);
      expect(await issue()).toBe(201);
      const lines = () => fs.readdirSync(logs).flatMap((f) => fs.readFileSync(path.join(logs, f), 'utf8').split('\n').filter(Boolean));
      await expect.poll(() => lines().some((l) => (JSON.parse(l) as { command?: string }).command === 'issueTicket'), { timeout: 10_000 }).toBe(true);
    } finally {
      await hub.kill();
    }
    expect(hub.child.exitCode).toBe(0);
    expect(hub.output()).not.toMatch(/\n\s+at /);
    expect(fs.readdirSync(logs).flatMap((f) => fs.readFileSync(path.join(logs, f), 'utf8').split('\n').filter(Boolean)).at(-1)).toMatch(/"seq":\d+/);
  });
});

describe("the hub's log file that cannot be opened at start", () => {
  it('is said in Chinese and English, and the hub serves with its log on standard output (a folder left where the file of the moment is)', { timeout: 120_000 }, async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'servicehall-logdir-'));
    dirs.push(dir);
    const logs = path.join(dir, 'logs');
    // The file pino-roll writes first (hub.1.log) replaced by a folder of the same name in a run before.
    fs.mkdirSync(path.join(logs, 'hub.1.log'), { recursive: true });
    const hub = await spawnHub(path.join(dir, 'data'), { SERVICEHALL_LOG_FILE: path.join(logs, 'hub.log'), SERVICEHALL_LOG_LEVEL: 'debug' });
    try {
      const issued = await fetch(`${hub.url}/api/tickets`, { method: 'POST', headers: { authorization: `Bearer ${hub.token}`, 'content-type': 'application/json' }, body: JSON.stringify({ serviceCode: 'SJ-QY-SL' }) });
      expect(issued.status).toBe(201);
      await expect.poll(() => hub.output().includes('"command":"issueTicket"'), { timeout: 10_000 }).toBe(true);
      const said = hub.output().split('\n').filter((l) => /日志文件|log file/.test(l));
      expect(said).toHaveLength(2);
      expect(said[0]).toMatch(/^主机的日志文件 .*logs\/hub\.1\.log 打不开（EISDIR）：.*主机照常运行，日志改写到标准输出/);
      expect(said[1]).toMatch(/^The hub’s log file .*logs\/hub\.1\.log cannot be opened \(EISDIR\).*logs to standard output instead/);
    } finally {
      await hub.kill();
    }
    expect(hub.child.exitCode).toBe(0);
    expect(hub.output()).not.toMatch(/\n\s+at /);
  });
});

describe("the hub that cannot start, its log in a file", () => {
  it('says why on standard error too, in Chinese then English, and in its log file, and exits 78 (a weak hall token)', { timeout: 60_000 }, async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'servicehall-logrefused-'));
    dirs.push(dir);
    const logs = path.join(dir, 'logs');
    const child = spawn(process.execPath, hubCommandLine(), {
      cwd: root,
      env: { ...process.env, SERVICEHALL_DATA: path.join(dir, 'data'), SERVICEHALL_LOG_FILE: path.join(logs, 'hub.log'), SERVICEHALL_LOG_LEVEL: 'info', SERVICEHALL_PORT: '0', SERVICEHALL_TOKEN: 'short' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    child.stdout.resume();
    // 'close', not 'exit': a process's exit may be heard before the last of what it printed is read.
    const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
    expect(code).toBe(78);
    // Before, all of it went to the file alone: a service's journal, or an installer at the console, read nothing.
    const said = stderr.split('\n').filter(Boolean);
    expect(said[0]).toMatch(/^SERVICEHALL_TOKEN 中的大厅令牌不能使用（太短/);
    expect(said[1]).toMatch(/^The hall token given in SERVICEHALL_TOKEN/);
    expect(stderr).not.toMatch(/\n\s+at /);
    const lines = fs.readdirSync(logs).flatMap((f) => fs.readFileSync(path.join(logs, f), 'utf8').split('\n').filter(Boolean));
    expect(lines.map((l) => JSON.parse(l) as { level: string; msg: string }).find((l) => l.level === 'fatal')?.msg).toMatch(/^SERVICEHALL_TOKEN 中的大厅令牌不能使用/);
  });
});
