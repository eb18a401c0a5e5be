import { freePort, postgresMissing, startTestPostgres, type TestPostgres } from '@servicehall/upstream/testing';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../../../..');
const cli = path.join(here, 'cli.ts');

/** `npm run city -- ARGS` as an operator runs it: its exit code and what it printed. */
function city(args: string[], env: Record<string, string | undefined>): Promise<{ code: number | null; out: string; err: string }> {
  const base = { ...process.env };
  for (const k of Object.keys(base)) if (k.startsWith('CITY_')) delete base[k];
  const child = spawn(process.execPath, ['--import', 'tsx', cli, ...args], { cwd: root, env: { ...base, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (err += d));
  // 'close', not 'exit': a process's exit may be heard before the last of what it printed is read.
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, out, err })));
}

/** The city's server as `npm run city` starts it, left running: what it has printed so far, and the process to stop. */
function cityServer(env: Record<string, string>) {
  const base = { ...process.env };
  for (const k of Object.keys(base)) if (k.startsWith('CITY_')) delete base[k];
  const child = spawn(process.execPath, ['--import', 'tsx', cli], { cwd: root, env: { ...base, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const said = { out: '', err: '' };
  child.stdout.on('data', (d) => (said.out += d));
  child.stderr.on('data', (d) => (said.err += d));
  return { child, said };
}

/** A refusal said in both languages, without a stack trace. */
function saidPlainly(err: string, chinese: string): void {
  expect(err).toContain(chinese);
  expect(err).not.toMatch(/^\s+at /m);
  expect(err).not.toMatch(/Error:/);
}

describe("the city's command line says what is wrong, in Chinese and English, and changes nothing", () => {
  it('without CITY_DATABASE_URL, or with one that is not a PostgreSQL address', async () => {
    const none = await city([], {});
    expect(none.code).toBe(2);
    saidPlainly(none.err, '没有设置 CITY_DATABASE_URL');
    expect(none.err).toContain('CITY_DATABASE_URL is needed');
    const bad = await city([], { CITY_DATABASE_URL: 'http://city.example/db' });
    expect(bad.code).toBe(2);
    saidPlainly(bad.err, '不是有效的 PostgreSQL 地址');
  });

  it('refuses a short password before it asks the database anything', async () => {
    // Nobody listens on this port: a refusal that reached for the database would say it cannot reach it.
    const port = await freePort();
    const r = await city(['create-account', 'wang', '王主任', 'city'], { CITY_DATABASE_URL: `postgres://city@127.0.0.1:${port}/city`, CITY_ACCOUNT_PASSWORD: '市里的密码2026' });
    expect(r.code).toBe(2);
    saidPlainly(r.err, '密码至少要 10 个字符');
    expect(r.err).toContain('at least 10 characters');
  });

  it('says how to call create-account when its arguments are wrong', async () => {
    const r = await city(['create-account', 'li', '李管理员', 'hall'], { CITY_DATABASE_URL: 'postgres://city@127.0.0.1:1/city', CITY_ACCOUNT_PASSWORD: 'long-enough-password' });
    expect(r.code).toBe(2);
    saidPlainly(r.err, '大厅账号须写它的大厅编码');
  });

  it('says it cannot reach the database, without showing its password', async () => {
    const port = await freePort();
    const url = `postgres://city_hub:secret-of-the-city@127.0.0.1:${port}/city`;
    const r = await city(['create-account', 'wang', '王主任', 'city'], { CITY_DATABASE_URL: url, CITY_ACCOUNT_PASSWORD: 'long-enough-password' });
    expect(r.code).toBe(2);
    saidPlainly(r.err, '连接不上全市数据库');
    expect(r.err).toContain(`127.0.0.1:${port}`);
    expect(r.err).not.toContain('secret-of-the-city');
    // The server itself starts all the same, says so, and waits for the database (before: exit 2, and the city's view down for good).
    const { child: server, said } = cityServer({ CITY_DATABASE_URL: url, CITY_PORT: String(await freePort()) });
    try {
      await until(() => said.out.includes('city server started'), 60_000);
      saidPlainly(said.err, '暂时连接不上全市数据库');
      expect(said.err).toContain(`127.0.0.1:${port}`);
      expect(said.err).toContain("The city's database");
      expect(said.err).not.toContain('secret-of-the-city');
      expect(server.exitCode).toBeNull();
    } finally {
      server.kill('SIGKILL');
    }
  }, 90_000);

  it('refuses a rating scale it does not know rather than send every rating upside down', async () => {
    for (const levels of ['provincial_reversed', 'reversed', 'National ']) {
      const r = await city([], { CITY_DATABASE_URL: 'postgres://city@127.0.0.1:1/city', CITY_FEED_DIR: '/nonexistent/feed', CITY_FEED_LEVELS: levels });
      expect(r.code).toBe(2);
      saidPlainly(r.err, `CITY_FEED_LEVELS 应为 national（1 = 非常满意）或 provincial-reversed（1 = 非常不满意），现为 “${levels}”`);
      expect(r.err).toContain('CITY_FEED_LEVELS is national (1 = very satisfied) or provincial-reversed');
    }
  });

  it('refuses a command it does not know rather than start the server under it', async () => {
    // A typo of create-account: before, the city's server started (on 8700, beside the one already running) and said nothing of it.
    const r = await city(['crate-account', 'wang', '王主任', 'city'], { CITY_DATABASE_URL: 'postgres://city@127.0.0.1:1/city', CITY_PORT: String(await freePort()) });
    expect(r.code).toBe(2);
    saidPlainly(r.err, '没有 “crate-account” 这个命令');
    expect(r.err).toContain('resend-ratings');
  });

  it('refuses a port that is not one', async () => {
    const r = await city([], { CITY_DATABASE_URL: 'postgres://city@127.0.0.1:1/city', CITY_PORT: 'eighty' });
    expect(r.code).toBe(2);
    saidPlainly(r.err, 'CITY_PORT 应为 1 到 65535 之间的端口号');
  });
});

const missing = postgresMissing();
if (missing) console.warn(`skipping the city command line against PostgreSQL: ${missing}`);

describe.skipIf(!!missing)("the city's command line against its PostgreSQL", () => {
  let db: TestPostgres | undefined;
  afterAll(() => db?.destroy());

  it('makes an account once, refuses its id again, and says a port is taken', async () => {
    db = await startTestPostgres();
    const env = { CITY_DATABASE_URL: db.url, CITY_ACCOUNT_PASSWORD: '西湖区大厅管理员的密码' };
    const made = await city(['create-account', 'xihu', '西湖区 李管理员', 'hall', '330106-01'], env);
    expect(made.code).toBe(0);
    expect(made.out).toContain('大厅账号 xihu 已建立：只可查看大厅 330106-01');
    const again = await city(['create-account', 'xihu', '另一个人', 'city'], { ...env, CITY_ACCOUNT_PASSWORD: 'another-long-password' });
    expect(again.code).toBe(2);
    saidPlainly(again.err, '已有同一账号名的账号');
    // The first account is as it was made.
    const client = new pg.Client(db.url);
    await client.connect();
    const { rows } = await client.query('SELECT id, name, role, hall FROM city_accounts');
    await client.end();
    expect(rows).toEqual([{ id: 'xihu', name: '西湖区 李管理员', role: 'hall', hall: '330106-01' }]);

    const holder = net.createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', () => resolve()));
    const taken = (holder.address() as net.AddressInfo).port;
    try {
      const r = await city([], { CITY_DATABASE_URL: db.url, CITY_PORT: String(taken) });
      expect(r.code).toBe(2);
      saidPlainly(r.err, `端口 ${taken} 已被占用`);
    } finally {
      holder.close();
    }
  }, 120_000);

  it('says a 好差评 feed turn that failed in Chinese, then English: that the ratings wait for the next turn, when, and what to check', async () => {
    db ??= await startTestPostgres();
    const place = fs.mkdtempSync(path.join(os.tmpdir(), 'city-feed-'));
    // The upload folder under a file: it can never be made, so every turn with a rating due fails.
    fs.writeFileSync(path.join(place, 'not-a-folder'), '');
    const feedDir = path.join(place, 'not-a-folder', 'feed');
    const { child, said } = cityServer({ CITY_DATABASE_URL: db.url, CITY_PORT: String(await freePort()), CITY_FEED_DIR: feedDir });
    try {
      await until(() => said.out.includes('city server started'), 60_000);
      const client = new pg.Client(db.url);
      await client.connect();
      const at = Date.parse('2026-11-27T10:00:00+08:00');
      const rating = { id: '2026-11-27-A001#1', ticketId: '2026-11-27-A001', ticketNumber: 'A001', serviceCode: 'SJ-QY-SL', window: 3, clerk: '3003', channel: 'window-pad', raterType: 'citizen', anonymous: true, level: 'satisfied', aspects: { attitude: 'satisfied' }, at };
      try {
        await client.query("INSERT INTO halls (hall, name) VALUES ('330106-01', '西湖区政务服务中心') ON CONFLICT DO NOTHING");
        await client.query('INSERT INTO rating_feed (hall, rating_id, seq, at, record) VALUES ($1, $2, $3, $4, $5)', ['330106-01', rating.id, 1, at, JSON.stringify(rating)]);
        // The feed's turn comes every 10 s.
        await until(() => said.err.trim().split('\n').length >= 2, 60_000);
        const { rows } = await client.query('SELECT state FROM rating_feed WHERE rating_id = $1', [rating.id]);
        expect(rows).toEqual([{ state: 'pending' }]);
      } finally {
        await client.end();
      }
      const [zh, en] = said.err.trim().split('\n');
      expect(zh).toMatch(/^好差评上报本轮没有完成（.*ENOTDIR.*）：没有报出的评价仍留在全市数据库中，10 秒后的下一轮自动再报/);
      expect(zh).toContain(`上报文件夹 ${feedDir} 能否建立和写入`);
      expect(en).toMatch(/^The 好差评 \(rating\) feed did not finish this turn \(.*ENOTDIR.*\): the ratings not yet sent stay in the city's database, to be sent at the next turn in 10 s/);
      expect(en).toContain(`the upload folder ${feedDir} can be made and written`);
    } finally {
      child.kill('SIGKILL');
      fs.rmSync(place, { recursive: true, force: true });
    }
  }, 180_000);
});

describe.skipIf(!!missing)('a city server with a 好差评 feed started before its database', () => {
  let db: TestPostgres | undefined;
  afterAll(() => db?.destroy());

  it("says the wait once, not a feed failure every 10 s, and once when the database is there", async () => {
    db = await startTestPostgres();
    db.stop();
    const feedDir = fs.mkdtempSync(path.join(os.tmpdir(), 'city-feed-wait-'));
    const { child, said } = cityServer({ CITY_DATABASE_URL: db.url, CITY_PORT: String(await freePort()), CITY_FEED_DIR: feedDir });
    try {
      await until(() => said.out.includes('city server started'), 60_000);
      // Three of the feed's turns while the database is away.
      await new Promise((r) => setTimeout(r, 32_000));
      // Before: 好差评上报本轮没有完成（connect ECONNREFUSED …） in both languages at each turn.
      expect(said.err).not.toContain('好差评上报本轮没有完成');
      expect(said.err.trim().split('\n')).toEqual([expect.stringMatching(/^暂时连接不上全市数据库/), expect.stringMatching(/^The city's database .* cannot be reached yet/)]);
      db.start();
      await until(() => said.out.includes('已可以连接'), 30_000);
      expect(said.out).toMatch(/全市数据库 .* 已可以连接，好差评上报照常进行。\nThe city's database .* is there again: the 好差评 feed goes on\./);
      expect(said.err).not.toContain('好差评上报本轮没有完成');
    } finally {
      child.kill('SIGKILL');
      fs.rmSync(feedDir, { recursive: true, force: true });
    }
  }, 150_000);
});

describe.skipIf(!!missing)("the 好差评 ratings the platform refused twelve times, sent again by the city's operator", () => {
  let db: TestPostgres | undefined;
  afterAll(() => db?.destroy());

  it('puts them back to be sent at the next turn, of one hall or all, and says how many', async () => {
    db = await startTestPostgres();
    const env = { CITY_DATABASE_URL: db.url };
    const client = new pg.Client(db.url);
    await client.connect();
    try {
      const { migrateCity } = await import('@servicehall/upstream');
      await migrateCity(client);
      // A weekend with the platform's token expired: twelve tries each over five hours, then set aside as failed.
      for (const hall of ['330106-01', '330106-02']) {
        await client.query('INSERT INTO halls (hall, name) VALUES ($1, $1)', [hall]);
        for (const n of [1, 2])
          await client.query("INSERT INTO rating_feed (hall, rating_id, seq, at, record, state, attempts, next_at) VALUES ($1, $2, $3, 0, '{}', 'failed', 12, now() + interval '1 hour')", [hall, `R${n}`, n]);
      }
      await client.query("INSERT INTO rating_feed (hall, rating_id, seq, at, record, state, attempts, sent_at) VALUES ('330106-01', 'R3', 3, 0, '{}', 'sent', 1, now())");
      const one = await city(['resend-ratings', '330106-01'], env);
      expect(one.err).toBe('');
      expect(one.code).toBe(0);
      expect(one.out).toContain('已把大厅 330106-01 的 2 条评价重新排入好差评上报');
      const states = async () => (await client.query<{ hall: string; rating_id: string; state: string; attempts: number; due: boolean }>('SELECT hall, rating_id, state, attempts, next_at <= now() AS due FROM rating_feed ORDER BY hall, rating_id')).rows;
      expect(await states()).toEqual([
        { hall: '330106-01', rating_id: 'R1', state: 'pending', attempts: 0, due: true },
        { hall: '330106-01', rating_id: 'R2', state: 'pending', attempts: 0, due: true },
        // One sent stays sent: the platform holds it.
        { hall: '330106-01', rating_id: 'R3', state: 'sent', attempts: 1, due: true },
        { hall: '330106-02', rating_id: 'R1', state: 'failed', attempts: 12, due: false },
        { hall: '330106-02', rating_id: 'R2', state: 'failed', attempts: 12, due: false },
      ]);
      const all = await city(['resend-ratings'], env);
      expect(all.code).toBe(0);
      expect(all.out).toContain('已把 2 条评价重新排入好差评上报');
      expect((await states()).filter((r) => r.state === 'failed')).toEqual([]);
      const none = await city(['resend-ratings'], env);
      expect(none.code).toBe(0);
      expect(none.out).toContain('没有未能报出的评价');
    } finally {
      await client.end();
    }
  }, 120_000);
});

async function until(done: () => boolean, withinMs: number): Promise<void> {
  const end = Date.now() + withinMs;
  while (!done()) {
    if (Date.now() > end) throw new Error('not within the time given');
    await new Promise((r) => setTimeout(r, 100));
  }
}
