import type { CommandBody } from '@servicehall/core';
import { startTestPostgres, postgresMissing } from '@servicehall/upstream/testing';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { KEY_FILE } from '../packages/hub/src/files';
import { LOAD_TEST_LIMITS, spawnHub, type HubProcess } from '../packages/hub/src/testing/hub-process';
import { TestTerminal } from '../packages/hub/src/testing/terminal';
import { BENCH_WINDOWS, benchCatalogue } from './bench-catalogue';
import { stats } from './bench-hub';
import { cachedYear } from './year-cache';
import { SHIPPER_NICE } from '../packages/upstream/src/upstream';

/**
 * Shipping to the city: a busy hall's year (the report issue's generator, cached) shipped from
 * scratch to a fresh PostgreSQL by the hub's own worker, with its time and events per second; and
 * the hall's command latencies under a paced load while it ships, against the same load on the same
 * year without shipping. BENCH_UPSTREAM_MINUTES caps the shipping (0: until the year is all there).
 */
/** Each paced load's length: 20 s (about 2,500 commands of each kind, so that a p99 is some 25 of them, not a handful); BENCH_UPSTREAM_LOAD_SECONDS sets it. */
const SECONDS = Number(process.env.BENCH_UPSTREAM_LOAD_SECONDS ?? '20');
const MAX_MINUTES = Number(process.env.BENCH_UPSTREAM_MINUTES ?? '0');
const TOKEN = 'bench-token-of-the-hall';
const KIOSKS = 4;
/** The city's PostgreSQL runs on the city's server, not on the hall's PC; here it shares the hall's two cores, and gives way to the hub as the shipper's thread does. */
const CITY_NICE = SHIPPER_NICE;
const WINDOWS = Math.min(12, BENCH_WINDOWS);

interface Health {
  seq: number;
  upstream?: { state: string; shippedSeq: number; behindEvents: number };
}

const health = async (hub: HubProcess) => (await (await fetch(`${hub.url}/api/health`)).json()) as Health;

/** Kiosks and windows each pausing about 25 ms between commands: a hall's busy hour, not a flood. */
async function pacedLoad(hub: HubProcess): Promise<{ issue: number[]; call: number[] }> {
  const codes = benchCatalogue().items.map((i) => i.code);
  const kiosks = await Promise.all(Array.from({ length: KIOSKS }, (_, i) => TestTerminal.connect(hub.wsUrl, { role: 'kiosk', terminal: `kiosk-${i + 1}`, token: TOKEN }, false)));
  const windows = await Promise.all(Array.from({ length: WINDOWS }, (_, i) => TestTerminal.connect(hub.wsUrl, { role: 'window', terminal: `window-${i + 1}`, window: i + 1, token: TOKEN }, false)));
  for (let n = 1; n <= WINDOWS; n++)
    await fetch(`${hub.url}/api/windows/${n}/open`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json', 'idempotency-key': randomUUID() }, body: JSON.stringify({ clerk: String(3000 + n) }) });
  const issue: number[] = [];
  const call: number[] = [];
  const pause = () => new Promise((r) => setTimeout(r, 25 * (0.5 + Math.random())));
  const timed = async (t: TestTerminal, body: CommandBody, into?: number[]) => {
    await pause();
    const t0 = performance.now();
    const answer = await t.command(body, randomUUID());
    into?.push(performance.now() - t0);
    return answer;
  };
  const deadline = performance.now() + SECONDS * 1000;
  await Promise.all([
    ...kiosks.map(async (k, i) => {
      for (let n = i; performance.now() < deadline; n += KIOSKS) await timed(k, { type: 'issueTicket', serviceCode: codes[n % codes.length]!, lane: 'ordinary' }, issue);
    }),
    ...windows.map(async (w, i) => {
      while (performance.now() < deadline) {
        const called = await timed(w, { type: 'callNext', window: i + 1 }, call);
        if (!called.ok) continue;
        await timed(w, { type: 'startService', window: i + 1 });
        await timed(w, { type: 'finishService', window: i + 1 });
      }
    }),
  ]);
  for (const t of [...kiosks, ...windows]) t.close();
  return { issue, call };
}

const ms = (x: number) => `${x.toFixed(2)} ms`;
type Loads = Awaited<ReturnType<typeof pacedLoad>>[];
const row = (name: string, s: ReturnType<typeof stats>) => `${name.padEnd(34)} p50 ${ms(s.p50).padEnd(10)} p99 ${ms(s.p99).padEnd(10)} max ${ms(s.max).padEnd(10)} (${s.n} commands)`;

export async function runUpstreamBench(): Promise<void> {
  const missing = postgresMissing();
  if (missing) {
    console.log(`Shipping to the city: skipped (${missing})`);
    return;
  }
  const days = Number(process.env.BENCH_YEAR_DAYS ?? '250');
  const perDay = Number(process.env.BENCH_YEAR_TICKETS ?? '12000');
  const log = (line: string) => console.log(line);
  const year = await cachedYear({ days, ticketsPerDay: perDay, log });
  console.log(`Shipping to the city: a busy hall's year (${year.summary.tickets} tickets, ${year.summary.seq} events) to a fresh PostgreSQL 15, ${os.cpus().length} cores, load average ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}`);
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'servicehall-bench-upstream-'));
  const city = await startTestPostgres('city', { nice: CITY_NICE });
  try {
    // Each load on a fresh copy of the year: a later hub on the same copy ran slower than the first
    // (measured: a second load without shipping as slow as the one shipping; on an empty hub four
    // loads in a row do not slow down, so it is the year's copy, not the queue left). The loads go in
    // turns, without shipping and shipping.
    const dir = path.join(scratch, 'hall');
    fs.mkdirSync(dir);
    fs.copyFileSync(year.keyFile, path.join(dir, KEY_FILE));
    fs.chmodSync(path.join(dir, KEY_FILE), 0o600);
    const fresh = () => {
      for (const f of ['hall.db-wal', 'hall.db-shm']) fs.rmSync(path.join(dir, f), { force: true });
      fs.copyFileSync(year.file, path.join(dir, 'hall.db'));
    };
    const hubEnv = { SERVICEHALL_TOKEN: TOKEN, SERVICEHALL_LIMITS: LOAD_TEST_LIMITS };
    const start = async (hall?: string) => {
      const hub = await spawnHub(dir, hall ? { ...hubEnv, SERVICEHALL_UPSTREAM_URL: city.url, SERVICEHALL_UPSTREAM_HALL: hall } : hubEnv);
      const put = await fetch(`${hub.url}/api/catalogue`, { method: 'PUT', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json', 'idempotency-key': randomUUID() }, body: JSON.stringify(benchCatalogue()) });
      if (!put.ok) throw new Error(`the bench catalogue was refused: ${await put.text()}`);
      // Shipping: the load is taken once the shipper is under way (its worker started, connected, a
      // first batch at the city), as a hall's day runs beside it; its start is a hub's, once a day at most.
      for (let h = await health(hub); hall && !(h.upstream?.shippedSeq ?? 0); h = await health(hub)) await new Promise((r) => setTimeout(r, 200));
      return hub;
    };
    const alone: Loads = [];
    const shipping: Loads = [];
    for (const turn of ['alone', 'shipping', 'alone'] as const) {
      fresh();
      // The first shipping turn ships as another hall, so that the year's own shipment below starts from scratch.
      const hub = await start(turn === 'shipping' ? 'bench-hall-warm-up' : undefined);
      (turn === 'alone' ? alone : shipping).push(await pacedLoad(hub));
      await hub.kill();
    }
    // The last turn ships the year from scratch, and goes on until it is all at the city.
    fresh();
    const started = performance.now();
    const hub = await start('bench-hall');
    const before = await health(hub);
    shipping.push(await pacedLoad(hub));
    const during = await health(hub);
    let last = during;
    let lastLine = performance.now();
    const cap = MAX_MINUTES > 0 ? started + MAX_MINUTES * 60_000 : Infinity;
    while (!(last.upstream?.state === 'caught-up' && last.upstream.behindEvents === 0) && performance.now() < cap) {
      await new Promise((r) => setTimeout(r, 2000));
      last = await health(hub);
      if (performance.now() - lastLine > 60_000) {
        lastLine = performance.now();
        log(`  shipped ${last.upstream?.shippedSeq} of ${last.seq} events after ${((performance.now() - started) / 60_000).toFixed(1)} min`);
      }
    }
    const seconds = (performance.now() - started) / 1000;
    const shipped = last.upstream?.shippedSeq ?? 0;
    await hub.kill();
    const done = shipped >= last.seq;
    const rate = shipped / seconds;
    console.log(
      `  ${done ? 'the whole year shipped' : `stopped after ${MAX_MINUTES} min (BENCH_UPSTREAM_MINUTES)`}: ${shipped} of ${last.seq} events in ${seconds.toFixed(0)} s, ${rate.toFixed(0)} events/s` +
        (done ? '' : `; the whole year at this rate: about ${(last.seq / rate / 60).toFixed(0)} min`),
    );
    console.log(`  while the last load ran (${SECONDS} s) the city got ${(during.upstream?.shippedSeq ?? 0) - (before.upstream?.shippedSeq ?? 0)} events (it rests while the hall is busy)`);
    console.log(`  the hall's commands under a paced load (${KIOSKS} kiosks, ${WINDOWS} windows, about 25 ms between each one's commands), two turns of each on a fresh copy of the year:`);
    for (const [name, loads] of [['not shipping', alone], ['shipping the year', shipping]] as const)
      for (const kind of ['issue', 'call'] as const) {
        const label = `${kind === 'issue' ? 'issueTicket' : 'callNext'}, ${name}`;
        const each = loads.map((l) => stats(l[kind])).map((s) => `p99 ${ms(s.p99)}`).join(' and ');
        console.log(`    ${row(label, stats(loads.flatMap((l) => l[kind])))} (the turns: ${each})`);
      }
  } finally {
    city.destroy();
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}
