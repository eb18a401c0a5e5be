import { postgresMissing, startTestPostgres, type TestPostgres } from '@servicehall/upstream/testing';
import { createHash } from 'node:crypto';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccount } from './accounts';
import { startCity, type RunningCity } from './server';

const missing = postgresMissing();
if (missing) console.warn(`skipping the city server: ${missing}`);

const PASSWORD = 'city-test-password';

/** One request written as it comes over the wire (a request target no browser would send): the status line's code. */
function raw(url: string, target: string): Promise<number> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), hostname, () => socket.write(`GET ${target} HTTP/1.1\r\nHost: city\r\nConnection: close\r\n\r\n`));
    let text = '';
    socket.on('data', (d) => (text += d));
    socket.on('error', reject);
    socket.on('close', () => resolve(Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0)));
  });
}

describe.skipIf(!!missing)("the city's server under hostile requests", () => {
  let pgCity: TestPostgres;
  let city: RunningCity;
  let cookie = '';

  beforeAll(async () => {
    pgCity = await startTestPostgres();
    city = await startCity({ databaseUrl: pgCity.url });
    await createAccount(city.pool, { id: 'city-supervisor', name: '市政务办 王主任', role: 'city' }, PASSWORD);
    const res = await fetch(`${city.url}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ id: 'city-supervisor', password: PASSWORD }) });
    cookie = res.headers.get('set-cookie')!.split(';')[0]!;
  }, 60_000);

  afterAll(async () => {
    await city?.close();
    pgCity?.destroy();
  });

  it('answers an address it cannot read with 400 and goes on serving', async () => {
    // A %-escape that is no UTF-8, anywhere in the path, and a request target that is no URL: one request each used to end the process.
    expect(await raw(city.url, '/%E0%A4%A')).toBe(400);
    expect(await raw(city.url, 'http://[')).toBe(400);
    const hall = await fetch(`${city.url}/api/halls/%ZZ`, { headers: { cookie } });
    // Not "the database cannot be reached": the address was wrong.
    expect(hall.status).toBe(400);
    expect(await hall.json()).toMatchObject({ ok: false, code: 'bad-request' });
    const halls = await fetch(`${city.url}/api/halls`, { headers: { cookie } });
    expect(halls.status).toBe(200);
    expect(await halls.json()).toMatchObject({ ok: true, halls: [] });
  });

  it("refuses a period no calendar has, or longer than the hall console allows, as the asker's mistake", async () => {
    await city.pool.query("INSERT INTO halls (hall, name) VALUES ('330106-01', '西湖区政务服务中心') ON CONFLICT DO NOTHING");
    const ask = async (query: string) => {
      const res = await fetch(`${city.url}/api/halls/330106-01?${query}`, { headers: { cookie } });
      return { status: res.status, body: (await res.json()) as { code: string; message: string } };
    };
    // Month 13 used to reach the database and come back as 503 "the city's database cannot be reached".
    expect(await ask('from=2026-13-45&to=2026-14-01')).toEqual({ status: 400, body: expect.objectContaining({ code: 'bad-request', message: 'from and to are days written YYYY-MM-DD' }) });
    // Eight thousand years of one hall's days by hour: the hall's own console stops at three.
    expect(await ask('breakdown=dayHour&from=0001-01-01&to=9999-12-31')).toEqual({ status: 400, body: expect.objectContaining({ code: 'bad-request', message: 'a report covers at most 1098 days' }) });
    expect((await ask('from=2026-12-07&to=2026-12-01')).status).toBe(400);
  });

  it('locks an account after three wrong passwords, so that guessing it takes hours, not seconds', async () => {
    await createAccount(city.pool, { id: 'hall-01-admin', name: '西湖区 李管理员', role: 'hall', hall: '330106-01' }, PASSWORD);
    const login = (id: string, password: string) => fetch(`${city.url}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ id, password }) });
    for (let i = 0; i < 3; i++) expect((await login('hall-01-admin', `guess-number-${i}`)).status).toBe(401);
    // Before, the 100th guess was tried as the first was; now not even the right password is, until the lock ends.
    const locked = await login('hall-01-admin', PASSWORD);
    expect(locked.status).toBe(429);
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await locked.json()).toMatchObject({ ok: false, code: 'locked' });
    expect(locked.headers.get('set-cookie')).toBeNull();
    // Another account is not held up by it.
    expect((await login('city-supervisor', PASSWORD)).status).toBe(200);
  });

  it('ends a session 12 hours after its sign-in, as the hall console does, however often the view asked meanwhile', async () => {
    const res = await fetch(`${city.url}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ id: 'city-supervisor', password: PASSWORD }) });
    const mine = res.headers.get('set-cookie')!.split(';')[0]!;
    const halls = () => fetch(`${city.url}/api/halls`, { headers: { cookie: mine } });
    const idHash = createHash('sha256').update(mine.slice(mine.indexOf('=') + 1)).digest('hex');
    expect((await halls()).status).toBe(200);
    // Signed in 11 h 59 min ago, asked every 30 s since (last seen just now): still open.
    await city.pool.query("UPDATE city_sessions SET created_at = now() - interval '11 hours 59 minutes', last_seen = now() WHERE id_hash = $1", [idHash]);
    expect((await halls()).status).toBe(200);
    // Twelve hours and a minute: before, the tab's polling kept it open for ever.
    await city.pool.query("UPDATE city_sessions SET created_at = now() - interval '12 hours 1 minute', last_seen = now() WHERE id_hash = $1", [idHash]);
    const ended = await halls();
    expect(ended.status).toBe(401);
    expect(await ended.json()).toMatchObject({ ok: false, code: 'signed-out' });
    // The other session, signed in at the start of this file's tests, is open still.
    expect((await fetch(`${city.url}/api/halls`, { headers: { cookie } })).status).toBe(200);
  });

  it("lists a hall whose facts the city has not made yet with nothing counted, rather than fail the whole list", async () => {
    // A hub that connected (its hall's row made) and lost the city before it made the hall's facts: a link that went,
    // a statement cancelled, a disk full. Its next connect makes them; meanwhile the city's view goes on.
    await city.pool.query("INSERT INTO halls (hall, name) VALUES ('330106-09', '新接入的便民服务中心') ON CONFLICT DO NOTHING");
    const halls = await fetch(`${city.url}/api/halls`, { headers: { cookie } });
    // Before: 503 "the city's database cannot be reached for now", for every hall of the city.
    expect(halls.status).toBe(200);
    const body = (await halls.json()) as { halls: { hall: string; today: { issued: number } }[] };
    expect(body.halls.find((h) => h.hall === '330106-09')?.today.issued).toBe(0);
    const detail = await fetch(`${city.url}/api/halls/330106-09?breakdown=item`, { headers: { cookie } });
    expect(detail.status).toBe(200);
    expect(await detail.json()).toMatchObject({ ok: true, report: { rows: [], total: { issued: 0 } } });
  });
});

describe.skipIf(!!missing)("the city's list of halls", () => {
  let pgCity: TestPostgres;
  let city: RunningCity;

  beforeAll(async () => {
    pgCity = await startTestPostgres();
    city = await startCity({ databaseUrl: pgCity.url });
    await createAccount(city.pool, { id: 'city-supervisor', name: '市政务办 王主任', role: 'city' }, PASSWORD);
  }, 60_000);

  afterAll(async () => {
    await city?.close();
    pgCity?.destroy();
  });

  it('lists first the halls silent beyond five minutes, the longest first, then those with alerts unhandled, then the rest by code, each saying why', async () => {
    const hall = (code: string, name: string, silent: string | null) =>
      city.pool.query(`INSERT INTO halls (hall, name, hall_seen_at) VALUES ($1, $2, ${silent === null ? 'NULL' : `now() - interval '${silent}'`})`, [code, name]);
    const alert = (code: string, id: string, acknowledged: boolean) =>
      city.pool.query("INSERT INTO hall_alerts (hall, id, seq, at, kind, subject, acknowledged) VALUES ($1, $2, 1, 0, 'queue-long', '{}', $3)", [code, id, acknowledged]);
    await hall('330106-01', '西湖区政务服务中心', '30 seconds');
    await hall('330106-02', '北山街道便民服务中心', '1 day 2 hours');
    await hall('330106-03', '灵隐街道便民服务中心', '1 minute');
    await hall('330106-04', '新接入的便民服务中心', null);
    await hall('330106-05', '西溪街道便民服务中心', '10 minutes');
    await alert('330106-03', 'a', false);
    await alert('330106-03', 'b', false);
    await alert('330106-01', 'c', true);
    await alert('330106-05', 'd', false);
    const res = await fetch(`${city.url}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ id: 'city-supervisor', password: PASSWORD }) });
    const cookie = res.headers.get('set-cookie')!.split(';')[0]!;
    const halls = (await (await fetch(`${city.url}/api/halls`, { headers: { cookie } })).json()) as { halls: { hall: string; attention: string[] }[] };
    // Before: by code, 01 to 05, the hall silent for a day in second place among the city's many.
    expect(halls.halls.map((h) => [h.hall, h.attention])).toEqual([
      ['330106-02', ['silent']],
      ['330106-05', ['silent', 'alerts']],
      ['330106-03', ['alerts']],
      // An acknowledged alert is handled; a hall never heard from is the city's "not shipped", not a silent one.
      ['330106-01', []],
      ['330106-04', []],
    ]);
  });
});

describe.skipIf(!!missing)('a city server started before its database', () => {
  it('starts all the same, says the database cannot be reached, and serves once the database is there', async () => {
    const db = await startTestPostgres();
    let city: RunningCity | undefined;
    try {
      db.stop();
      const away: unknown[] = [];
      // Before, startCity failed and the command line exited: after a power cut, a city server up before its database stayed down.
      city = await startCity({ databaseUrl: db.url, databaseAway: (e) => away.push(e) });
      expect(away).toEqual([expect.objectContaining({ code: 'ECONNREFUSED' })]);
      const session = await fetch(`${city.url}/api/session`);
      expect(session.status).toBe(503);
      expect(await session.json()).toMatchObject({ ok: false, code: 'unavailable' });
      expect((await fetch(`${city.url}/`)).status).not.toBe(500);
      db.start();
      // The city's tables made at the first request that finds the database, then an account and its sign-in as ever.
      expect((await fetch(`${city.url}/api/session`)).status).toBe(401);
      await createAccount(city.pool, { id: 'city-supervisor', name: '市政务办 王主任', role: 'city' }, PASSWORD);
      const login = await fetch(`${city.url}/api/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ id: 'city-supervisor', password: PASSWORD }) });
      expect(login.status).toBe(200);
    } finally {
      await city?.close();
      db.destroy();
    }
  }, 60_000);

  it('still refuses to start without being told, and for a database that will not be there (no such database)', async () => {
    const db = await startTestPostgres();
    try {
      const url = db.url.replace(/\/city$/, '/no_such_city');
      await expect(startCity({ databaseUrl: url, databaseAway: () => undefined })).rejects.toMatchObject({ code: '3D000' });
      db.stop();
      await expect(startCity({ databaseUrl: db.url })).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    } finally {
      db.destroy();
    }
  }, 60_000);
});
