import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { refusedIn, retryDelaySeconds, sendDueRatings, startRatingFeed } from './feed';
import { migrateCity } from './schema';
import { postgresMissing, startTestPostgres, type TestPostgres } from './testing';

const missing = postgresMissing();

const rating = (n: number, level: string) => ({
  id: `2026-11-27-A00${n}#1`,
  ticketId: `2026-11-27-A00${n}`,
  ticketNumber: `A00${n}`,
  serviceCode: 'SJ-QY-SL',
  caseNumber: `SL2026112700${n}0`,
  window: 3,
  clerk: '3003',
  channel: 'window-pad',
  raterType: 'citizen',
  anonymous: true,
  level,
  aspects: { attitude: level },
  reasons: [],
  text: '办事快',
  at: Date.UTC(2026, 10, 27, 2, n),
  count: 1,
  isDefault: false,
});

/** A stand-in for the provincial platform: refuses the first `failFirst` requests, then takes what it is sent. */
function platform(failFirst: number) {
  const received: { ok: boolean; records: { recordId: string; level: number; aspects: { attitude?: number } }[] }[] = [];
  let seen = 0;
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      const ok = ++seen > failFirst;
      received.push({ ok, records: (JSON.parse(body) as { records: never[] }).records });
      res.writeHead(ok ? 200 : 503, { 'content-type': 'application/json' }).end(JSON.stringify(ok ? { code: 0 } : { code: 503, message: 'busy' }));
    });
  });
  return { server, received };
}

describe.skipIf(!!missing)('the 好差评 feed', () => {
  let city: TestPostgres;
  let client: pg.Client;
  beforeAll(async () => {
    city = await startTestPostgres();
    client = new pg.Client(city.url);
    await client.connect();
    await migrateCity(client);
    await client.query("INSERT INTO halls (hall, name) VALUES ('330106-01', '西湖区便民服务中心')");
  }, 60_000);
  afterAll(async () => {
    await client?.end();
    city?.destroy();
  });

  const queue = async (ratings: ReturnType<typeof rating>[]) => {
    for (const [i, r] of ratings.entries())
      await client.query('INSERT INTO rating_feed (hall, rating_id, seq, at, record) VALUES ($1, $2, $3, $4, $5)', ['330106-01', r.id, i + 1, r.at, JSON.stringify(r)]);
  };

  it('pushes each rating once in the platform’s codes, tries again later after a refusal, and keeps every try', async () => {
    await queue([rating(1, 'very-satisfied'), rating(2, 'dissatisfied'), rating(3, 'satisfied')]);
    const { server, received } = platform(2);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/haochaping`;
    try {
      const target = { kind: 'http', url, levels: 'provincial-reversed' } as const;
      expect(await sendDueRatings(client, target)).toEqual({ sent: 0, failed: 3, problem: 'HTTP 503: {"code":503,"message":"busy"}' });
      // Not due again yet: nothing is sent before its next try.
      expect(await sendDueRatings(client, target)).toEqual({ sent: 0, failed: 0 });
      const waiting = await client.query<{ wait: number }>("SELECT EXTRACT(EPOCH FROM next_at - now())::int AS wait FROM rating_feed WHERE state = 'pending' LIMIT 1");
      expect(waiting.rows[0]!.wait).toBeGreaterThan(retryDelaySeconds(1) - 5);
      for (let i = 0; i < 2; i++) {
        await client.query('UPDATE rating_feed SET next_at = now()');
        await sendDueRatings(client, target);
      }
      expect(await sendDueRatings(client, target)).toEqual({ sent: 0, failed: 0 });
      const accepted = received.filter((r) => r.ok).flatMap((r) => r.records);
      expect(accepted.map((r) => r.recordId).sort()).toEqual(['330106-01:2026-11-27-A001#1', '330106-01:2026-11-27-A002#1', '330106-01:2026-11-27-A003#1']);
      // 1 = 非常不满意 on this platform: 非常满意 is 5, 不满意 is 2.
      expect(accepted.find((r) => r.recordId.endsWith('A001#1'))).toMatchObject({ level: 5, aspects: { attitude: 5 } });
      expect(accepted.find((r) => r.recordId.endsWith('A002#1'))).toMatchObject({ level: 2 });
      const audit = await client.query<{ rating_id: string; ok: boolean; status: number }>('SELECT rating_id, ok, status FROM rating_feed_attempts ORDER BY id');
      expect(audit.rows.filter((a) => a.rating_id.endsWith('A001#1')).map((a) => [a.ok, a.status])).toEqual([
        [false, 503],
        [false, 503],
        [true, 200],
      ]);
      const states = await client.query("SELECT count(*)::int AS n FROM rating_feed WHERE state = 'sent' AND attempts = 3 AND sent_to = $1", [url]);
      expect(states.rows[0].n).toBe(3);
    } finally {
      server.close();
    }
  });

  it('writes the platform’s upload file whole, each rating in one file only, in national codes', async () => {
    await queue([rating(4, 'very-satisfied'), rating(5, 'very-dissatisfied')]);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'servicehall-feed-'));
    try {
      expect(await sendDueRatings(client, { kind: 'file', dir, levels: 'national' })).toEqual({ sent: 2, failed: 0 });
      expect(await sendDueRatings(client, { kind: 'file', dir, levels: 'national' })).toEqual({ sent: 0, failed: 0 });
      const files = fs.readdirSync(dir);
      expect(files).toHaveLength(1);
      const lines = fs.readFileSync(path.join(dir, files[0]!), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { recordId: string; level: number });
      expect(lines.map((l) => [l.recordId, l.level])).toEqual([
        ['330106-01:2026-11-27-A004#1', 1],
        ['330106-01:2026-11-27-A005#1', 5],
      ]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('leaves no part file in the upload folder when the disk is full, and writes the ratings when there is room again', async (ctx) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'servicehall-feed-full-'));
    // A small disk of its own (mounting needs root: elsewhere this test does not run).
    if (spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', dir]).status !== 0) {
      fs.rmdirSync(dir);
      ctx.skip();
    }
    try {
      await queue([rating(10, 'satisfied'), rating(11, 'dissatisfied')]);
      // Fill the disk to its last byte.
      const filler = path.join(dir, 'filler');
      const fd = fs.openSync(filler, 'w');
      try {
        for (;;) fs.writeSync(fd, Buffer.alloc(1024));
      } catch (error) {
        expect((error as NodeJS.ErrnoException).code).toBe('ENOSPC');
      } finally {
        fs.closeSync(fd);
      }
      const target = { kind: 'file', dir, levels: 'national' } as const;
      await expect(sendDueRatings(client, target)).rejects.toMatchObject({ code: 'ENOSPC' });
      // Before, haochaping-….jsonl.part stayed behind, empty or half written.
      expect(fs.readdirSync(dir)).toEqual(['filler']);
      const pending = await client.query<{ n: number }>("SELECT count(*)::int AS n FROM rating_feed WHERE state = 'pending' AND rating_id IN ('2026-11-27-A0010#1', '2026-11-27-A0011#1')");
      expect(pending.rows[0]!.n).toBe(2);
      fs.rmSync(filler);
      expect(await sendDueRatings(client, target)).toEqual({ sent: 2, failed: 0 });
      const files = fs.readdirSync(dir);
      expect(files).toHaveLength(1);
      expect(files[0]).toMatch(/^haochaping-.*\.jsonl$/);
      expect(fs.readFileSync(path.join(dir, files[0]!), 'utf8').trim().split('\n')).toHaveLength(2);
    } finally {
      spawnSync('umount', [dir]);
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('takes a rating the platform answered 200 to, though its answer never ends, and keeps the answer’s beginning', async () => {
    await queue([rating(6, 'satisfied')]);
    // A platform (or what stands in its place) that says 200 and then writes for ever.
    const server = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        res.writeHead(200, { 'content-type': 'text/plain' });
        const chunk = 'x'.repeat(64 * 1024);
        const more = () => {
          while (!res.destroyed && res.write(chunk));
        };
        res.on('drain', more);
        more();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/haochaping`;
      // Before, the try read the answer until its time ran out and counted as failed: sent again and again, never marked sent.
      expect(await sendDueRatings(client, { kind: 'http', url, levels: 'national', timeoutMs: 3_000 })).toEqual({ sent: 1, failed: 0 });
      const tries = await client.query<{ ok: boolean; status: number; answer: string }>("SELECT ok, status, answer FROM rating_feed_attempts WHERE rating_id = '2026-11-27-A006#1'");
      expect(tries.rows).toEqual([{ ok: true, status: 200, answer: 'x'.repeat(2000) }]);
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });

  it('counts a 200 whose body says the platform did not take them as not taken: tried again, its words kept and said once', async () => {
    await queue([rating(9, 'satisfied')]);
    // A platform that answers every request 200 and says in the body whether it took them.
    const answers = [{ code: 1, msg: '记录编号重复' }, { success: false, message: '签名错误' }, { code: '1001', msg: '系统繁忙' }, { code: 0, msg: '成功' }];
    let request = 0;
    const server = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answers[request++])));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const pool = new pg.Pool({ connectionString: city.url, max: 2 });
    const said: [boolean, string | undefined][] = [];
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/haochaping`;
    const feed = startRatingFeed(() => pool.connect(), { kind: 'http', url, levels: 'national' }, 100);
    feed.platformSaid((taking, problem) => said.push([taking, problem]));
    try {
      // Before, the first 200 counted as taken: the rating was marked sent and the platform never had it.
      await expect.poll(() => said.length, { timeout: 10_000 }).toBe(1);
      expect(said[0]).toEqual([false, 'HTTP 200: {"code":1,"msg":"记录编号重复"}']);
      for (let i = 0; i < 3; i++) {
        await client.query("UPDATE rating_feed SET next_at = now() WHERE rating_id = '2026-11-27-A009#1' AND state = 'pending'");
        await expect.poll(() => request, { timeout: 10_000 }).toBeGreaterThan(i + 1);
      }
      await expect.poll(() => said.length, { timeout: 10_000 }).toBe(2);
      expect(said[1]).toEqual([true, undefined]);
      const tries = await client.query<{ ok: boolean; status: number; answer: string }>("SELECT ok, status, answer FROM rating_feed_attempts WHERE rating_id = '2026-11-27-A009#1' ORDER BY id");
      expect(tries.rows).toEqual(answers.map((a, i) => ({ ok: i === 3, status: 200, answer: JSON.stringify(a) })));
      const state = await client.query<{ state: string; attempts: number }>("SELECT state, attempts FROM rating_feed WHERE rating_id = '2026-11-27-A009#1'");
      expect(state.rows[0]).toEqual({ state: 'sent', attempts: 4 });
    } finally {
      await feed.stop();
      await pool.end();
      server.close();
    }
  });

  it('reads a 2xx body of no known shape as it did: taken', () => {
    for (const body of ['', 'OK', '{"code":0}', '{"code":"200","msg":"成功"}', '{"success":true}', '{"result":"fail"}', '[1]', '{"code":1', '{"code":"E01"}'])
      expect(refusedIn(body), body).toBe(false);
    for (const body of ['{"code":1,"msg":"x"}', '{"success":false}', '{"errcode":40001}', '{"code":"500"}', '{"code":-1}']) expect(refusedIn(body), body).toBe(true);
  });

  it('tells its operator once when the platform stops taking the ratings, with what it said, and once when it takes them again', async () => {
    await queue([rating(7, 'satisfied'), rating(8, 'very-satisfied')]);
    // A wrong CITY_FEED_TOKEN: the platform refuses every try, then takes them once the token is put right.
    const server = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        const ok = req.headers.authorization === 'Bearer right';
        res.writeHead(ok ? 200 : 401, { 'content-type': 'application/json' }).end(JSON.stringify(ok ? { code: 0 } : { code: 401, message: 'token invalid' }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const pool = new pg.Pool({ connectionString: city.url, max: 2 });
    const said: [boolean, string | undefined][] = [];
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/haochaping`;
    const target = { kind: 'http', url, token: 'wrong', levels: 'national' } as { kind: 'http'; url: string; token: string; levels: 'national' };
    const feed = startRatingFeed(() => pool.connect(), target, 100);
    feed.platformSaid((taking, problem) => said.push([taking, problem]));
    try {
      // Before, a platform that refused every try was said nowhere: each rating tried 12 times and set aside unseen.
      await expect.poll(() => said.length, { timeout: 10_000 }).toBe(1);
      expect(said[0]).toEqual([false, 'HTTP 401: {"code":401,"message":"token invalid"}']);
      // Refused again at the next tries: not said again.
      const tries = async () => (await client.query<{ n: number }>("SELECT count(*)::int AS n FROM rating_feed_attempts WHERE rating_id IN ('2026-11-27-A007#1', '2026-11-27-A008#1')")).rows[0]!.n;
      const before = await tries();
      await client.query("UPDATE rating_feed SET next_at = now() WHERE state = 'pending'");
      await expect.poll(tries, { timeout: 10_000 }).toBeGreaterThan(before);
      expect(said).toHaveLength(1);
      target.token = 'right';
      await client.query("UPDATE rating_feed SET next_at = now() WHERE state = 'pending'");
      await expect.poll(() => said.length, { timeout: 10_000 }).toBe(2);
      expect(said[1]).toEqual([true, undefined]);
    } finally {
      await feed.stop();
      await pool.end();
      server.close();
    }
  });
});
