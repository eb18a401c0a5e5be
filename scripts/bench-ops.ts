import { addCalendarDays, type Actor, type Catalogue, type Command, type CommandBody } from '@servicehall/core';
import { demoCatalogue } from '@servicehall/fixtures';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { inspectBackup, takeBackup } from '../packages/hub/src/backup';
import { openDatabase } from '../packages/hub/src/db';
import { KEY_FILE } from '../packages/hub/src/files';
import { DATABASE_FILE, RUNNING_MARKER } from '../packages/hub/src/integrity';
import { createLogger, useLogger } from '../packages/hub/src/log';
import { restoreBackup } from '../packages/hub/src/restore';
import { startHub } from '../packages/hub/src/server';
import { HallStore } from '../packages/hub/src/store';
import { hallKeyOf, issueTickets } from '../packages/hub/src/testing/hall-db';

/**
 * Operations on a hall with history: backup time and size, restore, and the hub's start (the
 * database check and loading today's view). `--data DIR` (or BENCH_HALL_DATA) measures a hall
 * folder made elsewhere, such as a year from the history generator; without it a shorter history
 * is written here through the hub's own store (BENCH_DAYS working days of BENCH_TICKETS tickets,
 * each called, served, given its outcome and rated).
 */
/** The hall token of the benches' hubs (a hub refuses one shorter than 16 characters). */
const BENCH_TOKEN = 'bench-token-of-the-hall-ops';
const WINDOWS = 20;

function historyCatalogue(): Catalogue {
  const c = demoCatalogue({ allDay: true });
  for (const item of c.items) delete item.dailyQuota;
  c.numbering = { digits: 4, first: 1, last: 9_999 };
  const codes = c.items.map((i) => i.code);
  c.windows = Array.from({ length: WINDOWS }, (_, i) => ({ number: i + 1, name: `${i + 1}号窗口`, serves: codes.filter((_, j) => j % WINDOWS === i || (j + 7) % WINDOWS === i) }));
  return c;
}

let seq = 0;
const command = (body: CommandBody): Command => ({ ...body, id: `bench-${(++seq).toString(36).padStart(8, '0')}` }) as Command;
const ADMIN: Actor = { role: 'admin', terminal: 'bench' };
const windowActor = (w: number): Actor => ({ role: 'window', terminal: `window-${w}`, window: w });
const padActor = (w: number): Actor => ({ role: 'rating-pad', terminal: `pad-${w}`, window: w });
const LEVELS = ['very-satisfied', 'very-satisfied', 'satisfied', 'satisfied', 'basically-satisfied', 'dissatisfied'] as const;

/** Working days (Monday to Friday) from `first`. */
function weekdays(first: string, count: number): string[] {
  const out: string[] = [];
  for (let day = first; out.length < count; day = addCalendarDays(day, 1)) {
    const weekday = new Date(`${day}T00:00:00Z`).getUTCDay();
    if (weekday !== 0 && weekday !== 6) out.push(day);
  }
  return out;
}

/** A history written through HallStore with an injected clock: every ticket issued, called, served, decided and rated. */
export function writeHistory(dataDir: string, days: number, ticketsPerDay: number): { tickets: number; commands: number; seq: number; ms: number } {
  const started = performance.now();
  const dates = weekdays('2026-03-02', days);
  let now = Date.parse(`${dates[0]}T08:30:00+08:00`);
  const db = openDatabase(dataDir);
  HallStore.seed(db, historyCatalogue(), now);
  const store = new HallStore(db, () => now, hallKeyOf(dataDir));
  let tickets = 0;
  let commands = 0;
  const run = (batch: { command: Command; actor: Actor }[]) => {
    commands += batch.length;
    return store.executeBatch(batch);
  };
  for (const day of dates) {
    now = Date.parse(`${day}T08:30:00+08:00`);
    run(Array.from({ length: WINDOWS }, (_, i) => ({ command: command({ type: 'openWindow', window: i + 1, clerk: store.view.catalogue.clerks[i % store.view.catalogue.clerks.length]!.number }), actor: ADMIN })));
    for (let issued = 0; issued < ticketsPerDay; issued += 250) {
      now += 250 * 1_000;
      tickets += issueTickets(store, Math.min(250, ticketsPerDay - issued)).length;
    }
    commands += ticketsPerDay;
    for (let round = 0; ; round++) {
      now += 5 * 60_000;
      const called = run(Array.from({ length: WINDOWS }, (_, i) => ({ command: command({ type: 'callNext', window: i + 1 }), actor: windowActor(i + 1) })));
      const serving = called.flatMap((r, i) => (r.answer.ok && r.answer.ticket ? [{ window: i + 1, ticket: r.answer.ticket }] : []));
      if (serving.length === 0) break;
      run(
        serving.flatMap(({ window, ticket }, k) => {
          const n = round * WINDOWS + k;
          const outcome: CommandBody =
            n % 7 === 3
              ? { type: 'recordOutcome', window, serviceCode: ticket.serviceCode, outcome: 'correction', materials: ['m1'] }
              : { type: 'recordOutcome', window, serviceCode: ticket.serviceCode, outcome: 'accepted', ...(n % 5 === 0 ? { applicant: { name: '测试', idNumber: '330106198801011234' } } : {}) };
          return [
            { command: command({ type: 'startService', window }), actor: windowActor(window) },
            { command: command(outcome), actor: windowActor(window) },
            { command: command({ type: 'finishService', window }), actor: windowActor(window) },
            { command: command({ type: 'rate', window, level: LEVELS[n % LEVELS.length]!, aspects: {}, reasons: [], channel: 'window-pad' }), actor: padActor(window) },
          ];
        }),
      );
    }
  }
  // As the hub does when it stops: its reports' facts of the last events are in the tables.
  store.writeFacts();
  const result = { tickets, commands, seq: store.seq, ms: Math.round(performance.now() - started) };
  db.close();
  return result;
}

const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;
const sizeOf = (dir: string) => ['', '-wal'].reduce((n, ext) => n + (fs.existsSync(path.join(dir, DATABASE_FILE + ext)) ? fs.statSync(path.join(dir, DATABASE_FILE + ext)).size : 0), 0);

/** `given`: a hall folder, or a database file with the hall key it was sealed with (the bench's cached year). */
export async function runOpsBench(given: string | { file: string; keyFile: string; name: string } | undefined = process.env.BENCH_HALL_DATA || argument('--data')): Promise<void> {
  const quiet = useLogger(createLogger({ level: 'error' }));
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'servicehall-bench-ops-'));
  try {
    let data: string;
    let what: string;
    if (typeof given === 'object') {
      data = path.join(work, 'hall');
      fs.mkdirSync(data);
      fs.copyFileSync(given.file, path.join(data, DATABASE_FILE));
      fs.copyFileSync(given.keyFile, path.join(data, KEY_FILE));
      fs.chmodSync(path.join(data, KEY_FILE), 0o600);
      what = given.name;
    } else if (given) {
      data = path.join(work, 'hall');
      fs.mkdirSync(data);
      fs.copyFileSync(path.join(given, DATABASE_FILE), path.join(data, DATABASE_FILE));
      if (fs.existsSync(path.join(given, KEY_FILE))) fs.copyFileSync(path.join(given, KEY_FILE), path.join(data, KEY_FILE));
      what = `the hall in ${given}`;
    } else {
      data = path.join(work, 'hall');
      const days = Number(process.env.BENCH_DAYS ?? '20');
      const perDay = Number(process.env.BENCH_TICKETS ?? '1500');
      const made = writeHistory(data, days, perDay);
      what = `a history written here: ${days} working days × ${perDay} tickets = ${made.tickets.toLocaleString('en')} tickets, ${made.commands.toLocaleString('en')} commands, ${made.seq.toLocaleString('en')} events (written in ${(made.ms / 1000).toFixed(1)} s)`;
    }
    const dbBytes = sizeOf(data);
    console.log(`Operations on ${what}; database ${mb(dbBytes)}`);

    // Online backup while the hub runs and serves: the copy and its check run in a worker. The
    // hub's event loop is watched during the backup and, for comparison, as long without one.
    const hub = await startHub({ dataDir: data, token: BENCH_TOKEN, ratingSweepMs: 3_600_000 });
    const backups = path.join(work, 'backups');
    const underLoad = async <T>(during: () => Promise<T>) => {
      const loop = monitorEventLoopDelay({ resolution: 10 });
      loop.enable();
      let issued = 0;
      let serving = true;
      const load = (async () => {
        while (serving) {
          issued += issueTickets(hub.store, 5).length;
          await new Promise((r) => setTimeout(r, 5));
        }
      })();
      const result = await during();
      serving = false;
      await load;
      loop.disable();
      return { result, issued, maxPauseMs: loop.max / 1e6, p99PauseMs: loop.percentile(99) / 1e6 };
    };
    const during = await underLoad(() => takeBackup(path.join(data, DATABASE_FILE), backups));
    const backup = during.result;
    const without = await underLoad(() => new Promise((r) => setTimeout(r, backup.ms)));
    const verifyStarted = performance.now();
    await inspectBackup(backup.path);
    const verifyMs = performance.now() - verifyStarted;
    console.log(`  backup (SQLite backup API in a worker, then integrity_check and sha256 of the copy): ${(backup.ms / 1000).toFixed(2)} s, of which the check ${(verifyMs / 1000).toFixed(2)} s; ${mb(backup.bytes)} (${((backup.bytes / 1e6) / (backup.ms / 1000)).toFixed(0)} MB/s)`);
    console.log(
      `  meanwhile the hub issued ${during.issued} tickets; its event loop paused at most ${during.maxPauseMs.toFixed(0)} ms (p99 ${during.p99PauseMs.toFixed(0)} ms); as long without a backup: ${without.issued} tickets, at most ${without.maxPauseMs.toFixed(0)} ms (p99 ${without.p99PauseMs.toFixed(0)} ms)`,
    );
    await hub.close();

    // Start after a clean stop: quick_check, migrations (none to run), today's view.
    const starts: { total: number; check: number; load: number; kind: string }[] = [];
    for (let i = 0; i < 3; i++) {
      const t = performance.now();
      const h = await startHub({ dataDir: data, token: BENCH_TOKEN, ratingSweepMs: 3_600_000 });
      starts.push({ total: performance.now() - t, kind: h.startCheck.kind, check: h.startCheck.ms, load: (await h.operations.metrics.registry.getSingleMetric('servicehall_start_load_seconds')!.get()).values[0]!.value * 1000 });
      await h.close();
    }
    const best = starts.sort((a, b) => a.total - b.total)[0]!;
    console.log(`  hub start after a clean stop (goal under 2 s): ${(best.total / 1000).toFixed(2)} s (${best.kind === 'partial' ? `quick_check of the small tables (the whole ${mb(dbBytes)} is over the whole-check size, checked in the background)` : `quick_check of the whole ${mb(dbBytes)}`} ${(best.check / 1000).toFixed(2)} s, open and load ${(best.load / 1000 - best.check / 1000).toFixed(2)} s; best of 3)`);

    // As a database over the whole-check size starts: small tables first, the whole in the background.
    const bigStarted = performance.now();
    const big = await startHub({ dataDir: data, token: BENCH_TOKEN, ratingSweepMs: 3_600_000, wholeCheckUpToBytes: 0 });
    const bigStart = performance.now() - bigStarted;
    const problem = await big.backgroundCheck;
    const bigWhole = performance.now() - bigStarted;
    await big.close();
    console.log(
      `  the same, started as a database over the whole-check size: ${(bigStart / 1000).toFixed(2)} s (small tables ${(big.startCheck.ms / 1000).toFixed(2)} s); the whole quick_check in the background done ${(bigWhole / 1000).toFixed(2)} s after the start${problem ? ` (it found: ${problem})` : ''}`,
    );

    // Start after a crash: the running marker left behind asks for the whole integrity_check.
    fs.writeFileSync(path.join(data, RUNNING_MARKER), JSON.stringify({ pid: 0, startedAt: 'bench' }));
    const t = performance.now();
    const crashed = await startHub({ dataDir: data, token: BENCH_TOKEN, ratingSweepMs: 3_600_000 });
    const afterCrash = performance.now() - t;
    console.log(`  hub start after an unclean stop: ${(afterCrash / 1000).toFixed(2)} s (integrity_check ${(crashed.startCheck.ms / 1000).toFixed(2)} s)`);
    const scrapeStarted = performance.now();
    const scraped = await (await fetch(`${crashed.url}/metrics`)).text();
    console.log(`  /metrics: ${(performance.now() - scrapeStarted).toFixed(1)} ms, ${scraped.length.toLocaleString('en')} bytes`);
    await crashed.close();

    const restoreStarted = performance.now();
    await restoreBackup(backup.path, data);
    console.log(`  restore (check the backup, copy it in, keep the old one aside): ${((performance.now() - restoreStarted) / 1000).toFixed(2)} s`);
  } finally {
    quiet();
    fs.rmSync(work, { recursive: true, force: true });
  }
}

function argument(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) await runOpsBench();
