import { freePort, postgresMissing, startTestPostgres, type TestPostgres } from '@servicehall/upstream/testing';
import { spawn } from 'node:child_process';
import net from 'node:net';
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
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, out, err })));
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
    for (const args of [['create-account', 'wang', '王主任', 'city'], []]) {
      const r = await city(args, { CITY_DATABASE_URL: url, CITY_ACCOUNT_PASSWORD: 'long-enough-password', CITY_PORT: String(await freePort()) });
      expect(r.code).toBe(2);
      saidPlainly(r.err, '连接不上全市数据库');
      expect(r.err).toContain(`127.0.0.1:${port}`);
      expect(r.err).not.toContain('secret-of-the-city');
    }
  });

  it('refuses a rating scale it does not know rather than send every rating upside down', async () => {
    for (const levels of ['provincial_reversed', 'reversed', 'National ']) {
      const r = await city([], { CITY_DATABASE_URL: 'postgres://city@127.0.0.1:1/city', CITY_FEED_DIR: '/nonexistent/feed', CITY_FEED_LEVELS: levels });
      expect(r.code).toBe(2);
      saidPlainly(r.err, `CITY_FEED_LEVELS 应为 national（1 = 非常满意）或 provincial-reversed（1 = 非常不满意），现为 “${levels}”`);
      expect(r.err).toContain('CITY_FEED_LEVELS is national (1 = very satisfied) or provincial-reversed');
    }
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
});
