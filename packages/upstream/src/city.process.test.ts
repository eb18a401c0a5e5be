import { terminalNames, type CommandBody, type NamedTerminal } from '@servicehall/core';
import { demoCatalogue } from '@servicehall/fixtures';
import { generateHistory, spawnHub, TestTerminal, type HubProcess } from '@servicehall/hub/testing';
import Database from 'better-sqlite3';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { cityReport } from './reports';
import { SHIPPER_NICE } from './upstream';
import { hallOwnReports, postgresMissing, startTestPostgres, type TestPostgres } from './testing';

const missing = postgresMissing();
if (missing) console.warn(`skipping the city test: ${missing}`);

interface Health {
  seq: number;
  upstream?: { state: string; shippedSeq: number; behindEvents: number; behindSeconds: number };
}

/** One hall: its folder, its hub process, its admin link. */
interface Hall {
  code: string;
  dir: string;
  hub: HubProcess;
  admin: TestTerminal;
}

const catalogue = demoCatalogue({ allDay: true });
const items = catalogue.items.filter((i) => i.dailyQuota === undefined);

/** A round of the hall's work from its administrator's link: tickets issued, called, served, rated. */
async function work(hall: Hall, tickets: number): Promise<void> {
  const run = (body: CommandBody) => hall.admin.command(body);
  for (let i = 0; i < tickets; i++) await run({ type: 'issueTicket', serviceCode: items[i % items.length]!.code, lane: 'ordinary' });
  for (const w of catalogue.windows.slice(0, 4)) {
    await run({ type: 'openWindow', window: w.number });
    for (let k = 0; k < 2; k++) {
      const called = await run({ type: 'callNext', window: w.number });
      if (!called.ok) break;
      await run({ type: 'startService', window: w.number });
      await run({ type: 'finishService', window: w.number });
      await run({ type: 'rate', window: w.number, level: k === 0 ? 'very-satisfied' : 'dissatisfied', aspects: {}, reasons: [], channel: 'window-pad', text: '请回电 13812345678' });
    }
  }
}

describe.skipIf(!!missing)('three halls and one city', () => {
  let city: TestPostgres | undefined;
  const halls: Hall[] = [];
  const dirs: string[] = [];
  afterAll(async () => {
    for (const h of halls) {
      h.admin.close();
      await h.hub.kill('SIGKILL');
    }
    city?.destroy();
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  });

  const health = async (h: Hall) => (await (await fetch(`${h.hub.url}/api/health`)).json()) as Health;
  const start = async (code: string, dir: string, batch = 150): Promise<Hall> => {
    const hub = await spawnHub(dir, { SERVICEHALL_UPSTREAM_URL: city!.url, SERVICEHALL_UPSTREAM_HALL: code, SERVICEHALL_UPSTREAM_BATCH: String(batch), SERVICEHALL_LIMITS: JSON.stringify({ commands: 'off' }) });
    const admin = await TestTerminal.connect(hub.wsUrl, { role: 'admin', terminal: `admin-${code}`, token: hub.token });
    return { code, dir, hub, admin };
  };

  it('holds every event of every hall once and in order, through the city stopping and a hub killed mid-shipment', async () => {
    city = await startTestPostgres();
    // Each hall its own: a history of its own length (its own numbering, days and clock times), or none.
    const histories = [
      { code: '330106-01', days: 3, perDay: 400, seed: 1 },
      { code: '330106-02', days: 2, perDay: 250, seed: 7 },
      { code: '330106-03', days: 0, perDay: 0, seed: 0 },
    ];
    for (const h of histories) {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), `servicehall-${h.code}-`));
      if (h.days > 0) generateHistory({ dataDir: dir, days: h.days, ticketsPerDay: h.perDay, seed: h.seed, catalogue });
      dirs.push(dir);
    }
    // The first hall ships its history in small batches, and is killed while it is on its way.
    const first = await start(histories[0]!.code, dirs[0]!, 10);
    await expect.poll(async () => (await health(first)).upstream?.shippedSeq ?? 0, { timeout: 120_000, interval: 10 }).toBeGreaterThan(0);
    const before = (await health(first)).upstream!;
    expect(before.behindEvents).toBeGreaterThan(0);
    // The shipper gives way to the hall's own work: its thread runs at a lower priority than the hub's (Linux keeps one per thread).
    if (process.platform === 'linux') {
      const nices = fs.readdirSync(`/proc/${first.hub.child.pid}/task`).map((t) => Number(fs.readFileSync(`/proc/${first.hub.child.pid}/task/${t}/stat`, 'utf8').split(') ')[1]!.split(' ')[16]));
      expect(nices).toContain(SHIPPER_NICE);
      expect(nices.filter((n) => n === SHIPPER_NICE).length).toBeLessThan(nices.length);
    }
    first.admin.close();
    await first.hub.kill('SIGKILL');
    halls.push(await start(first.code, first.dir));
    for (const [i, h] of histories.entries()) if (i > 0) halls.push(await start(h.code, dirs[i]!));
    await Promise.all(halls.map((h) => work(h, 20)));

    // The city goes away; the halls work on and say how far behind the city they are.
    city.stop();
    await Promise.all(halls.map((h) => work(h, 15)));
    for (const h of halls) {
      await expect.poll(async () => (await health(h)).upstream?.state, { timeout: 60_000 }).toBe('offline');
      expect((await health(h)).upstream!.behindEvents).toBeGreaterThan(0);
      const metrics = await (await fetch(`${h.hub.url}/metrics`)).text();
      expect(metrics).toMatch(/^servicehall_upstream_connected 0$/m);
      expect(Number(/^servicehall_upstream_behind_events (\d+)$/m.exec(metrics)?.[1])).toBeGreaterThan(0);
    }
    city.start();
    await Promise.all(halls.map((h) => work(h, 10)));

    for (const h of halls)
      await expect
        .poll(async () => {
          const s = await health(h);
          return s.upstream?.state === 'caught-up' && s.upstream.shippedSeq === s.seq && s.upstream.behindEvents === 0;
        }, { timeout: 60_000, interval: 100 })
        .toBe(true);

    for (const h of halls) {
      const metrics = await (await fetch(`${h.hub.url}/metrics`)).text();
      expect(metrics).toMatch(/^servicehall_upstream_behind_events 0$/m);
      expect(metrics).toMatch(/^servicehall_upstream_connected 1$/m);
    }
    const client = new pg.Client(city.url);
    await client.connect();
    try {
      for (const h of halls) {
        const db = new Database(path.join(h.dir, 'hall.db'), { readonly: true });
        const own = db.prepare('SELECT seq, type, at FROM events ORDER BY seq').all() as { seq: number; type: string; at: number }[];
        const ratings = db.prepare('SELECT level, COUNT(*) AS n FROM ratings GROUP BY level ORDER BY level').all() as { level: string; n: number }[];
        const tickets = db.prepare('SELECT day, COUNT(*) AS n FROM tickets GROUP BY day ORDER BY day').all() as { day: string; n: number }[];
        db.close();
        const { rows } = await client.query<{ seq: string; type: string; at: number }>('SELECT seq, type, at FROM hall_events WHERE hall = $1 ORDER BY seq', [h.code]);
        // Every event once, in the hall's order, nothing else.
        expect(rows.map((r) => ({ seq: Number(r.seq), type: r.type, at: r.at })), h.code).toEqual(own);
        // The city's figures from the stream equal the hall's own tables.
        const cityRatings = await client.query<{ level: string; n: number }>(
          "SELECT body->'rating'->>'level' AS level, COUNT(*)::int AS n FROM hall_events WHERE hall = $1 AND type = 'rating.recorded' GROUP BY 1 ORDER BY 1",
          [h.code],
        );
        expect(cityRatings.rows, h.code).toEqual(ratings);
        const cityTickets = await client.query<{ day: string; n: number }>(
          "SELECT body->'ticket'->>'day' AS day, COUNT(*)::int AS n FROM hall_events WHERE hall = $1 AND type = 'ticket.issued' GROUP BY 1 ORDER BY 1",
          [h.code],
        );
        expect(cityTickets.rows, h.code).toEqual(tickets);
        const fed = await client.query<{ n: number }>('SELECT COUNT(*)::int AS n FROM rating_feed WHERE hall = $1', [h.code]);
        expect(fed.rows[0]!.n).toBe(ratings.reduce((a, r) => a + r.n, 0));
        // The hall's own reports, run on the city's PostgreSQL from the same definitions, say the same.
        const specs = [
          { breakdown: 'day', from: '2020-01-01', to: '2030-12-31' },
          { breakdown: 'window', from: '2020-01-01', to: '2030-12-31' },
          { breakdown: 'item', from: '2020-01-01', to: '2030-12-31' },
        ] as const;
        const ownReports = hallOwnReports(path.join(h.dir, 'hall.db'), specs);
        expect(ownReports[0]!.total.issued).toBeGreaterThan(0);
        for (const [i, spec] of specs.entries()) expect(await cityReport(client, h.code, spec), `${h.code} by ${spec.breakdown}`).toEqual(ownReports[i]);
        // What the citizens typed stays masked.
        const leaked = await client.query("SELECT 1 FROM hall_events WHERE body::text LIKE '%13812345678%' LIMIT 1");
        expect(leaked.rows).toEqual([]);
      }
    } finally {
      await client.end();
    }
  }, 420_000);

  it("names the kiosks of an older installation, linked with the hall token and with no devices reported, as the hall's console lists them, also one that dropped off", async () => {
    city ??= await startTestPostgres();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'servicehall-330106-09-'));
    dirs.push(dir);
    const hall = await start('330106-09', dir);
    halls.push(hall);
    // Two kiosks that say hello with the hall token itself: no credential, and they never report their devices.
    const kiosks = await Promise.all(['kiosk-a', 'kiosk-b'].map((terminal) => TestTerminal.connect(hall.hub.wsUrl, { role: 'kiosk', terminal, token: hall.hub.token })));
    const atCity = async () => {
      const client = new pg.Client(city!.url);
      await client.connect();
      try {
        return (await client.query<{ terminals: NamedTerminal[] }>('SELECT terminals FROM halls WHERE hall = $1', [hall.code])).rows[0]?.terminals ?? [];
      } finally {
        await client.end();
      }
    };
    try {
      // A ticket from each: the batch that carries them carries the hall's terminals too.
      for (const k of kiosks) expect(await k.command({ type: 'issueTicket', serviceCode: items[0]!.code, lane: 'ordinary' })).toMatchObject({ ok: true });
      await expect.poll(async () => (await atCity()).map((t) => t.terminal), { timeout: 60_000, interval: 100 }).toEqual(['kiosk-a', 'kiosk-b']);
      // The hall's console numbers them 取号机 1 and 2 (before, the city had neither and said kiosk-a, kiosk-b).
      expect([...terminalNames(await atCity(), 'zh-CN')]).toEqual([
        ['kiosk-a', '取号机 1'],
        ['kiosk-b', '取号机 2'],
      ]);
      // One unlinked: the hall's console shows it offline (the hub remembers it), and the city keeps naming it.
      // Before, the hub knew such a kiosk only while it was linked: gone from the console and the city, no one told.
      kiosks[1]!.close();
      // The hub has seen it go before the next batch leaves.
      await new Promise((r) => setTimeout(r, 500));
      expect(await kiosks[0]!.command({ type: 'issueTicket', serviceCode: items[0]!.code, lane: 'ordinary' })).toMatchObject({ ok: true });
      const { seq } = await health(hall);
      await expect.poll(async () => (await health(hall)).upstream?.shippedSeq ?? 0, { timeout: 60_000, interval: 100 }).toBeGreaterThanOrEqual(seq);
      expect((await atCity()).map((t) => t.terminal)).toEqual(['kiosk-a', 'kiosk-b']);
    } finally {
      for (const k of kiosks) k.close();
    }
  }, 180_000);
});
