import { demoCatalogue } from '@servicehall/fixtures';
import { postgresMissing, startTestPostgres } from '@servicehall/upstream/testing';
import pg from 'pg';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { configureLog, createLogger, log, LOG_CHECK_MS, useLogger } from './log';
import { startHub, type RunningHub } from './server';
import { freePort } from './testing/hub-process';

function capture(level = 'debug') {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      done();
    },
  });
  return { lines, records: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>), logger: createLogger({ level, destination }) };
}

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe("the hub's log", () => {
  it('looks every 5 s whether its file is still the one it writes (the tests of a log alone look more often; the hub in its own process keeps this)', () => {
    expect(LOG_CHECK_MS).toBe(5_000);
  });

  it('writes JSON lines with the level by name and leaves out tokens, PINs and applicants at any depth', () => {
    const { logger, records } = capture();
    logger.info({ token: 'hall-secret', command: { type: 'signIn', pin: '246810' }, body: { outcome: { applicant: { name: '王小明' } } } }, 'x');
    logger.warn({ headers: { authorization: 'Bearer hall-secret' } }, 'y');
    const [info, warn] = records();
    expect(info).toMatchObject({ level: 'info', name: 'servicehall-hub', msg: 'x', token: '[redacted]', command: { type: 'signIn', pin: '[redacted]' } });
    expect(JSON.stringify(info)).not.toMatch(/hall-secret|246810|小明/);
    expect(warn).toMatchObject({ level: 'warn', headers: { authorization: '[redacted]' } });
    expect(() => createLogger({ level: 'loud' })).toThrow(/SERVICEHALL_LOG_LEVEL must be one of/);
  });

  it("records each command of a clerk's visit by type and outcome, with no PIN, token or applicant in any line", async () => {
    const { logger, records, lines } = capture('debug');
    cleanups.push(useLogger(logger));
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'servicehall-log-'));
    cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
    const TOKEN = 'hall-token-never-logged';
    const hub: RunningHub = await startHub({ dataDir: dir, token: TOKEN, seed: demoCatalogue({ allDay: true }) });
    cleanups.push(() => hub.close());
    const api = (method: string, route: string, body?: unknown) =>
      fetch(hub.url + route, { method, headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
    expect((await api('PUT', '/api/clerks/1011/pin', { pin: '246810' })).status).toBe(200);
    expect((await api('POST', '/api/windows/7/sign-in', { clerk: '1011', pin: '999999' })).status).toBe(401);
    expect((await api('POST', '/api/windows/7/sign-in', { clerk: '1011', pin: '246810' })).status).toBe(200);
    await api('POST', '/api/tickets', { serviceCode: 'SJ-QY-SL' });
    await api('POST', '/api/windows/7/call-next');
    await api('POST', '/api/windows/7/start');
    const outcome = await api('POST', '/api/windows/7/outcome', { serviceCode: 'SJ-QY-SL', outcome: 'accepted', applicant: { name: '王小明', idNumber: '330106198801011234' } });
    expect(outcome.status).toBe(200);

    const commands = records().filter((r) => r.msg === 'command');
    expect(commands.map((r) => [r.command, r.outcome])).toEqual([
      ['signIn', 'refused'],
      ['signIn', 'ok'],
      ['issueTicket', 'ok'],
      ['callNext', 'ok'],
      ['startService', 'ok'],
      ['recordOutcome', 'ok'],
    ]);
    expect(commands[0]).toMatchObject({ level: 'debug', role: 'admin', code: 'unauthorised' });
    for (const line of lines) expect(line).not.toMatch(/246810|999999|王小明|330106198801011234|hall-token-never-logged/);
  });

  it('writes to a file that rotates by size and keeps the newest files only (the Windows service\'s log)', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'servicehall-logfile-'));
    cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
    const before = log;
    cleanups.push(useLogger(before));
    const logger = await configureLog({ level: 'info', file: path.join(dir, 'logs', 'hub.log'), rotation: { size: '1k', count: 2 } });
    // pino-roll rolls once a write has landed and the stream has drained: each line is let land.
    const stream = (logger as unknown as Record<symbol, NodeJS.EventEmitter>)[pino.symbols.streamSym]!;
    for (let i = 0; i < 60; i++) {
      const landed = new Promise((r) => stream.once('drain', r));
      logger.info({ i, token: 'never-in-the-file' }, 'a line of about a hundred bytes to fill the file');
      await landed;
    }
    await new Promise<void>((resolve) => logger.flush(() => resolve()));
    await expect.poll(() => fs.readdirSync(path.join(dir, 'logs')).length).toBeLessThanOrEqual(3);
    await new Promise((resolve) => (stream.once('close', resolve), (stream as unknown as { end(): void }).end()));
    const number = (f: string) => Number(/\.(\d+)\.log$/.exec(f)?.[1]);
    const files = fs.readdirSync(path.join(dir, 'logs')).sort((a, b) => number(a) - number(b));
    // The current file and at most two earlier ones.
    expect(files.length).toBeGreaterThanOrEqual(2);
    expect(files.length).toBeLessThanOrEqual(3);
    for (const f of files) expect(f).toMatch(/^hub\.\d+\.log$/);
    const text = files.map((f) => fs.readFileSync(path.join(dir, 'logs', f), 'utf8')).join('');
    const lines = text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { i: number; token: string });
    expect(lines.at(-1)!.i).toBe(59);
    expect(lines.length).toBeLessThan(60);
    expect(text).not.toContain('never-in-the-file');
  });

  it('makes its files for the hub\'s account alone (0600), and puts right at start a folder (0755) and files (0644) of an earlier run, saying so once in the log', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'servicehall-logmode-'));
    cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
    cleanups.push(useLogger(log));
    const logs = path.join(dir, 'logs');
    fs.mkdirSync(logs);
    fs.chmodSync(logs, 0o755);
    fs.writeFileSync(path.join(logs, 'hub.1.log'), '{"msg":"a line of an earlier run"}\n', { mode: 0o644 });
    fs.chmodSync(path.join(logs, 'hub.1.log'), 0o644);
    // Not the hub's log: left as it is.
    fs.writeFileSync(path.join(logs, 'notes.txt'), 'x', { mode: 0o644 });
    fs.chmodSync(path.join(logs, 'notes.txt'), 0o644);
    const mode = (f: string) => fs.statSync(path.join(dir, f)).mode & 0o777;
    const start = async () => {
      const logger = await configureLog({ level: 'info', file: path.join(logs, 'hub.log'), rotation: { size: '1k', count: 5 } });
      const stream = (logger as unknown as Record<symbol, NodeJS.EventEmitter>)[pino.symbols.streamSym]!;
      return { logger, stream, end: () => new Promise((resolve) => (stream.once('close', resolve), (stream as unknown as { end(): void }).end())) };
    };
    const first = await start();
    expect(mode('logs')).toBe(0o750);
    expect(mode('logs/hub.1.log')).toBe(0o600);
    expect(mode('logs/notes.txt')).toBe(0o644);
    // A roll's new file made for the hub's account alone (before: 0644, less the umask).
    let rolled = false;
    first.stream.once('ready', () => (rolled = true));
    for (let i = 0; !rolled; i++) {
      const landed = new Promise((r) => first.stream.once('drain', r));
      first.logger.info({ i }, 'a line of about a hundred bytes to fill the file');
      await landed;
    }
    const made = fs.readdirSync(logs).filter((f) => f !== 'hub.1.log' && f.startsWith('hub.'));
    expect(made.length).toBeGreaterThan(0);
    for (const f of made) expect(mode(`logs/${f}`), f).toBe(0o600 & ~process.umask());
    await first.end();
    // Started again, nothing to put right: nothing more said.
    await (await start()).end();
    const said = fs
      .readdirSync(logs)
      .filter((f) => f.startsWith('hub.'))
      .flatMap((f) => fs.readFileSync(path.join(logs, f), 'utf8').split('\n').filter(Boolean))
      .map((l) => JSON.parse(l) as { level?: string; msg: string })
      .filter((r) => /readable by other accounts/.test(r.msg));
    expect(said).toHaveLength(1);
    expect(said[0]!.level).toBe('warn');
    const [zh, en] = said[0]!.msg.split('\n');
    expect(zh).toMatch(/^主机的日志原先其他账户也能读取，现已收紧.*：文件夹 .*logs 的权限由 755 改为 750；1 个日志文件（hub\.1\.log）的权限改为 600。$/);
    expect(en).toMatch(/^The hub’s log was readable by other accounts and no longer is .*: its folder .*logs from mode 755 to 750; 1 log file \(hub\.1\.log\) to mode 600\.$/);
  });

  it("says its folder deleted, once each time, when a roll makes it again before the hub looks, and that it writes there again; the folder is made again as at start (0750), before the old files' clean-up lists it", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'servicehall-logroll-'));
    cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
    cleanups.push(useLogger(log));
    const said: string[] = [];
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(((chunk: string | Uint8Array) => (said.push(...String(chunk).split('\n').filter(Boolean)), true)) as never);
    cleanups.push(() => stderr.mockRestore());
    const logs = path.join(dir, 'logs');
    const logger = await configureLog({ level: 'info', file: path.join(logs, 'hub.log'), rotation: { size: '1k', count: 2 } });
    const stream = (logger as unknown as Record<symbol, NodeJS.EventEmitter>)[pino.symbols.streamSym]!;
    cleanups.push(() => new Promise((resolve) => (stream.once('close', resolve), (stream as unknown as { end(): void }).end())));
    const mode = () => fs.statSync(logs).mode & 0o777;
    // As the hub makes it at start: 0750 (less what the umask takes).
    const atStart = 0o750 & ~process.umask();
    expect(mode()).toBe(atStart);
    // What pino-roll's clean-up of old files (its limit) met. It lists the folder as the roll opens the new file. sonic-boom's mkdir,
    // which made the folder again before, is made 50 ms late here: the clean-up found the folder gone each time, and the folder came 0755.
    const cleanUps: string[] = [];
    stream.on('error', (error: NodeJS.ErrnoException) => cleanUps.push(`${error.syscall} ${error.code}`));
    stream.on('cleanup-complete', () => cleanUps.push('done'));
    const mkdir = fs.mkdir;
    const late = vi.spyOn(fs, 'mkdir').mockImplementation(((...args: Parameters<typeof fs.mkdir>) => void setTimeout(() => mkdir(...args), 50)) as never);
    cleanups.push(() => late.mockRestore());
    let i = 0;
    const rounds = 2;
    // The folder deleted (an installer cleaning up), and a roll (10 MB, midnight) before the hub's look, every 5 s; twice.
    for (let round = 1; round <= rounds; round++) {
      fs.rmSync(logs, { recursive: true, force: true });
      let rolled = false;
      stream.once('ready', () => (rolled = true));
      while (!rolled) {
        const landed = new Promise((r) => stream.once('drain', r));
        logger.info({ i: i++ }, 'a line of about a hundred bytes to fill the file');
        await landed;
      }
      await expect.poll(() => cleanUps.length).toBe(round);
      expect(mode(), `the folder made again, round ${round}`).toBe(atStart);
    }
    // The roll made the folder before the clean-up listed it (before: 'scandir ENOENT', twice).
    expect(cleanUps).toEqual(['done', 'done']);
    expect(fs.readdirSync(logs)).toContain(`hub.${rounds + 1}.log`);
    // Each time: gone (the file the lines went into), then written again (the new file), in Chinese and English; nothing else.
    expect(said).toHaveLength(4 * rounds);
    for (let round = 1; round <= rounds; round++) {
      const [goneZh, goneEn, backZh, backEn] = said.slice(4 * (round - 1), 4 * round);
      expect(goneZh).toMatch(new RegExp(`^主机的日志文件 .*logs/hub\\.${round}\\.log 已不在原处（ENOENT）`));
      expect(goneEn).toMatch(new RegExp(`^The hub’s log file .*logs/hub\\.${round}\\.log is no longer there \\(ENOENT\\)`));
      expect(backZh).toMatch(new RegExp(`^主机的日志文件 .*logs/hub\\.${round + 1}\\.log 又在写入了`));
      expect(backEn).toMatch(new RegExp(`^The hub’s log file .*logs/hub\\.${round + 1}\\.log is being written again`));
    }
  });

  it("says once, in both languages, that the city's database cannot be reached, naming SERVICEHALL_UPSTREAM_URL, while the hall goes on", async () => {
    const { logger, records } = capture('info');
    cleanups.push(useLogger(logger));
    // A port nobody listens on: the city's PostgreSQL down, or a typo in its address.
    const closed = await freePort();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'servicehall-city-'));
    cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
    const hub = await startHub({ dataDir: dir, token: 'hall-token-for-the-city-test', seed: demoCatalogue({ allDay: true }), upstream: { url: `postgres://city_hub:wrong@127.0.0.1:${closed}/city`, hall: '330106-01', firstRetryMs: 50, maxRetryMs: 100 } });
    cleanups.push(() => hub.close());
    const said = () => records().filter((r) => r.upstream === 'offline');
    await expect.poll(() => said().length, { timeout: 30_000 }).toBe(1);
    expect(said()[0]).toMatchObject({ level: 'warn', msg: expect.stringMatching(/^本大厅（330106-01）的记录暂时没能上报市级平台：连不上市里的数据库（[^）]*ECONNREFUSED[^]*SERVICEHALL_UPSTREAM_URL[^]*\nthis hall's \(330106-01\) log is not reaching the city/) });
    // Tries again and again (every 100 ms here), said once.
    await new Promise((r) => setTimeout(r, 1_000));
    expect(said()).toHaveLength(1);
    expect(JSON.stringify(records())).not.toContain('wrong@');
  });

  it.skipIf(!!postgresMissing())("says the city's database did not take the hall's records when it answered so (its disk full), not that it cannot be reached", async () => {
    const city = await startTestPostgres();
    cleanups.push(() => city.destroy());
    const c = new pg.Client(city.url);
    await c.connect();
    try {
      const { migrateCity } = await import('@servicehall/upstream');
      await migrateCity(c);
      // The city's disk full: PostgreSQL answers every insert into the events with its disk_full error.
      await c.query(`CREATE FUNCTION disk_full() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'could not extend file "base/16384/16421": No space left on device' USING ERRCODE = '53100'; END $$ LANGUAGE plpgsql`);
      await c.query('CREATE TRIGGER disk_full BEFORE INSERT ON hall_events FOR EACH STATEMENT EXECUTE FUNCTION disk_full()');
    } finally {
      await c.end();
    }
    const { logger, records } = capture('info');
    cleanups.push(useLogger(logger));
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'servicehall-city-'));
    cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
    const hub = await startHub({ dataDir: dir, token: 'hall-token-for-the-city-test', seed: demoCatalogue({ allDay: true }), upstream: { url: city.url, hall: '330106-01', firstRetryMs: 50, maxRetryMs: 100 } });
    cleanups.push(() => hub.close());
    const said = () => records().filter((r) => r.upstream === 'offline');
    await expect.poll(() => said().length, { timeout: 30_000 }).toBe(1);
    // Before: 连不上市里的数据库 … 请核对 SERVICEHALL_UPSTREAM_URL 中的地址、端口、账号和密码, sending the installer to a right address.
    expect(said()[0]).toMatchObject({
      level: 'warn',
      msg: expect.stringMatching(/^本大厅（330106-01）的记录暂时没能上报市级平台：市里的数据库没有接受（[^）]*No space left on device[^]*磁盘[^]*\nthis hall's \(330106-01\) log is not reaching the city for now: the city's database did not take it/),
    });
    expect(said()[0]!.msg).not.toContain('连不上');
  }, 60_000);
});
