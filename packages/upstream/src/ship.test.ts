import { activeAlerts, hallTerminalNames, terminalNames, type Actor, type CommandBody, type NamedTerminal } from '@servicehall/core';
import { branchLineage, cityTerminals, HallStore, HallTokenTerminals, openDatabase, TerminalCredentials, terminalPresence } from '@servicehall/hub';
import { generateHistory, hallKeyOf } from '@servicehall/hub/testing';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { cityHooks } from './hooks';
import { Shipper, type PartedTail, type UpstreamStatus } from './ship';
import { ensureHallFacts, hallSchema } from './facts';
import { cityReport } from './reports';
import { migrateCity } from './schema';
import { hallOwnReports, postgresMissing, startTestPostgres, type TestPostgres } from './testing';

const missing = postgresMissing();
if (missing) console.warn(`skipping the PostgreSQL tests: ${missing}`);

describe.skipIf(!!missing)('shipping a hall log to the city', () => {
  let city: TestPostgres;
  let dir: string;
  let file: string;
  let lastSeq: number;

  beforeAll(async () => {
    city = await startTestPostgres();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'servicehall-ship-'));
    generateHistory({ dataDir: dir, days: 2, ticketsPerDay: 150, lastDay: '2026-11-27' });
    file = path.join(dir, 'hall.db');
    const Database = (await import('better-sqlite3')).default;
    const db = new Database(file, { readonly: true });
    lastSeq = (db.prepare('SELECT MAX(seq) AS seq FROM events').get() as { seq: number }).seq;
    db.close();
  }, 60_000);
  afterAll(() => {
    city?.destroy();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  const query = async <T extends pg.QueryResultRow>(sql: string, params: unknown[] = []) => {
    const c = new pg.Client(city.url);
    await c.connect();
    try {
      return (await c.query<T>(sql, params)).rows;
    } finally {
      await c.end();
    }
  };
  /** The city's tables, for a test that adds to them before a shipper makes them (run alone, it may be the first). */
  const migrated = async () => {
    const c = new pg.Client(city.url);
    await c.connect();
    try {
      await migrateCity(c);
    } finally {
      await c.end();
    }
  };
  const until = async (check: () => boolean, ms = 20_000) => {
    const end = Date.now() + ms;
    while (!check()) {
      if (Date.now() > end) throw new Error('not in time');
      await new Promise((r) => setTimeout(r, 20));
    }
  };

  /** Ships the hall.db in `dir` as `hall` until it is caught up or refused, then stops: the status it reached. */
  const shipOnce = async (dir: string, hall: string, parted: PartedTail[] = []) => {
    const s = new Shipper({ databaseFile: path.join(dir, 'hall.db'), url: city.url, hall, idleMs: 50, firstRetryMs: 50 }, () => undefined, cityHooks(), (p) => parted.push(p));
    const run = s.run();
    await until(() => s.status.state === 'caught-up' || s.status.state === 'refused');
    const reached = { ...s.status };
    await s.stop();
    await run;
    return reached;
  };

  /**
   * A hall of one small day (up to 2026-11-27) in a folder of its own, its store's clock at 09:00 three days on, for
   * `use` to work in; then the store writes its facts, the database closes and the folder goes.
   */
  const inSmallHall = async (name: string, use: (hall: { dir: string; db: ReturnType<typeof openDatabase>; store: HallStore }) => Promise<void>) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), `servicehall-ship-${name}-`));
    try {
      generateHistory({ dataDir: dir, days: 1, ticketsPerDay: 10, lastDay: '2026-11-27' });
      const db = openDatabase(dir);
      const store = new HallStore(db, () => Date.parse('2026-11-30T09:00:00+08:00'), hallKeyOf(dir));
      try {
        await use({ dir, db, store });
      } finally {
        store.writeFacts();
        db.close();
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  };

  it('ships every event once and in order, even with two shippers of one hall at once and the city away for a while', async () => {
    const seen: UpstreamStatus[] = [];
    const options = { databaseFile: file, url: city.url, hall: 'H-01', batchEvents: 97, idleMs: 50, firstRetryMs: 50, maxRetryMs: 200 };
    const a = new Shipper(options, (s) => seen.push(s), cityHooks());
    const b = new Shipper(options, () => undefined, cityHooks());
    const runs = [a.run(), b.run()];
    await until(() => a.status.shippedSeq > lastSeq / 3);
    city.stop();
    await until(() => a.status.state === 'offline');
    const stoppedAt = a.status.shippedSeq;
    expect(stoppedAt).toBeLessThan(lastSeq);
    expect(a.status.behindEvents).toBe(lastSeq - stoppedAt);
    city.start();
    await until(() => a.status.state === 'caught-up' && b.status.state === 'caught-up' && a.status.shippedSeq === lastSeq && b.status.shippedSeq === lastSeq);
    await Promise.all([a.stop(), b.stop()]);
    await Promise.all(runs);

    const rows = await query<{ n: string; lo: string; hi: string; distinct: string }>('SELECT count(*) AS n, min(seq) AS lo, max(seq) AS hi, count(DISTINCT seq) AS distinct FROM hall_events WHERE hall = $1', ['H-01']);
    expect(rows[0]).toEqual({ n: String(lastSeq), lo: '1', hi: String(lastSeq), distinct: String(lastSeq) });
    expect((await query<{ shipped_seq: string }>('SELECT shipped_seq FROM halls WHERE hall = $1', ['H-01']))[0]!.shipped_seq).toBe(String(lastSeq));
    // The offline spell was seen and said.
    expect(seen.some((s) => s.state === 'offline' && s.behindEvents > 0 && s.message)).toBe(true);
    expect(seen.at(-1)).toMatchObject({ state: 'stopped', behindEvents: 0, behindSeconds: 0 });
  }, 60_000);

  it('holds the same events as the hall, with each rating queued once for the province', async () => {
    const Database = (await import('better-sqlite3')).default;
    const db = new Database(file, { readonly: true });
    const hall = db.prepare('SELECT seq, type, at FROM events ORDER BY seq').all() as { seq: number; type: string; at: number }[];
    const ratings = db.prepare('SELECT id FROM ratings ORDER BY id').all() as { id: string }[];
    db.close();
    const cityRows = await query<{ seq: string; type: string; at: string }>('SELECT seq, type, at FROM hall_events WHERE hall = $1 ORDER BY seq', ['H-01']);
    expect(cityRows.map((r) => ({ seq: Number(r.seq), type: r.type, at: Number(r.at) }))).toEqual(hall);
    const fed = await query<{ rating_id: string }>('SELECT rating_id FROM rating_feed WHERE hall = $1 ORDER BY rating_id', ['H-01']);
    expect(ratings.length).toBeGreaterThan(50);
    expect(fed.map((r) => r.rating_id)).toEqual(ratings.map((r) => r.id));
    // Slim events arrive readable on their own.
    const issued = await query<{ body: { ticket: { id: string; day: string } } }>("SELECT body FROM hall_events WHERE hall = $1 AND type = 'ticket.issued' ORDER BY seq LIMIT 1", ['H-01']);
    expect(issued[0]!.body.ticket.id).toMatch(/^2026-11-2\d-[A-Z]+\d+$/);
  });

  it("gives the hall's own reports on the city's PostgreSQL, equal to the hall's", async () => {
    const specs = [
      { breakdown: 'day', from: '2026-11-01', to: '2026-11-30' },
      { breakdown: 'window', from: '2026-11-26', to: '2026-11-27' },
      { breakdown: 'item', from: '2026-11-01', to: '2026-11-30' },
      { breakdown: 'clerk', from: '2026-11-01', to: '2026-12-31' },
    ] as const;
    const own = hallOwnReports(file, specs);
    expect(own[0]!.total.issued).toBeGreaterThan(200);
    expect(own[0]!.total.rated).toBeGreaterThan(50);
    const c = new pg.Client(city.url);
    await c.connect();
    try {
      for (const [i, spec] of specs.entries()) expect(await cityReport(c, 'H-01', spec), spec.breakdown).toEqual(own[i]);
    } finally {
      await c.end();
    }
  });

  it("adds the desk-by-day table to a hall's schema made before it, from its desk hours, to the same reports", async () => {
    const spec = { breakdown: 'window', from: '2026-11-26', to: '2026-11-27' } as const;
    const c = new pg.Client(city.url);
    await c.connect();
    try {
      const before = await cityReport(c, 'H-01', spec);
      await c.query(`DROP TABLE "${hallSchema('H-01')}".report_desk_days`);
      await ensureHallFacts(c, 'H-01', async () => {
        throw new Error('a schema with its tables is not filled again');
      });
      expect(await cityReport(c, 'H-01', spec)).toEqual(before);
      expect(before.total.issued).toBeGreaterThan(0);
    } finally {
      await c.end();
    }
  });

  it("sets aside a failover's parted tail: the old primary's last events that its standby never got, shipped before the standby took charge", async () => {
    const primary = fs.mkdtempSync(path.join(os.tmpdir(), 'servicehall-ship-primary-'));
    const standby = fs.mkdtempSync(path.join(os.tmpdir(), 'servicehall-ship-standby-'));
    try {
      generateHistory({ dataDir: primary, days: 1, ticketsPerDay: 40, lastDay: '2026-11-27' });
      // The standby holds the log as it stood when the primary's PC died, less its last batches.
      for (const f of fs.readdirSync(primary)) fs.copyFileSync(path.join(primary, f), path.join(standby, f));
      const append = (dir: string, serviceIndex: number, n: number) => {
        const db = openDatabase(dir);
        // The next working day's morning, within every item's issuing hours.
        const store = new HallStore(db, () => Date.parse('2026-11-30T09:00:00+08:00'), hallKeyOf(dir));
        const code = store.view.catalogue.items[serviceIndex]!.code;
        const answers = store.executeBatch(Array.from({ length: n }, (_, i) => ({ command: { id: `${dir}-${serviceIndex}-${i}`, type: 'issueTicket' as const, serviceCode: code, lane: 'ordinary' as const }, actor: { role: 'kiosk' as const, terminal: 'kiosk-1' } })));
        expect(answers.map((a) => (a.answer.ok ? "ok" : `${a.answer.code}: ${a.answer.message}`))).toEqual(answers.map(() => "ok"));
        const seq = store.seq;
        // As a hub does when it stops (else its next start makes them from the log).
        store.writeFacts();
        db.close();
        return seq;
      };
      const branch = (() => {
        const db = openDatabase(standby);
        const seq = (db.prepare('SELECT MAX(seq) AS seq FROM events').get() as { seq: number }).seq;
        db.close();
        return seq;
      })();
      const primaryLast = append(primary, 0, 5);
      const ship = (dir: string, parted: PartedTail[] = []) => shipOnce(dir, 'H-02', parted);
      // The old primary's shipper stays up, caught up, as a primary that has not yet learnt it lost charge.
      const oldShipper = new Shipper({ databaseFile: path.join(primary, 'hall.db'), url: city.url, hall: 'H-02', idleMs: 50, firstRetryMs: 50 }, () => undefined, cityHooks());
      const oldRun = oldShipper.run();
      await until(() => oldShipper.status.state === 'caught-up' && oldShipper.status.shippedSeq === primaryLast);
      // The standby takes charge: a new log branching from its last event, and the hall goes on there.
      const db = openDatabase(standby);
      branchLineage(db);
      db.close();
      const standbyLast = append(standby, 1, 3);
      const parted: PartedTail[] = [];
      const status = await ship(standby, parted);
      expect(status).toMatchObject({ state: 'caught-up', shippedSeq: standbyLast });
      expect(parted).toEqual([expect.objectContaining({ hall: 'H-02', branch, shipped: primaryLast, setAside: primaryLast - branch })]);

      const Database = (await import('better-sqlite3')).default;
      const hallDb = new Database(path.join(standby, 'hall.db'), { readonly: true });
      const hall = hallDb.prepare('SELECT seq, type, at FROM events ORDER BY seq').all() as { seq: number; type: string; at: number }[];
      hallDb.close();
      const cityRows = await query<{ seq: string; type: string; at: string }>('SELECT seq, type, at FROM hall_events WHERE hall = $1 ORDER BY seq', ['H-02']);
      expect(cityRows.map((r) => ({ seq: Number(r.seq), type: r.type, at: Number(r.at) }))).toEqual(hall);
      const aside = await query<{ seq: string; parted_after: string }>('SELECT seq, parted_after FROM hall_events_parted WHERE hall = $1 ORDER BY seq', ['H-02']);
      expect(aside.map((r) => Number(r.seq))).toEqual(Array.from({ length: primaryLast - branch }, (_, i) => branch + 1 + i));
      // The city's reports of the hall are the standby's own again (the tail's tickets are not counted).
      const spec = { breakdown: 'item', from: '2026-11-01', to: '2026-11-30' } as const;
      const c = new pg.Client(city.url);
      await c.connect();
      try {
        expect(await cityReport(c, 'H-02', spec)).toEqual(hallOwnReports(path.join(standby, 'hall.db'), [spec])[0]);
      } finally {
        await c.end();
      }
      // The old primary goes on a moment longer: its next batch is refused, for the city follows the standby's log now.
      append(primary, 2, 2);
      oldShipper.wake();
      await until(() => oldShipper.status.state === 'refused');
      expect(oldShipper.status.message).toMatch(/another log/);
      await oldShipper.stop();
      await oldRun;
      // Started again with its own log, it is refused at once.
      expect(await ship(primary)).toMatchObject({ state: 'refused', message: expect.stringMatching(/another log/) });
      expect((await query<{ n: string }>('SELECT count(*) AS n FROM hall_events WHERE hall = $1', ['H-02']))[0]!.n).toBe(String(standbyLast));
    } finally {
      fs.rmSync(primary, { recursive: true, force: true });
      fs.rmSync(standby, { recursive: true, force: true });
    }
  }, 90_000);

  it("shows an open device alert with what its terminal says now of the same fault, as the hall's console does; its raising keeps the words it had", async () => {
    await inSmallHall('words', async ({ dir: hallDir, store }) => {
      let n = 0;
      const run = (command: CommandBody, actor: Actor) => {
        const { answer } = store.execute({ id: `words-${n++}`, ...command }, actor);
        expect(answer.ok ? 'ok' : `${answer.code}: ${answer.message}`).toBe('ok');
      };
      const kiosk = { role: 'kiosk' as const, terminal: 'kiosk-1' };
      const hub = { role: 'admin' as const, terminal: 'hub' };
      const offline = (detail: string) => ({ kind: 'printer' as const, name: 'ticket-printer', status: 'fault' as const, code: 'offline', detail });
      const busy = '串口 /dev/ttyUSB0 已被其他程序占用：请关闭占用它的程序（fuser /dev/ttyUSB0 可查看）';
      const gone = '串口 /dev/ttyUSB0 不存在：请检查设备是否插好、通电';
      const ship = async () => {
        const s = new Shipper({ databaseFile: path.join(hallDir, 'hall.db'), url: city.url, hall: 'H-05', idleMs: 50, firstRetryMs: 50 }, () => undefined, cityHooks());
        const running = s.run();
        await until(() => s.status.state === 'caught-up' && s.status.shippedSeq === store.seq);
        await s.stop();
        await running;
      };
      const atCity = async () => (await query<{ id: string; subject: Record<string, unknown>; cleared: boolean }>("SELECT id, subject, cleared FROM hall_alerts WHERE hall = $1 AND kind = 'device-fault' ORDER BY seq", ['H-05']));
      run({ type: 'reportDevices', devices: [offline(busy)] }, kiosk);
      run({ type: 'reviewAlerts', terminals: [], overdue: [] }, hub);
      const raised = activeAlerts(store.view).filter((a) => a.subject.kind === 'device-fault');
      expect(raised.map((a) => a.subject)).toEqual([{ kind: 'device-fault', terminal: 'kiosk-1', device: 'printer', fault: 'offline', detail: busy }]);
      await ship();
      expect(await atCity()).toEqual([{ id: raised[0]!.id, subject: raised[0]!.subject, cleared: false }]);
      // The port is gone now: still 未连接, one alert, which the console shows in the terminal's words now.
      run({ type: 'reportDevices', devices: [offline(gone)] }, kiosk);
      run({ type: 'reviewAlerts', terminals: [], overdue: [] }, hub);
      const standing = activeAlerts(store.view).filter((a) => a.subject.kind === 'device-fault');
      expect(standing.map((a) => [a.id, a.subject])).toEqual([[raised[0]!.id, { ...raised[0]!.subject, detail: gone }]]);
      await ship();
      expect(await atCity()).toEqual([{ id: raised[0]!.id, subject: standing[0]!.subject, cleared: false }]);
      // The city's copy of the log keeps the words it was raised with, as the hall's does.
      const raising = await query<{ body: { subject: { detail: string } } }>("SELECT body FROM hall_events WHERE hall = $1 AND type = 'alert.raised' AND body->>'id' = $2", ['H-05', raised[0]!.id]);
      expect(raising.map((r) => r.body.subject.detail)).toEqual([busy]);
      // Out of paper is another fault: that alert clears with its last words, and the new one has its own.
      run({ type: 'reportDevices', devices: [{ kind: 'printer', name: 'ticket-printer', status: 'fault', code: 'paper-end', detail: '打印机缺纸：请装纸' }] }, kiosk);
      run({ type: 'reviewAlerts', terminals: [], overdue: [] }, hub);
      await ship();
      expect((await atCity()).map((a) => [a.subject.fault, a.subject.detail, a.cleared])).toEqual([
        ['offline', gone, true],
        ['paper-end', '打印机缺纸：请装纸', false],
      ]);
    });
  }, 60_000);

  it("keeps a failover's alerts as the hall's log has them up to the branch: one raised again in the parted tail stands, words and acknowledgement as they were", async () => {
    const primary = fs.mkdtempSync(path.join(os.tmpdir(), 'servicehall-ship-alerts-primary-'));
    const standby = fs.mkdtempSync(path.join(os.tmpdir(), 'servicehall-ship-alerts-standby-'));
    try {
      generateHistory({ dataDir: primary, days: 1, ticketsPerDay: 10, lastDay: '2026-11-27' });
      const busy = '串口 /dev/ttyUSB0 已被其他程序占用：请关闭占用它的程序（fuser /dev/ttyUSB0 可查看）';
      const gone = '串口 /dev/ttyUSB0 不存在：请检查设备是否插好、通电';
      const offline = (detail: string) => ({ kind: 'printer' as const, name: 'ticket-printer', status: 'fault' as const, code: 'offline', detail });
      const working = { kind: 'printer' as const, name: 'ticket-printer', status: 'ok' as const };
      const hub = { role: 'admin' as const, terminal: 'hub' };
      // The hall's own store on a folder; its clock stands still, as a hub's may for the commands of one millisecond.
      let n = 0;
      const inHall = <T,>(dir: string, work: (run: (command: CommandBody, actor: Actor) => void, store: HallStore) => T): T => {
        const db = openDatabase(dir);
        const store = new HallStore(db, () => Date.parse('2026-11-30T09:00:00+08:00'), hallKeyOf(dir));
        const run = (command: CommandBody, actor: Actor) => {
          const { answer } = store.execute({ id: `alerts-${n++}`, ...command }, actor);
          expect(answer.ok ? 'ok' : `${answer.code}: ${answer.message}`).toBe('ok');
        };
        try {
          return work(run, store);
        } finally {
          store.writeFacts();
          db.close();
        }
      };
      const kiosk = (n: number) => ({ role: 'kiosk' as const, terminal: `kiosk-${n}` });
      // The hall's device alerts standing, as its console has them.
      const faults = (store: HallStore) =>
        activeAlerts(store.view).flatMap((a) => (a.subject.kind === 'device-fault' ? [{ id: a.id, terminal: a.subject.terminal, detail: a.subject.detail, acknowledged: !!a.acknowledged }] : []));
      // Before the branch: kiosk 1's printer held by another program; kiosk 2's as well, and acknowledged.
      const [one, two] = inHall(primary, (run, store) => {
        run({ type: 'reportDevices', devices: [offline(busy)] }, kiosk(1));
        run({ type: 'reportDevices', devices: [offline(busy)] }, kiosk(2));
        run({ type: 'reviewAlerts', terminals: [], overdue: [] }, hub);
        const raised = faults(store).sort((a, b) => a.terminal.localeCompare(b.terminal));
        run({ type: 'acknowledgeAlert', alertId: raised[1]!.id }, hub);
        return raised;
      });
      for (const f of fs.readdirSync(primary)) fs.copyFileSync(path.join(primary, f), path.join(standby, f));
      // The old primary's tail: kiosk 1's port gone (its words change) and acknowledged; kiosk 2's printer back, then offline again in the same millisecond (the same alert raised again).
      inHall(primary, (run, store) => {
        run({ type: 'reportDevices', devices: [offline(gone)] }, kiosk(1));
        run({ type: 'acknowledgeAlert', alertId: one!.id }, hub);
        run({ type: 'reportDevices', devices: [working] }, kiosk(2));
        run({ type: 'reviewAlerts', terminals: [], overdue: [] }, hub);
        run({ type: 'reportDevices', devices: [offline(gone)] }, kiosk(2));
        run({ type: 'reviewAlerts', terminals: [], overdue: [] }, hub);
        expect(faults(store).map((a) => [a.id, a.detail])).toEqual([
          [one!.id, gone],
          [two!.id, gone],
        ]);
      });
      const ship = (dir: string, parted: PartedTail[] = []) => shipOnce(dir, 'H-06', parted);
      const atCity = async () =>
        await query<{ id: string; detail: string; acknowledged: boolean; cleared: boolean }>(
          "SELECT id, subject->>'detail' AS detail, acknowledged, cleared FROM hall_alerts WHERE hall = $1 AND kind = 'device-fault' ORDER BY id",
          ['H-06'],
        );
      await ship(primary);
      expect(await atCity()).toEqual([
        { id: one!.id, detail: gone, acknowledged: true, cleared: false },
        { id: two!.id, detail: gone, acknowledged: false, cleared: false },
      ].sort((a, b) => a.id.localeCompare(b.id)));

      // The standby takes charge with the log as it stood at the branch.
      const db = openDatabase(standby);
      branchLineage(db);
      db.close();
      const parted: PartedTail[] = [];
      expect(await ship(standby, parted)).toMatchObject({ state: 'caught-up' });
      expect(parted).toHaveLength(1);
      const inStandby = inHall(standby, (_, store) => faults(store).map((a) => ({ id: a.id, detail: a.detail, acknowledged: a.acknowledged, cleared: false })));
      expect(inStandby).toEqual(
        [
          { id: one!.id, detail: busy, acknowledged: false, cleared: false },
          { id: two!.id, detail: busy, acknowledged: true, cleared: false },
        ].sort((a, b) => a.id.localeCompare(b.id)),
      );
      // Before, kiosk 2's alert was gone from the city (its latest raising was in the tail), and kiosk 1's kept the tail's words.
      expect(await atCity()).toEqual(inStandby.sort((a, b) => a.id.localeCompare(b.id)));
    } finally {
      fs.rmSync(primary, { recursive: true, force: true });
      fs.rmSync(standby, { recursive: true, force: true });
    }
  }, 90_000);

  it("gives the city the hall's terminals as its hub lists them, and a shipper the hub has not told yet leaves the city's list as it is", async () => {
    await inSmallHall('terminals', async ({ dir: hallDir, db, store }) => {
      const credentials = new TerminalCredentials(db);
      const hallToken = new HallTokenTerminals(db);
      const kiosk2 = credentials.issue({ role: 'kiosk', terminal: 'kiosk-2' }, 'admin', Date.now()).credential;
      credentials.issue({ role: 'rating-pad', terminal: 'pad-3', window: 3 }, 'admin', Date.now());
      // kiosk-1 is linked with the hall token (an older installation: no credential, no devices reported): only the hub knows it.
      const linked = [{ terminal: 'kiosk-1', role: 'kiosk', since: Date.now() }];
      // The hub's list, as its console's board shows it (what the hub says to its shipper).
      const hubList = () => cityTerminals(store.view, terminalPresence(credentials, linked, Date.now(), hallToken));
      let n = 0;
      const event = () => {
        const seq = store.seq;
        // Each a report that differs from the one before: an unchanged one is no event.
        const devices = n % 2 === 0 ? [] : [{ kind: 'printer' as const, name: 'ticket-printer', status: 'ok' as const }];
        expect(store.execute({ id: `terminals-${n++}`, type: 'reportDevices', devices }, { role: 'window', terminal: 'window-9', window: 9 }).answer.ok).toBe(true);
        expect(store.seq).toBeGreaterThan(seq);
      };
      const options = { databaseFile: path.join(hallDir, 'hall.db'), url: city.url, hall: 'H-07', idleMs: 50, firstRetryMs: 50 };
      // One shipper throughout, as a hub runs it, told the hub's list at its start.
      const s = new Shipper({ ...options, terminals: hubList() }, () => undefined, cityHooks());
      const running = s.run();
      const ship = (shipper: Shipper) => until(() => shipper.status.state === 'caught-up' && shipper.status.shippedSeq === store.seq);
      const atCity = async () => (await query<{ terminals: NamedTerminal[] }>('SELECT terminals FROM halls WHERE hall = $1', ['H-07']))[0]!.terminals;
      const boardNames = () => [...hallTerminalNames(store.view, terminalPresence(credentials, linked, Date.now(), hallToken), 'zh-CN')].sort();
      await ship(s);
      expect(await atCity()).toEqual([
        { terminal: 'kiosk-1', role: 'kiosk' },
        { terminal: 'kiosk-2', role: 'kiosk' },
        { terminal: 'pad-3', role: 'rating-pad', window: 3 },
      ]);
      expect([...terminalNames(await atCity(), 'zh-CN')].sort()).toEqual(boardNames());
      expect(boardNames().map(([, name]) => name)).toEqual(['取号机 1', '取号机 2', '3号窗口评价器']);
      // A credential revoked and a terminal that reported its devices: the hub says its new list, the city follows with the next batch.
      credentials.revoke(kiosk2.id, 'admin', Date.now());
      event();
      s.terminals(hubList());
      await ship(s);
      expect(await atCity()).toEqual([
        { terminal: 'kiosk-1', role: 'kiosk' },
        { terminal: 'pad-3', role: 'rating-pad', window: 3 },
        { terminal: 'window-9', role: 'window', window: 9 },
      ]);
      expect([...terminalNames(await atCity(), 'zh-CN')].sort()).toEqual(boardNames());
      // Said while nothing waits to be shipped: the city follows without waiting for the hall's next event.
      const seq = store.seq;
      s.terminals([...hubList(), { terminal: 'display-1', role: 'display' }]);
      await expect.poll(async () => (await atCity()).map((t) => t.terminal), { timeout: 20_000, interval: 50 }).toEqual(['display-1', 'kiosk-1', 'pad-3', 'window-9']);
      expect(store.seq).toBe(seq);
      await s.stop();
      await running;
      // A shipper not told the list yet (a hub restarting, a bench) connects and ships: the city keeps the hub's last list.
      // Before, it rebuilt the list itself from the hall's tables, and kiosk-1 (known only to the hub) was gone from the city.
      const before = await atCity();
      const untold = new Shipper(options, () => undefined, cityHooks());
      const again = untold.run();
      event();
      await ship(untold);
      expect(await atCity()).toEqual(before);
      await untold.stop();
      await again;
    });
  }, 60_000);

  it("gives the city the hall's service items with their names, and follows the catalogue when the hall replaces it", async () => {
    await inSmallHall('items', async ({ dir: hallDir, store }) => {
      // One shipper throughout, as a hub runs it: the catalogue replaced meanwhile goes with the next batch.
      const s = new Shipper({ databaseFile: path.join(hallDir, 'hall.db'), url: city.url, hall: 'H-08', idleMs: 50, firstRetryMs: 50 }, () => undefined, cityHooks());
      const running = s.run();
      const ship = () => until(() => s.status.state === 'caught-up' && s.status.shippedSeq === store.seq);
      const atCity = async () => (await query<{ items: { code: string; name: string; nameEn?: string }[] }>('SELECT items FROM halls WHERE hall = $1', ['H-08']))[0]!.items;
      await ship();
      // Every item of the hall's catalogue, by its code, with the names its console shows.
      expect((await atCity()).map((i) => i.code)).toEqual(store.view.catalogue.items.map((i) => i.code));
      expect((await atCity()).find((i) => i.code === 'GA-SFZ-HL')).toEqual({ code: 'GA-SFZ-HL', name: '居民身份证换领', nameEn: 'Renewal of Resident Identity Card' });
      // The hall renames an item: with the batch that carries catalogue.replaced, the city follows.
      const catalogue = structuredClone(store.view.catalogue);
      catalogue.items.find((i) => i.code === 'GA-SFZ-HL')!.name = '居民身份证换领（到期换证）';
      catalogue.hall.name = '滨江区市民之家';
      expect(store.execute({ id: 'items-renamed', type: 'replaceCatalogue', catalogue }, { role: 'admin', terminal: 'console' }).answer.ok).toBe(true);
      await ship();
      expect((await atCity()).find((i) => i.code === 'GA-SFZ-HL')!.name).toBe('居民身份证换领（到期换证）');
      // And the hall's own name, which the city took at connect only before.
      expect((await query<{ name: string }>('SELECT name FROM halls WHERE hall = $1', ['H-08']))[0]!.name).toBe('滨江区市民之家');
      await s.stop();
      await running;
    });
  }, 60_000);

  it("ships a hall whose administrator wrote a NUL character into its catalogue, the character as U+FFFD", async () => {
    await inSmallHall('nul', async ({ dir: hallDir, store }) => {
      // The hall's catalogue is written by the hall's administrator, whom the city does not trust: a NUL (U+0000) in the
      // hall's and an item's name, which PostgreSQL's text and jsonb refuse ("invalid byte sequence for encoding UTF8: 0x00").
      const catalogue = structuredClone(store.view.catalogue);
      catalogue.hall.name = '滨江区\u0000市民之家';
      catalogue.items.find((i) => i.code === 'GA-SFZ-HL')!.name = '居民身份证\u0000换领';
      // And a department's, which the hall's facts are keyed by: a ticket of its item is counted under it.
      const department = catalogue.items.find((i) => i.code === 'GA-SFZ-HL')!.department;
      for (const d of catalogue.departments) if (d.name === department) d.name = `${department}\u0000`;
      for (const i of catalogue.items) if (i.department === department) i.department = `${department}\u0000`;
      for (const w of catalogue.windows) if (w.department === department) w.department = `${department}\u0000`;
      expect(store.execute({ id: 'nul-names', type: 'replaceCatalogue', catalogue }, { role: 'admin', terminal: 'console' }).answer).toMatchObject({ ok: true });
      expect(store.execute({ id: 'nul-ticket', type: 'issueTicket', serviceCode: 'GA-SFZ-HL', lane: 'ordinary' }, { role: 'kiosk', terminal: 'kiosk-1' }).answer).toMatchObject({ ok: true });
      store.writeFacts();
      // Before, the connect itself failed and every try after it: the hall's log never reached the city again.
      const reached = await shipOnce(hallDir, 'H-NUL');
      expect(reached).toMatchObject({ state: 'caught-up', shippedSeq: store.seq });
      const hall = (await query<{ name: string; items: { code: string; name: string }[] }>('SELECT name, items FROM halls WHERE hall = $1', ['H-NUL']))[0]!;
      expect(hall.name).toBe('滨江区\uFFFD市民之家');
      expect(hall.items.find((i) => i.code === 'GA-SFZ-HL')!.name).toBe('居民身份证\uFFFD换领');
      const event = await query<{ name: string }>("SELECT body->'catalogue'->'hall'->>'name' AS name FROM hall_events WHERE hall = $1 AND type = 'catalogue.replaced' ORDER BY seq DESC LIMIT 1", ['H-NUL']);
      expect(event[0]?.name).toBe('滨江区\uFFFD市民之家');
      const c = new pg.Client(city.url);
      await c.connect();
      const report = await cityReport(c, 'H-NUL', { breakdown: 'department', from: '2026-11-30', to: '2026-11-30' }).finally(() => c.end());
      expect(report.rows.find((r) => r.key.department === `${department}\uFFFD`)?.issued).toBe(1);
    });
  }, 60_000);

  it("keeps the facts of two halls whose codes differ only in punctuation or case apart, each hall's report its own", async () => {
    const spec = { breakdown: 'day', from: '2026-11-01', to: '2026-11-30' } as const;
    const issued = async (hall: string) => {
      const c = new pg.Client(city.url);
      await c.connect();
      return (await cityReport(c, hall, spec).finally(() => c.end())).total.issued;
    };
    for (const [a, b] of [
      ['330106-01', '330106.01'],
      ['HALL-A', 'hall_a'],
    ] as const) {
      expect(hallSchema(a)).not.toBe(hallSchema(b));
      await inSmallHall('twin-a', async ({ dir: dirA, store: storeA }) => {
        await inSmallHall('twin-b', async ({ dir: dirB, store: storeB }) => {
          // Hall b issues three more than hall a, so that each report tells whose tickets it counts.
          for (let i = 0; i < 3; i++) expect(storeB.execute({ id: `more-${i}`, type: 'issueTicket', serviceCode: 'GA-SFZ-HL', lane: 'ordinary' }, { role: 'kiosk', terminal: 'kiosk-1' }).answer).toMatchObject({ ok: true });
          storeA.writeFacts();
          storeB.writeFacts();
          const ownA = hallOwnReports(path.join(dirA, 'hall.db'), [spec])[0]!.total.issued;
          const ownB = hallOwnReports(path.join(dirB, 'hall.db'), [spec])[0]!.total.issued;
          expect(ownB).toBe(ownA + 3);
          expect(await shipOnce(dirA, a)).toMatchObject({ state: 'caught-up' });
          expect(await shipOnce(dirB, b)).toMatchObject({ state: 'caught-up' });
          // Before, both wrote into hall_330106_01 (hall_hall_a): each hall's report counted the other's tickets too.
          expect(await issued(a)).toBe(ownA);
          expect(await issued(b)).toBe(ownB);
        });
      });
    }
  }, 60_000);

  it("moves a city's facts from the schemas named before migration 76: one hall's renamed, two halls' mixed ones made again from their logs", async () => {
    const spec = { breakdown: 'day', from: '2026-11-01', to: '2026-11-30' } as const;
    const oldName = (hall: string) => `hall_${hall.toLowerCase().replace(/[^a-z0-9_]/g, '_')}`;
    const report = async (hall: string) => {
      const c = new pg.Client(city.url);
      await c.connect();
      return cityReport(c, hall, spec).finally(() => c.end());
    };
    await inSmallHall('old-a', async ({ dir: dirA }) => {
      await inSmallHall('old-b', async ({ dir: dirB, store: storeB }) => {
        expect(storeB.execute({ id: 'more', type: 'issueTicket', serviceCode: 'GA-SFZ-HL', lane: 'ordinary' }, { role: 'kiosk', terminal: 'kiosk-1' }).answer).toMatchObject({ ok: true });
        storeB.writeFacts();
        const [ownA] = hallOwnReports(path.join(dirA, 'hall.db'), [spec]);
        const [ownB] = hallOwnReports(path.join(dirB, 'hall.db'), [spec]);
        // A city as it stood before: hall OLD-1 alone in its schema; OLD-2 and old.2 sharing one.
        expect(await shipOnce(dirA, 'OLD-1')).toMatchObject({ state: 'caught-up' });
        expect(await shipOnce(dirA, 'OLD-2')).toMatchObject({ state: 'caught-up' });
        expect(await shipOnce(dirB, 'old.2')).toMatchObject({ state: 'caught-up' });
        await query(`ALTER SCHEMA "${hallSchema('OLD-1')}" RENAME TO "${oldName('OLD-1')}"`);
        await query(`ALTER SCHEMA "${hallSchema('OLD-2')}" RENAME TO "${oldName('OLD-2')}"`);
        // old.2 wrote into OLD-2's schema then.
        await query(`DROP SCHEMA "${hallSchema('old.2')}" CASCADE`);
        await query('DELETE FROM city_migrations WHERE version = 76');
        await migrated();
        const schemas = (await query<{ nspname: string }>("SELECT nspname FROM pg_namespace WHERE nspname LIKE 'hall_old%'")).map((r) => r.nspname);
        expect(schemas).toEqual([hallSchema('OLD-1')]);
        // OLD-1's facts moved with it, not made again.
        expect(await report('OLD-1')).toEqual(ownA);
        // The mixed one is gone; each hub makes its hall's facts again from its own log at its next connect.
        expect(await shipOnce(dirA, 'OLD-2')).toMatchObject({ state: 'caught-up' });
        expect(await shipOnce(dirB, 'old.2')).toMatchObject({ state: 'caught-up' });
        expect(await report('OLD-2')).toEqual(ownA);
        expect(await report('old.2')).toEqual(ownB);
      });
    });
  }, 90_000);

  it("ships a rating whose words end in half an emoji (a lone UTF-16 surrogate), the half as U+FFFD", async () => {
    await inSmallHall('surrogate', async ({ dir: hallDir, store }) => {
      // A pad or phone that cut the citizen's words at a length in the middle of 😀 sends its first half alone; the
      // hall's log keeps it as the JSON escape \ud83d, which PostgreSQL's jsonb refuses ("Unicode low surrogate must
      // follow a high surrogate"), failing every batch that holds it.
      const admin = { role: 'admin', terminal: 'console' } as const;
      const run = (id: string, body: CommandBody, actor: Actor = admin) => expect(store.execute({ id, ...body } as never, actor).answer, id).toMatchObject({ ok: true });
      run('half-issue', { type: 'issueTicket', serviceCode: 'GA-SFZ-HL', lane: 'ordinary' });
      const window = store.view.catalogue.windows.find((w) => w.serves.includes('GA-SFZ-HL'))!.number;
      run('half-open', { type: 'openWindow', window });
      run('half-call', { type: 'callNext', window });
      run('half-start', { type: 'startService', window });
      run('half-finish', { type: 'finishService', window });
      const pad = { role: 'rating-pad', terminal: `pad-${window}`, window } as const;
      const ticketId = store.view.ratingRequests.keys().next().value!;
      run('half-rate', { type: 'rate', ticketId, level: 'satisfied', aspects: {}, reasons: [], channel: 'window-pad', text: '办得很快\ud83d' }, pad);
      // And the hall's name, written by its administrator the same way.
      const catalogue = structuredClone(store.view.catalogue);
      catalogue.hall.name = '滨江区市民之家\udc00';
      run('half-name', { type: 'replaceCatalogue', catalogue });
      store.writeFacts();
      // Before, the batch was halved down to the one event and failed for ever: the hall never reached the city again.
      const reached = await shipOnce(hallDir, 'H-HALF');
      expect(reached).toMatchObject({ state: 'caught-up', shippedSeq: store.seq });
      const rated = await query<{ text: string }>("SELECT body->'rating'->>'text' AS text FROM hall_events WHERE hall = $1 AND type = 'rating.recorded'", ['H-HALF']);
      expect(rated.map((r) => r.text)).toContain('办得很快\uFFFD');
      expect((await query<{ name: string }>('SELECT name FROM halls WHERE hall = $1', ['H-HALF']))[0]!.name).toBe('滨江区市民之家\uFFFD');
    });
  }, 60_000);

  it("leaves a hall's name, items and terminals at the city as they are when another hall's hub is set up with its code by mistake", async () => {
    await inSmallHall('twin-a', async ({ dir: first, store }) => {
      const catalogue = structuredClone(store.view.catalogue);
      catalogue.hall.name = '西湖区政务服务中心';
      expect(store.execute({ id: 'name-a', type: 'replaceCatalogue', catalogue }, { role: 'admin', terminal: 'console' }).answer).toMatchObject({ ok: true });
      store.writeFacts();
      expect(await shipOnce(first, 'H-TWIN')).toMatchObject({ state: 'caught-up' });
      const before = (await query('SELECT name, time_zone, items, terminals FROM halls WHERE hall = $1', ['H-TWIN']))[0];
      await inSmallHall('twin-b', async ({ dir: second, store: other }) => {
        // Another hall's hub, its installer having typed the first hall's code into SERVICEHALL_UPSTREAM_HALL.
        const theirs = structuredClone(other.view.catalogue);
        theirs.hall.name = '北山街道便民服务中心';
        theirs.hall.timeZone = 'Asia/Urumqi';
        theirs.items = theirs.items.map((i) => ({ ...i, name: `${i.name}（北山）` }));
        expect(other.execute({ id: 'name-b', type: 'replaceCatalogue', catalogue: theirs }, { role: 'admin', terminal: 'console' }).answer).toMatchObject({ ok: true });
        other.writeFacts();
        const s = new Shipper({ databaseFile: path.join(second, 'hall.db'), url: city.url, hall: 'H-TWIN', idleMs: 50, firstRetryMs: 50, terminals: [{ terminal: 'kiosk-9', role: 'kiosk' }] }, () => undefined, cityHooks());
        const run = s.run();
        await until(() => s.status.state === 'refused');
        await s.stop();
        await run;
        expect(s.status.message).toMatch(/another log/);
        // The hall's console says it as a hall code the city holds for another log, not as a city that cannot be reached.
        expect(s.status.refusal).toBe('another-log');
      });
      // Before, each try of the other hub (every minute) renamed the first hall at the city, its items and zone with it.
      expect((await query('SELECT name, time_zone, items, terminals FROM halls WHERE hall = $1', ['H-TWIN']))[0]).toEqual(before);
      expect(before).toMatchObject({ name: '西湖区政务服务中心', time_zone: 'Asia/Shanghai' });
    });
  }, 60_000);

  it("refuses the second of two hubs shipping one hall's log from copies of one data folder, rather than mix their events", async () => {
    await inSmallHall('copy', async ({ dir: original, db, store }) => {
      expect(await shipOnce(original, 'H-COPY')).toMatchObject({ state: 'caught-up', shippedSeq: store.seq });
      // The hall's data folder copied to a second PC (or a hub started on a copy of it): one log id, two hubs.
      const copy = fs.mkdtempSync(path.join(os.tmpdir(), 'servicehall-ship-copy-'));
      try {
        await db.backup(path.join(copy, 'hall.db'));
        fs.copyFileSync(path.join(original, 'hall.key'), path.join(copy, 'hall.key'));
        const copyDb = openDatabase(copy);
        const copyStore = new HallStore(copyDb, () => Date.parse('2026-11-30T09:05:00+08:00'), hallKeyOf(copy));
        const kiosk = { role: 'kiosk', terminal: 'kiosk-1' } as const;
        const from = store.seq;
        const other = store.view.catalogue.items.find((i) => i.code !== 'GA-SFZ-HL' && i.dailyQuota === undefined)!.code;
        // Each goes on with events of its own under the same numbers.
        expect(copyStore.execute({ id: 'on-the-copy', type: 'issueTicket', serviceCode: 'GA-SFZ-HL', lane: 'ordinary' }, kiosk).answer).toMatchObject({ ok: true });
        const copySeq = copyStore.seq;
        copyStore.writeFacts();
        copyDb.close();
        for (const n of [1, 2]) expect(store.execute({ id: `on-the-original-${n}`, type: 'issueTicket', serviceCode: other, lane: 'ordinary' }, kiosk).answer).toMatchObject({ ok: true });
        store.writeFacts();
        expect(await shipOnce(copy, 'H-COPY')).toMatchObject({ state: 'caught-up', shippedSeq: copySeq });
        // Before, the original took the city's cursor as its own and went on from it: the city's events up to copySeq
        // the copy's, those after it the original's, one hall's log made of two.
        const second = await shipOnce(original, 'H-COPY');
        expect(second.state).toBe('refused');
        expect(second.message).toMatch(/another hub/);
        expect(second.refusal).toBe('another-hub');
        const atCity = await query<{ seq: string; service: string }>("SELECT seq, body->'ticket'->>'serviceCode' AS service FROM hall_events WHERE hall = $1 AND seq > $2 AND type = 'ticket.issued' ORDER BY seq", ['H-COPY', from]);
        expect(atCity).toEqual([{ seq: String(copySeq), service: 'GA-SFZ-HL' }]);
        expect((await query<{ hi: string }>('SELECT max(seq) AS hi FROM hall_events WHERE hall = $1', ['H-COPY']))[0]!.hi).toBe(String(copySeq));
      } finally {
        fs.rmSync(copy, { recursive: true, force: true });
      }
    });
  }, 60_000);

  it("tells the city it is there while the hall is quiet, and finds the city gone without waiting for an event", async () => {
    await inSmallHall('seen', async ({ dir: hallDir }) => {
      const s = new Shipper({ databaseFile: path.join(hallDir, 'hall.db'), url: city.url, hall: 'H-SEEN', idleMs: 50, firstRetryMs: 50, maxRetryMs: 200, seenEveryMs: 200 }, () => undefined, cityHooks());
      const running = s.run();
      try {
        await until(() => s.status.state === 'caught-up');
        const seenAt = async () => (await query<{ at: Date | null }>('SELECT hall_seen_at AS at FROM halls WHERE hall = $1', ['H-SEEN']))[0]!.at?.getTime() ?? 0;
        const first = await seenAt();
        // No event meanwhile: before, the city heard of the hall only with a batch, and showed a hall whose hub had
        // been gone for hours as 已同步.
        await expect.poll(seenAt, { timeout: 10_000 }).toBeGreaterThan(first);
        // The city goes away while the hall is quiet: before, the hub's console said 已同步 until the next event.
        city.stop();
        try {
          await until(() => s.status.state === 'offline');
        } finally {
          city.start();
        }
        await until(() => s.status.state === 'caught-up');
      } finally {
        await s.stop();
        await running;
      }
    });
  }, 60_000);

  it("tells the city how far its clock is from the city database's, with each batch and each word while quiet", async () => {
    await inSmallHall('clock', async ({ dir: hallDir, store }) => {
      // A hub PC whose clock runs an hour slow (a dead CMOS battery, time sync off).
      const s = new Shipper({ databaseFile: path.join(hallDir, 'hall.db'), url: city.url, hall: 'H-CLOCK', idleMs: 50, firstRetryMs: 50, maxRetryMs: 200, seenEveryMs: 200, hubClockAheadMs: -3_600_000 }, () => undefined, cityHooks());
      const running = s.run();
      const ahead = async () => Number((await query<{ ms: string | null }>('SELECT hall_clock_ahead_ms AS ms FROM halls WHERE hall = $1', ['H-CLOCK']))[0]?.ms ?? NaN);
      try {
        await until(() => s.status.state === 'caught-up' && s.status.shippedSeq === store.seq);
        // Before, the city had no way to tell: the hall's "today" was an hour off and nobody saw why.
        expect(Math.abs((await ahead()) + 3_600_000)).toBeLessThan(5_000);
        // And the hub itself is told (its console says so).
        expect(Math.abs(s.status.clockAheadMs! + 3_600_000)).toBeLessThan(5_000);
        // Said again with its word while the hall is quiet (put right meanwhile, it would be seen within a minute).
        await query('UPDATE halls SET hall_clock_ahead_ms = NULL WHERE hall = $1', ['H-CLOCK']);
        await expect.poll(ahead, { timeout: 10_000 }).toBeLessThan(-3_595_000);
      } finally {
        await s.stop();
        await running;
      }
    });
  }, 60_000);

  it("makes its batches whole again after a few go through, not one failure's half for the rest of a backlog", async () => {
    // The city refuses the first batch once (a link that dropped, a statement cancelled), then takes all: a sequence's
    // numbers are not rolled back with the batch, so only the first event ever inserted is refused.
    await migrated();
    await query('CREATE SEQUENCE grow_tries');
    await query(`CREATE FUNCTION grow_once() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
      IF NEW.hall = 'H-GROW' AND nextval('grow_tries') = 1 THEN RAISE EXCEPTION 'refused once'; END IF;
      RETURN NEW; END $$`);
    await query('CREATE TRIGGER grow_once BEFORE INSERT ON hall_events FOR EACH ROW EXECUTE FUNCTION grow_once()');
    try {
      const s = new Shipper({ databaseFile: file, url: city.url, hall: 'H-GROW', batchEvents: 100, idleMs: 50, firstRetryMs: 50 }, () => undefined, cityHooks());
      const run = s.run();
      await until(() => s.status.state === 'caught-up');
      await s.stop();
      await run;
      const reached = s.status;
      expect(reached.shippedSeq).toBe(lastSeq);
      // Each batch one transaction, each transaction one received_at: after 8 of 50 events, the batches are of 100
      // again. Before, every batch of the backlog was of 50.
      const transactions = Number((await query<{ n: string }>('SELECT count(DISTINCT received_at) AS n FROM hall_events WHERE hall = $1', ['H-GROW']))[0]!.n);
      expect(transactions).toBeLessThan(Math.ceil(lastSeq / 50));
      expect(transactions).toBeGreaterThanOrEqual(Math.ceil(lastSeq / 100));
    } finally {
      await query('DROP TRIGGER grow_once ON hall_events');
      await query('DROP FUNCTION grow_once()');
      await query('DROP SEQUENCE grow_tries');
    }
  }, 60_000);

  it("says it is shipping, not caught up, while a batch waits on the city", async () => {
    await inSmallHall('waiting', async ({ dir: hallDir, store }) => {
      const s = new Shipper({ databaseFile: path.join(hallDir, 'hall.db'), url: city.url, hall: 'H-WAIT', idleMs: 50, firstRetryMs: 50 }, () => undefined, cityHooks());
      const running = s.run();
      const holder = new pg.Client(city.url);
      await holder.connect();
      try {
        await until(() => s.status.state === 'caught-up');
        // The city holds the hall's row (a link that swallows the batch, a database that does not answer, look the same).
        await holder.query('BEGIN');
        await holder.query("SELECT 1 FROM halls WHERE hall = 'H-WAIT' FOR UPDATE");
        expect(store.execute({ id: 'waiting-ticket', type: 'issueTicket', serviceCode: 'GA-SFZ-HL', lane: 'ordinary' }, { role: 'kiosk', terminal: 'kiosk-1' }).answer).toMatchObject({ ok: true });
        // Before, the status (and the hub's console: 已同步) stayed caught-up for as long as the batch waited.
        await until(() => s.status.state === 'shipping' && s.status.behindEvents > 0, 10_000);
        await holder.query('ROLLBACK');
        await until(() => s.status.state === 'caught-up' && s.status.shippedSeq === store.seq);
      } finally {
        await holder.end();
        await s.stop();
        await running;
      }
    });
  }, 60_000);

  it("goes on after the link to the city was cut mid-transaction without a word to the city's server, which kept its lock on the hall", async () => {
    await inSmallHall('cut', async ({ dir: hallDir, store }) => {
      // A link of our own to the city that, at the first batch's insert, stops carrying anything either way and never
      // tells the city's server that the hub gave up (a partition: the server's backend waits on in its transaction,
      // holding the hall's row, until TCP keepalive finds it gone, two hours on Linux by default).
      const cut = new Set<net.Socket>();
      let cutOnce = false;
      const link = net.createServer((hub) => {
        const server = net.connect(city.port, '127.0.0.1');
        const dead = () => cut.has(hub);
        hub.on('data', (d) => {
          if (!cutOnce && d.includes('INSERT INTO hall_events')) {
            cutOnce = true;
            cut.add(hub);
          }
          if (!dead()) server.write(d);
        });
        server.on('data', (d) => !dead() && hub.write(d));
        hub.on('close', () => !dead() && server.destroy());
        server.on('close', () => !dead() && hub.destroy());
        hub.on('error', () => undefined);
        server.on('error', () => undefined);
      });
      await new Promise<void>((r) => link.listen(0, '127.0.0.1', r));
      const url = city.url.replace(`:${city.port}/`, `:${(link.address() as net.AddressInfo).port}/`);
      const s = new Shipper({ databaseFile: path.join(hallDir, 'hall.db'), url, hall: 'H-CUT', idleMs: 50, firstRetryMs: 50, maxRetryMs: 200, queryTimeoutMs: 1_000 }, () => undefined, cityHooks());
      const running = s.run();
      try {
        // Before, every connect after the cut waited on the hall's row behind the dead transaction and timed out, for hours.
        await until(() => s.status.state === 'caught-up' && s.status.shippedSeq === store.seq, 20_000);
        expect(cutOnce).toBe(true);
        expect((await query<{ n: string }>('SELECT count(*) AS n FROM hall_events WHERE hall = $1', ['H-CUT']))[0]!.n).toBe(String(store.seq));
      } finally {
        await s.stop();
        await running;
        for (const c of cut) c.destroy();
        link.close();
      }
    });
  }, 60_000);

  /** What the shipper's connections are asked after a statement of theirs timed out (pg.Client's query, watched). */
  const askedAfterTimeout = () => {
    const timedOut = new WeakSet<object>();
    const afterTimeout: string[] = [];
    const realQuery = pg.Client.prototype.query;
    const spy = vi.spyOn(pg.Client.prototype, 'query').mockImplementation(function (this: pg.Client, ...args: unknown[]) {
      if (timedOut.has(this)) afterTimeout.push(String(typeof args[0] === 'string' ? args[0] : (args[0] as { text?: string }).text));
      const result = (realQuery as (...a: unknown[]) => unknown).apply(this, args);
      if (result instanceof Promise) result.catch((e: Error) => e.message === 'Query read timeout' && timedOut.add(this));
      return result as never;
    });
    return { afterTimeout, spy };
  };

  /**
   * A shipper (of hall `hall`, statements timing out after 500 ms) whose statements wait on a lock that `lock` takes in
   * another session: it gives each connection up at once, with nothing sent after the timeout (a ROLLBACK would wait
   * behind the hung statement, up to its own query_timeout), twice, and catches up with `store` once the lock is let go.
   */
  const givesUpAtOnce = async (hallDir: string, store: HallStore, hall: string, lock: (holder: pg.Client, s: Shipper, start: () => void) => Promise<void>) => {
    const seen: UpstreamStatus[] = [];
    const holder = new pg.Client(city.url);
    await holder.connect();
    const { afterTimeout, spy } = askedAfterTimeout();
    const s = new Shipper({ databaseFile: path.join(hallDir, 'hall.db'), url: city.url, hall, idleMs: 50, firstRetryMs: 50, maxRetryMs: 200, queryTimeoutMs: 500 }, (x) => seen.push({ ...x }), cityHooks());
    let running: Promise<void> | undefined;
    try {
      // The shipper starts once the lock is taken, unless `lock` starts it before (start).
      await lock(holder, s, () => (running ??= s.run()));
      running ??= s.run();
      await until(() => seen.filter((x) => x.state === 'offline' && x.message === 'Query read timeout').length >= 2, 15_000);
      expect(afterTimeout).toEqual([]);
      await holder.query('ROLLBACK');
      await until(() => s.status.state === 'caught-up' && s.status.shippedSeq === store.seq, 20_000);
    } finally {
      spy.mockRestore();
      await holder.end();
      await s.stop();
      await running;
    }
  };

  it("gives up a connection whose statement went unanswered at once, rather than wait behind it to roll back, and goes on when the city answers", async () => {
    await inSmallHall('hung', ({ dir: hallDir, store }) =>
      givesUpAtOnce(hallDir, store, 'H-HUNG', async (holder, s, start) => {
        start();
        await until(() => s.status.state === 'caught-up');
        // The batch's statement waits on a lock another session holds (a link that swallows it looks the same to the hub).
        // Before, the ROLLBACK after the timeout waited behind it: the shipper stood, neither offline nor trying again,
        // for as long as the lock was held (until its own query_timeout, 60 s more, each time).
        await holder.query('BEGIN');
        await holder.query("SELECT 1 FROM halls WHERE hall = 'H-HUNG' FOR UPDATE");
        expect(store.execute({ id: 'hung-ticket', type: 'issueTicket', serviceCode: 'GA-SFZ-HL', lane: 'ordinary' }, { role: 'kiosk', terminal: 'kiosk-1' }).answer).toMatchObject({ ok: true });
        s.wake();
      }),
    );
  }, 60_000);

  it('gives up its connection at once when a statement at connect goes unanswered (the city migrating, a lock held), not after a ROLLBACK waited behind it', async () => {
    await inSmallHall('migrating', ({ dir: hallDir, store }) =>
      givesUpAtOnce(hallDir, store, 'H-MIGRATING', async (holder) => {
        // Another hub (or an operator's migration) holds the city's migration lock: this hub's migrateCity waits on it.
        // Before, its ROLLBACK went after the statement still waiting on the lock, and waited behind it.
        await holder.query('BEGIN');
        await holder.query('SELECT pg_advisory_xact_lock(7017017)');
      }),
    );
  }, 60_000);

  it("rests between batches while the hall is busy, leaving it nine tenths of the time, and ships at full pace when it is quiet", async () => {
    const shipWith = async (hall: string, busy: boolean) => {
      const s = new Shipper({ databaseFile: file, url: city.url, hall, batchEvents: 97, idleMs: 50, firstRetryMs: 50 }, () => undefined, cityHooks());
      if (busy) s.hallBusy(Date.now() + 60_000);
      const run = s.run();
      await until(() => s.status.state === 'caught-up' && s.status.shippedSeq === lastSeq, 60_000);
      const reached = { ...s.status };
      await s.stop();
      await run;
      return reached;
    };
    const busy = await shipWith('H-03', true);
    const quiet = await shipWith('H-04', false);
    // Busy: after each batch a rest nine times as long as the batch took.
    expect(busy.restedMs).toBeGreaterThan(0);
    expect(quiet.restedMs).toBeUndefined();
    for (const hall of ['H-03', 'H-04'])
      expect((await query<{ n: string }>('SELECT count(DISTINCT seq) AS n FROM hall_events WHERE hall = $1', [hall]))[0]!.n).toBe(String(lastSeq));
  }, 90_000);

  it('refuses a log that is not the one it shipped, and says why', async () => {
    const other = fs.mkdtempSync(path.join(os.tmpdir(), 'servicehall-ship-other-'));
    try {
      generateHistory({ dataDir: other, days: 1, ticketsPerDay: 20, lastDay: '2026-11-27' });
      const s = new Shipper({ databaseFile: path.join(other, 'hall.db'), url: city.url, hall: 'H-01', idleMs: 50, firstRetryMs: 50 });
      const run = s.run();
      await until(() => s.status.state === 'refused');
      expect(s.status.message).toMatch(/another log|not the database/);
      await s.stop();
      await run;
      expect((await query<{ n: string }>('SELECT count(*) AS n FROM hall_events WHERE hall = $1', ['H-01']))[0]!.n).toBe(String(lastSeq));
    } finally {
      fs.rmSync(other, { recursive: true, force: true });
    }
  }, 60_000);

  it('ships a backlog through a city database that gives each statement less time than a whole batch takes, in smaller batches', async () => {
    // The city's DBA limits the halls' statements (ALTER ROLE ... SET statement_timeout) and the database is slow
    // (a trigger that takes 2 ms an event of this hall): a batch of 600 takes 1.2 s, over the limit, every time.
    await migrated();
    await query('CREATE ROLE hub_limited LOGIN SUPERUSER');
    await query("ALTER ROLE hub_limited SET statement_timeout = '400ms'");
    await query(`CREATE FUNCTION slow_hall() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN IF NEW.hall = 'H-SLOW' THEN PERFORM pg_sleep(0.002); END IF; RETURN NEW; END $$`);
    await query('CREATE TRIGGER slow_hall BEFORE INSERT ON hall_events FOR EACH ROW EXECUTE FUNCTION slow_hall()');
    try {
      const seen: UpstreamStatus[] = [];
      const url = city.url.replace('postgres@', 'hub_limited@');
      const s = new Shipper({ databaseFile: file, url, hall: 'H-SLOW', batchEvents: 600, idleMs: 50, firstRetryMs: 50, maxRetryMs: 200 }, (x) => seen.push(x), cityHooks());
      const run = s.run();
      // Before, the same batch of 600 was sent again and again, cancelled each time: the hall never caught up.
      await until(() => s.status.state === 'caught-up', 25_000);
      await s.stop();
      await run;
      expect(seen.some((x) => x.state === 'offline' && /statement timeout/.test(x.message ?? ''))).toBe(true);
      const rows = await query<{ n: string; distinct: string; hi: string }>('SELECT count(*) AS n, count(DISTINCT seq) AS distinct, max(seq) AS hi FROM hall_events WHERE hall = $1', ['H-SLOW']);
      expect(rows[0]).toEqual({ n: String(lastSeq), distinct: String(lastSeq), hi: String(lastSeq) });
    } finally {
      await query('DROP TRIGGER slow_hall ON hall_events');
      await query('DROP FUNCTION slow_hall()');
    }
  }, 30_000);
});
