import { addCalendarDays, chinaCalendar, hallDay, toSnapshot, type CommandBody } from '@servicehall/core';
import { newCommandId, type Answer } from '@servicehall/protocol';
import Database from 'better-sqlite3';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { PerformanceObserver } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { openDatabase } from '../packages/hub/src/db';
import { housekeep } from '../packages/hub/src/housekeeping';
import { HallStore } from '../packages/hub/src/store';
import { terminalSnapshot } from '../packages/hub/src/terminals';
import { KEY_FILE } from '../packages/hub/src/files';
import { hallKeyOf } from '../packages/hub/src/testing/hall-db';
import { LOAD_TEST_LIMITS, spawnHub, type HubProcess } from '../packages/hub/src/testing/hub-process';
import { EventArrivals } from '../packages/hub/src/testing/event-arrivals';
import { underOrdinaryPolicy } from '../packages/hub/src/testing/ordinary-policy';
import { TestTerminal } from '../packages/hub/src/testing/terminal';
import { generateHistory, workingDays } from '../packages/hub/src/testing/year';
import { BENCH_WINDOWS, benchCatalogue } from './bench-catalogue';
import { cachedYear } from './year-cache';
import { describeStalls, flushesOver5ms, hubOwnFigure, hubReading, plus, quantileMs, readingBetween, stallsCell, stallsPlus, type AnswerBuckets, type HubStalls } from './hub-answer-times';
import { describeSchedule, scheduleBetween, scheduleSum, threadSchedule, waitedFigure, type ThreadSchedule } from './processor-wait';
import { useBuiltHub } from './build-hub';
import { benchGivesWay, giveWayAsStandIn } from './stand-ins';

/**
 * The hub under a hall's load, over loopback, the hub in its own process as in a hall: 50 windows
 * and 4 kiosks working and 6 displays listening (60 terminals receive every event); then issueTicket
 * from 8 and 32 clients at once over the WebSocket and over HTTP. With the year: the same on a hub
 * holding a busy hall's year beside an empty one, and what the year costs (start-up, snapshot, a QR
 * rating of an earlier day, memory, disk).
 */
const here = path.dirname(fileURLToPath(import.meta.url));
const KIOSKS = 4;
const DISPLAYS = 6;
const SECONDS = Number(process.env.BENCH_SECONDS ?? '5');
const TOKEN = 'bench-token-of-the-hall';

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

export function stats(values: number[]) {
  const s = [...values].sort((a, b) => a - b);
  return { n: s.length, p50: percentile(s, 50), p99: percentile(s, 99), max: s[s.length - 1] ?? NaN };
}

const ms = (x: number) => `${x.toFixed(2)} ms`;
const kb = (bytes: number) => `${(bytes / 1024).toFixed(0)} KB`;
const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;

interface Hall {
  hub: HubProcess;
  dir: string;
  /** Spawning the process until it serves, and its own figure for opening the database and loading today. */
  startMs: number;
  loadMs: number;
  /** The snapshot a new terminal gets at the start (today still empty), in bytes. */
  snapshotBytes: number;
  kiosks: TestTerminal[];
  windows: TestTerminal[];
  subscribers: TestTerminal[];
  arrivals: EventArrivals;
}

async function api(hub: HubProcess, method: string, route: string, body?: unknown): Promise<{ status: number; body: unknown }> {
  const res = await fetch(hub.url + route, { method, headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: res.status, body: await res.json() };
}

/** What a new terminal is sent first: the snapshot's size as it crosses the wire. */
async function snapshotBytes(wsUrl: string): Promise<number> {
  const ws = new WebSocket(wsUrl);
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  const size = new Promise<number>((resolve) =>
    ws.on('message', (data: Buffer) => {
      if (data.subarray(0, 20).toString().includes('"snapshot"')) resolve(data.length);
    }),
  );
  ws.send(JSON.stringify({ type: 'hello', protocol: 1, role: 'display', terminal: 'bench-new', token: TOKEN }));
  const bytes = await size;
  ws.terminate();
  return bytes;
}

async function openHall(dir: string): Promise<Hall> {
  const t0 = performance.now();
  // A load test: 60 terminals on one address, far beyond a person's pace.
  const hub = await spawnHub(dir, { SERVICEHALL_TOKEN: TOKEN, SERVICEHALL_LIMITS: LOAD_TEST_LIMITS });
  const startMs = performance.now() - t0;
  // The hub's start line (JSON) says how long opening the database and loading today took.
  const loadMs = Number(/"loadMs":(\d+)/.exec(hub.output())?.[1] ?? NaN);
  // A big database is checked whole beside the hub after it starts: the load waits for that to end,
  // so that what is measured is the hub serving, not the check reading the file.
  if (/"kind":"partial"/.test(hub.output()))
    for (let i = 0; i < 60_000 && !/whole database check/.test(hub.output()); i++) await new Promise((r) => setTimeout(r, 100));
  const catalogue = await api(hub, 'GET', '/api/catalogue');
  if (JSON.stringify(catalogue.body) !== JSON.stringify(benchCatalogue())) {
    const put = await api(hub, 'PUT', '/api/catalogue', benchCatalogue());
    if (put.status !== 200) throw new Error(`the bench catalogue was refused: ${JSON.stringify(put.body)}`);
  }
  const snapshot = await snapshotBytes(hub.wsUrl);
  const kiosks = await Promise.all(Array.from({ length: KIOSKS }, (_, i) => TestTerminal.connect(hub.wsUrl, { role: 'kiosk', terminal: `kiosk-${i + 1}`, token: TOKEN }, false)));
  const windows = await Promise.all(
    Array.from({ length: BENCH_WINDOWS }, (_, i) => TestTerminal.connect(hub.wsUrl, { role: 'window', terminal: `window-${i + 1}`, window: i + 1, token: TOKEN }, false)),
  );
  const displays = await Promise.all(Array.from({ length: DISPLAYS }, (_, i) => TestTerminal.connect(hub.wsUrl, { role: 'display', terminal: `display-${i + 1}`, token: TOKEN }, false)));
  const subscribers = [...kiosks, ...windows, ...displays];
  // The administrator opens the windows (a window terminal itself signs in with a clerk's PIN).
  for (let n = 1; n <= BENCH_WINDOWS; n++) {
    const res = await api(hub, 'POST', `/api/windows/${n}/open`, { clerk: String(3000 + n) });
    if (res.status !== 200) throw new Error(`window ${n} did not open: ${JSON.stringify(res.body)}`);
  }
  // Fan-out: when each subscriber received the event of each command, by command id.
  const arrivals = new EventArrivals();
  // Read from the bytes (a hall's terminals are machines of their own; these share the hub's cores).
  for (const t of subscribers) t.ws.on('message', (data: Buffer) => arrivals.heard(data, performance.now()));
  return { hub, dir, startMs, loadMs, snapshotBytes: snapshot, kiosks, windows, subscribers, arrivals };
}

/** The hub process's memory now and at its peak so far. */
function memory(h: Hall): { rss: number; peak: number } {
  const status = fs.readFileSync(`/proc/${h.hub.child.pid}/status`, 'utf8');
  const kib = (key: string) => Number(new RegExp(`${key}:\\s+(\\d+)`).exec(status)?.[1] ?? NaN) * 1024;
  return { rss: kib('VmRSS'), peak: kib('VmHWM') };
}

type Phase = ReturnType<typeof pooled>;

/** Every terminal works in a loop, pausing `pauseMs` between its commands (0: as fast as the hub answers). */
async function phase(h: Hall, pauseMs: number) {
  const codes = benchCatalogue().items.map((i) => i.code);
  const latency: Record<string, number[]> = { issueTicket: [], callNext: [], startService: [], finishService: [] };
  const sentAt = new Map<string, number>();
  h.arrivals.clear();
  let done = 0;
  const pause = () => (pauseMs > 0 ? new Promise((r) => setTimeout(r, pauseMs * (0.5 + Math.random()))) : undefined);
  const timed = async (t: TestTerminal, body: CommandBody): Promise<Answer> => {
    await pause();
    const id = newCommandId();
    const t0 = performance.now();
    sentAt.set(id, t0);
    const answer = await t.command(body, id);
    latency[body.type]?.push(performance.now() - t0);
    done += 1;
    return answer;
  };
  const before = await hubReading(h.hub.url, ['issueTicket'], ['callNext']);
  const thread0 = threadSchedule(h.hub.child.pid!);
  const cpu0 = process.cpuUsage();
  const pauses = collectorPauses();
  const deadline = performance.now() + SECONDS * 1000;
  const started = performance.now();
  const kioskLoops = h.kiosks.map(async (k, i) => {
    for (let n = i; performance.now() < deadline; n += KIOSKS)
      await timed(k, { type: 'issueTicket', serviceCode: codes[n % codes.length]!, lane: n % 5 === 0 ? 'priority' : 'ordinary', priorityReason: n % 5 === 0 ? 'elderly' : undefined });
  });
  const windowLoops = h.windows.map(async (w, i) => {
    const window = i + 1;
    while (performance.now() < deadline) {
      const called = await timed(w, { type: 'callNext', window });
      if (!called.ok) {
        await new Promise((r) => setTimeout(r, 5));
        continue;
      }
      await timed(w, { type: 'startService', window });
      await timed(w, { type: 'finishService', window });
    }
  });
  await Promise.all([...kioskLoops, ...windowLoops]);
  const elapsed = (performance.now() - started) / 1000;
  const hubThread = scheduleBetween(thread0, threadSchedule(h.hub.child.pid!));
  const benchCpu = cpuSecondsSince(cpu0);
  const benchGc = pauses();
  const { answers, stalls } = readingBetween(before, await hubReading(h.hub.url, ['issueTicket'], ['callNext']));
  const hubOwn = { issue: answers[0]!, call: answers[1]! };
  await new Promise((r) => setTimeout(r, 300));
  const fanOut: number[] = [];
  let incomplete = 0;
  for (const [id, arrival] of h.arrivals.entries()) {
    const t0 = sentAt.get(id);
    if (t0 === undefined) continue;
    if (arrival.terminals < h.subscribers.length) incomplete += 1;
    else fanOut.push(arrival.last - t0);
  }
  return { rate: done / elapsed, done, issue: latency.issueTicket!, call: latency.callNext!, fanOut, incomplete, hubOwn, stalls, hubThread, benchCpu, benchGc, elapsed };
}

type Samples = Awaited<ReturnType<typeof phase>>;

/** Runs of one phase taken together: their mean rate, their latencies pooled. */
function pooled(runs: Samples[]) {
  const all = (key: 'issue' | 'call' | 'fanOut') => runs.flatMap((r) => r[key]);
  return {
    rate: runs.reduce((n, r) => n + r.rate, 0) / runs.length,
    done: runs.reduce((n, r) => n + r.done, 0),
    issue: stats(all('issue')),
    call: stats(all('call')),
    fanOut: stats(all('fanOut')),
    incomplete: runs.reduce((n, r) => n + r.incomplete, 0),
    runs: runs.length,
    /** The hub's own answer times (its /metrics) of the runs' commands, pooled. */
    hubOwn: { issue: runs.map((r) => r.hubOwn.issue).reduce(plus), call: runs.map((r) => r.hubOwn.call).reduce(plus) },
    /** What held all the hub's commands in the runs: its log's flushes and its collector's pauses. */
    stalls: runs.map((r) => r.stalls).reduce(stallsPlus),
    /** The hub's main thread in the runs: how long it ran, and how long it waited for a processor. */
    hubThread: scheduleSum(runs.map((r) => r.hubThread)),
    /** This bench's own process (the terminals' stand-ins) in the runs, as a share of one core. */
    benchCore: runs.reduce((n, r) => n + r.benchCpu, 0) / runs.reduce((n, r) => n + r.elapsed, 0),
    benchGc: { count: runs.reduce((n, r) => n + r.benchGc.count, 0), totalMs: runs.reduce((n, r) => n + r.benchGc.totalMs, 0), maxMs: Math.max(...runs.map((r) => r.benchGc.maxMs)) },
  };
}

type Issuing = { rate: number; latency: ReturnType<typeof stats>; samples: number[]; hubOwn: AnswerBuckets; stalls: HubStalls; hubThread: ThreadSchedule | undefined; benchCpu: number; elapsed: number };

/** `clients` send issueTicket one after another, each as soon as it has its answer, over the WebSocket or HTTP. */
async function issuing(h: Hall, clients: number, via: 'ws' | 'http'): Promise<Issuing> {
  const codes = benchCatalogue().items.map((i) => i.code);
  const latency: number[] = [];
  const agent = new http.Agent({ keepAlive: true, maxSockets: clients });
  const url = new URL(h.hub.url);
  const post = (body: string) =>
    new Promise<number>((resolve, reject) => {
      const req = http.request(
        { host: url.hostname, port: url.port, path: '/api/tickets', method: 'POST', agent, headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'idempotency-key': newCommandId() } },
        (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  // Kiosks that have followed the hall so far: they take the events from now on, not a snapshot of the tickets piled up.
  const since = ((await api(h.hub, 'GET', '/api/health')).body as { seq: number }).seq;
  const terminals =
    via === 'ws' ? await Promise.all(Array.from({ length: clients }, (_, i) => TestTerminal.connect(h.hub.wsUrl, { role: 'kiosk', terminal: `bench-kiosk-${i + 1}`, token: TOKEN, since }, false))) : [];
  const before = await hubReading(h.hub.url, ['issueTicket']);
  const thread0 = threadSchedule(h.hub.child.pid!);
  const cpu0 = process.cpuUsage();
  const deadline = performance.now() + SECONDS * 1000;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: clients }, async (_, c) => {
      for (let n = c; performance.now() < deadline; n += clients) {
        const body = { serviceCode: codes[n % codes.length]!, lane: 'ordinary' as const };
        const t0 = performance.now();
        if (via === 'ws') {
          const a = await terminals[c]!.command({ type: 'issueTicket', ...body });
          if (!a.ok) throw new Error(`issueTicket refused: ${a.code}`);
        } else {
          const status = await post(JSON.stringify(body));
          if (status !== 201) throw new Error(`issueTicket over HTTP answered ${status}`);
        }
        latency.push(performance.now() - t0);
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  const hubThread = scheduleBetween(thread0, threadSchedule(h.hub.child.pid!));
  const benchCpu = cpuSecondsSince(cpu0);
  const { answers, stalls } = readingBetween(before, await hubReading(h.hub.url, ['issueTicket']));
  const hubOwn = answers[0]!;
  for (const t of terminals) t.close();
  agent.destroy();
  return { rate: latency.length / elapsed, latency: stats(latency), samples: latency, hubOwn, stalls, hubThread, benchCpu, elapsed };
}

function pooledIssuing(runs: Issuing[]): Issuing {
  const samples = runs.flatMap((r) => r.samples);
  return {
    rate: runs.reduce((n, r) => n + r.rate, 0) / runs.length,
    latency: stats(samples),
    samples,
    hubOwn: runs.map((r) => r.hubOwn).reduce(plus),
    stalls: runs.map((r) => r.stalls).reduce(stallsPlus),
    hubThread: scheduleSum(runs.map((r) => r.hubThread)),
    benchCpu: runs.reduce((n, r) => n + r.benchCpu, 0),
    elapsed: runs.reduce((n, r) => n + r.elapsed, 0),
  };
}

interface QrRatings {
  latency: ReturnType<typeof stats>;
  answers: Record<string, number>;
  clientGc: number;
  /** The slowest three and their place in the run (0: the first). */
  slowest: { place: number; ms: number; clientGc: boolean }[];
  /** The hub's flushes of its log and its collector's pauses meanwhile (its /metrics). */
  stalls: HubStalls;
  /** The hub's own answer times of the ratings (its /metrics). */
  hubOwn: AnswerBuckets;
}

const qrFigure = (r: Pick<QrRatings, 'latency'>) => `${ms(r.latency.p50)} / ${ms(r.latency.p99)}`;
const answersOf = (r: Pick<QrRatings, 'answers'>) => Object.entries(r.answers).map(([k, v]) => `${v} ${k}`).join(', ');
const qrNotes = (r: QrRatings) => `the hub's own ${hubOwnFigure(r.hubOwn)}; ${answersOf(r)}; the client's own GC in ${r.clientGc}; slowest ${slowestOf(r)}; ${flushesOf(r)}`;
const flushesOf = (r: QrRatings) => `meanwhile the hub: ${describeStalls(r.stalls)}`;
const slowestOf = (r: Pick<QrRatings, 'slowest'>) => r.slowest.map((s) => `#${s.place + 1} ${s.ms.toFixed(1)} ms${s.clientGc ? " (the client's GC)" : ''}`).join(', ');

/** What the QR rating client measured (bench-qr-client.ts). */
type QrClientRun = Pick<QrRatings, 'latency' | 'answers' | 'clientGc' | 'slowest'>;

/**
 * QR ratings over HTTP to the server at `url`, one after another, from a client process of their
 * own over a kept-alive connection (bench-qr-client.ts): each ticket's latency, and how many of them
 * the client's own garbage collection overlapped.
 */
async function qrClient(url: string, ticketIds: string[]): Promise<QrClientRun> {
  // A young generation (64 MB a half) larger than the garbage of its ratings, emptied before them: the client, a phone, does not collect while it is timed.
  // And no optimising compiler: V8 optimised the stand-in's own code (its HTTP client) at fixed
  // counts of its requests (the 140th, the 179th, ... in every run), each time a few milliseconds
  // on its thread, the slowest of its 200 ratings; without it those places are gone and the stand-in
  // costs about 0.1 ms more a rating (docs/performance.md, "The QR rating's client").
  const client = spawn(process.execPath, ['--no-opt', '--expose-gc', '--min-semi-space-size=64', '--max-semi-space-size=64', '--import', 'tsx', path.join(here, 'bench-qr-client.ts')], { stdio: ['pipe', 'pipe', 'inherit'] });
  giveWayAsStandIn(client.pid!);
  let out = '';
  client.stdout.setEncoding('utf8');
  client.stdout.on('data', (d: string) => (out += d));
  const exited = new Promise<number | null>((resolve) => client.once('exit', resolve));
  client.stdin.end(JSON.stringify({ url, token: TOKEN, ticketIds }));
  const code = await exited;
  if (code !== 0) throw new Error(`the QR rating client exited with ${code}`);
  const r = JSON.parse(out) as { latency: number[]; answers: Record<string, number>; clientGc: number; slowest: QrRatings['slowest'] };
  return { latency: stats(r.latency), answers: r.answers, clientGc: r.clientGc, slowest: r.slowest };
}

/** QR ratings of the hub (qrClient), with its own answer times and what held them meanwhile (its /metrics). */
async function qrRatings(h: Hall, ticketIds: string[]): Promise<QrRatings> {
  const before = await hubReading(h.hub.url, ['rate']);
  const run = await qrClient(h.hub.url, ticketIds);
  const { answers, stalls } = readingBetween(before, await hubReading(h.hub.url, ['rate']));
  return { ...run, stalls, hubOwn: answers[0]! };
}

/**
 * The floor under a QR rating on this machine: the same client's 200 ratings to a server that only
 * writes and flushes before each answer (bench-flush-server.ts), its files in `dir`, no hub running.
 * The server runs without V8's optimising compiler, as the client does: a fresh process would
 * compile at fixed counts of its requests, where the hub has long finished.
 */
async function flushFloor(dir: string): Promise<QrClientRun> {
  const server = spawn(...underOrdinaryPolicy(process.execPath, ['--no-opt', '--import', 'tsx', path.join(here, 'bench-flush-server.ts'), dir]), { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const port = await new Promise<string>((resolve, reject) => {
      server.stdout.setEncoding('utf8');
      server.stdout.once('data', (d: string) => resolve(d.trim()));
      server.once('exit', (code) => reject(new Error(`the flush server exited with ${code} before it served`)));
    });
    return await qrClient(`http://127.0.0.1:${port}`, Array.from({ length: 200 }, (_, i) => `2026-01-05-F${String(90000 + i)}`));
  } finally {
    server.kill();
  }
}

/**
 * This disk's own flush, what every commit waits for: 4 KB appended and fdatasync'd, 1,000 in a row,
 * in `dir` (the bench's own folder, on the hubs' disk), with no hub running.
 */
function diskFlush(dir: string): ReturnType<typeof stats> {
  const file = path.join(dir, 'flush-probe');
  const fd = fs.openSync(file, 'w');
  const page = Buffer.alloc(4096, 1);
  const latency: number[] = [];
  try {
    for (let i = 0; i < 1000; i++) {
      const t0 = performance.now();
      fs.writeSync(fd, page);
      fs.fdatasyncSync(fd);
      latency.push(performance.now() - t0);
    }
  } finally {
    fs.closeSync(fd);
    fs.rmSync(file, { force: true });
  }
  return stats(latency);
}

/** Runs the hub's housekeeping on the hall in `dir` until it has nothing left to do. */
function catchUp(dir: string): { pruned: number; commands: number } {
  const db = openDatabase(dir);
  const store = new HallStore(db, Date.now, hallKeyOf(dir));
  const done = { pruned: 0, commands: 0 };
  for (let sweep = 0; sweep < 10_000; sweep++) {
    const swept = housekeep(store, Date.now());
    done.pruned += swept.pruned;
    done.commands += swept.commands;
    if (swept.pruned === 0 && swept.commands === 0) break;
  }
  store.writeFacts();
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
  return done;
}

/** The snapshot a new terminal would get after one identical, generated day on the hall in `dir`. */
function snapshotAfterSameDay(dir: string, day: string): { bytes: number; tickets: number; loadMs: number } {
  generateHistory({ dataDir: dir, days: 1, lastDay: day, ticketsPerDay: 12_000, seed: 42 });
  // A hub started again that evening opens the database and loads the whole day.
  const started = performance.now();
  const db = openDatabase(dir);
  const store = new HallStore(db, () => Date.parse(`${day}T20:00:00+08:00`), hallKeyOf(dir));
  const loadMs = performance.now() - started;
  const bytes = Buffer.byteLength(JSON.stringify({ type: 'snapshot', snapshot: terminalSnapshot(toSnapshot(store.view)) }));
  const tickets = store.view.tickets.size;
  db.close();
  return { bytes, tickets, loadMs };
}

interface HallFigures {
  startMs: number;
  loadMs: number;
  snapshotStart: number;
  saturated: Phase;
  paced: Phase;
  issue8: { ws: Issuing; http: Issuing };
  issue32: { ws: Issuing; http: Issuing };
  qrUnknown: QrRatings;
  /** Of an earlier day: with today's queue as a hall's is, and after the issuing loads' pile (see measure). */
  qrEarlier?: { hallQueue: QrRatings; piled: QrRatings };
  memory: { rss: number; peak: number };
}

/**
 * The halls measured side by side: both hubs run, and each kind of load is taken on them in turns
 * (A B B A), so that what else the machine does falls on both alike.
 */
async function measure(halls: { dir: string; qrTickets: string[] }[], log: (line: string) => void): Promise<HallFigures[]> {
  const open: Hall[] = [];
  for (const { dir } of halls) {
    open.push(await openHall(dir));
    log(`    ${halls.length > 1 ? (open.length === 1 ? 'the empty hub' : 'the year') : 'the hub'} started in ${open.at(-1)!.startMs.toFixed(0)} ms`);
  }
  const turns = halls.length > 1 ? [0, 1, 1, 0] : [0];
  const inTurns = async <T>(what: string, run: (h: Hall) => Promise<T>): Promise<T[][]> => {
    log(`    ${what}`);
    const out: T[][] = open.map(() => []);
    for (const k of turns) out[k]!.push(await run(open[k]!));
    return out;
  };
  const saturated = await inTurns('saturated load', (h) => phase(h, 0));
  const paced = await inTurns('paced load, about 2,000 commands/s', (h) => phase(h, 25));
  // After the same hall's load on both: the issuing below leaves tens of thousands of tickets waiting.
  const mem = open.map(memory);
  // The issuing clients alone now: no window terminals or screens beside them (as an integration's load test would be).
  for (const h of open) for (const t of h.subscribers) t.close();
  // The QR ratings of an earlier day with today's queue as a hall's is (the loads above call as fast
  // as they issue), half of them; the other half after the issuing loads below, which leave tens of
  // thousands of tickets waiting that nobody calls (a hall's day has at most about 12,000).
  const half = (k: number) => halls[k]!.qrTickets.slice(0, halls[k]!.qrTickets.length / 2);
  const qrHallQueue: (QrRatings | undefined)[] = [];
  for (const [k, h] of open.entries()) qrHallQueue.push(half(k).length > 0 ? await qrRatings(h, half(k)) : undefined);
  const ws8 = await inTurns('issueTicket from 8 clients over the WebSocket', (h) => issuing(h, 8, 'ws'));
  const http8 = await inTurns('issueTicket from 8 clients over HTTP', (h) => issuing(h, 8, 'http'));
  const ws32 = await inTurns('issueTicket from 32 clients over the WebSocket', (h) => issuing(h, 32, 'ws'));
  const http32 = await inTurns('issueTicket from 32 clients over HTTP', (h) => issuing(h, 32, 'http'));
  const figures: HallFigures[] = [];
  for (const [k, h] of open.entries()) {
    const qrUnknown = await qrRatings(h, Array.from({ length: 200 }, (_, i) => `2026-01-05-Z${String(90000 + i)}`));
    const piled = halls[k]!.qrTickets.slice(half(k).length);
    const qrEarlier = qrHallQueue[k] && piled.length > 0 ? { hallQueue: qrHallQueue[k]!, piled: await qrRatings(h, piled) } : undefined;
    await h.hub.kill('SIGTERM');
    figures.push({
      startMs: h.startMs,
      loadMs: h.loadMs,
      snapshotStart: h.snapshotBytes,
      saturated: pooled(saturated[k]!),
      paced: pooled(paced[k]!),
      issue8: { ws: pooledIssuing(ws8[k]!), http: pooledIssuing(http8[k]!) },
      issue32: { ws: pooledIssuing(ws32[k]!), http: pooledIssuing(http32[k]!) },
      qrUnknown,
      qrEarlier,
      memory: mem[k]!,
    });
  }
  return figures;
}

/** This process's own garbage collection from now until the returned function is called: its pauses, in all and the longest. */
export function collectorPauses(): () => { count: number; totalMs: number; maxMs: number } {
  const pauses: number[] = [];
  const observer = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) pauses.push(e.duration);
  });
  observer.observe({ entryTypes: ['gc'] });
  return () => {
    for (const e of observer.takeRecords()) pauses.push(e.duration);
    observer.disconnect();
    return { count: pauses.length, totalMs: pauses.reduce((a, b) => a + b, 0), maxMs: Math.max(0, ...pauses) };
  };
}

/** The collector's pauses in words. */
export const describePauses = (p: { count: number; totalMs: number; maxMs: number }) => `its collector paused it ${p.count} times, ${p.totalMs.toFixed(0)} ms in all, the longest ${p.maxMs.toFixed(1)} ms`;

/** This process's processor seconds (user and system) since `start`. */
const cpuSecondsSince = (start: NodeJS.CpuUsage) => {
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1e6;
};
const percentOfCore = (share: number) => `${(share * 100).toFixed(0)}% of a core`;

function printLoad(title: string, r: Phase, subscribers: number): void {
  console.log(`  ${title}`);
  console.log(`    commands per second          ${r.rate.toFixed(0)}   (${r.done} commands; each a savepoint, those arriving together committed at once, synchronous=FULL)`);
  console.log(`    issueTicket latency          p50 ${ms(r.issue.p50)}   p99 ${ms(r.issue.p99)}   (n=${r.issue.n})`);
  console.log(`    callNext latency             p50 ${ms(r.call.p50)}   p99 ${ms(r.call.p99)}   (n=${r.call.n})`);
  console.log(`    the hub's own answer time    issueTicket ${hubOwnFigure(r.hubOwn.issue)};  callNext ${hubOwnFigure(r.hubOwn.call)}`);
  console.log(`    the hub's thread meanwhile   ${describeSchedule(r.hubThread)}`);
  console.log(`    what held every command      ${describeStalls(r.stalls)}`);
  console.log(`    this bench's own process     ${percentOfCore(r.benchCore)} (the terminals' stand-ins, on the hub's two cores); ${describePauses(r.benchGc)}`);
  console.log(`    event to all ${subscribers} subscribers  p50 ${ms(r.fanOut.p50)}   p99 ${ms(r.fanOut.p99)}   max ${ms(r.fanOut.max)}   (n=${r.fanOut.n}${r.incomplete ? `, ${r.incomplete} not yet everywhere` : ''})`);
}

const ownP99 = (b: AnswerBuckets) => {
  const v = quantileMs(b, 0.99);
  return v === undefined ? '-' : ms(v);
};
const issued = (r: Issuing) => `${r.rate.toFixed(0).padStart(5)}/s  p50 ${ms(r.latency.p50)}  p99 ${ms(r.latency.p99)}`;

export async function runHubBench(options: { year: boolean } = { year: true }): Promise<void> {
  const load = os.loadavg().map((x) => x.toFixed(2)).join(' ');
  console.log(`Hub over loopback: ${BENCH_WINDOWS} windows and ${KIOSKS} kiosks working, ${BENCH_WINDOWS + KIOSKS + DISPLAYS} subscribers, ${SECONDS} s a phase, ${os.cpus().length} cores, load average at the start ${load}`);
  const log = (line: string) => console.log(line);
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'servicehall-bench-'));
  try {
    const emptyDir = path.join(scratch, 'empty');
    const yearDir = path.join(scratch, 'year');
    let year: Awaited<ReturnType<typeof cachedYear>> | undefined;
    let qrTickets: string[] = [];
    if (options.year) {
      const days = Number(process.env.BENCH_YEAR_DAYS ?? '250');
      const perDay = Number(process.env.BENCH_YEAR_TICKETS ?? '12000');
      log(`  with a busy hall's year beside the empty hub: ${days} working days of about ${perDay} tickets (--no-year leaves it out)`);
      year = await cachedYear({ days, ticketsPerDay: perDay, log });
      const minutes = `${(year.summary.ms / 60_000).toFixed(1)} min${year.summary.cpuMs ? ` (${(year.summary.cpuMs / 60_000).toFixed(1)} processor-minutes on ${os.cpus().length} cores)` : ''}`;
      log(
        `  the year: ${year.summary.tickets} tickets, ${year.summary.commands} commands, ${year.summary.seq} events, ${year.summary.firstDay} to ${year.summary.lastDay}; ${year.generated ? 'written now' : 'from the cache'} (${year.file}), written in ${minutes}`,
      );
      fs.mkdirSync(yearDir);
      fs.copyFileSync(year.file, path.join(yearDir, 'hall.db'));
      // The year's hall key: the database is sealed with it, and a hub refuses it with another.
      fs.copyFileSync(year.keyFile, path.join(yearDir, KEY_FILE));
      fs.chmodSync(path.join(yearDir, KEY_FILE), 0o600);
      // The copy on the disk before the hub starts: its writing back must not be measured as the hub's.
      const copy = fs.openSync(path.join(yearDir, 'hall.db'), 'r+');
      fs.fsyncSync(copy);
      fs.closeSync(copy);
      // The hall brought up to today as a hub that ran through the days since would have it: the new
      // day opened, cases past their deadline lapsed, answers older than their window pruned (in the
      // hub's own batches). A hub that runs prunes a few answers a sweep; a backlog is not what is measured.
      const caughtUp = catchUp(yearDir);
      log(`  the year brought up to today: ${caughtUp.pruned} old answers pruned, ${caughtUp.commands} commands of the hub's own`);
      // Services of the year's last days, rated once at the counter: a phone's later second rating.
      // (Read from the copy: opening the cached file would leave its write-ahead files beside it.)
      const source = new Database(path.join(yearDir, 'hall.db'), { readonly: true });
      const from = addCalendarDays(year.summary.lastDay, -10);
      // 200 with today's queue as a hall's is, 200 after the issuing loads' pile (see measure).
      qrTickets = (
        source.prepare('SELECT ticket_id FROM ratings WHERE ticket_id >= ? GROUP BY ticket_id HAVING COUNT(*) = 1 ORDER BY ticket_id LIMIT 400').all(from) as { ticket_id: string }[]
      ).map((r) => r.ticket_id);
      source.close();
    }
    const [first, busy] = await measure([{ dir: emptyDir, qrTickets: [] }, ...(year ? [{ dir: yearDir, qrTickets }] : [])], log);
    // The hubs have stopped: the disk's flush alone, and an HTTP server that only flushes, beside which a lone QR rating's latency is read.
    const flush = diskFlush(scratch);
    const floor = await flushFloor(scratch);
    const e = first!;
    const runs = e.saturated.runs > 1 ? ` (${e.saturated.runs} runs of each, taken in turns with the year's)` : '';
    console.log(`The empty hub${runs}`);
    printLoad('saturated: every terminal sends its next command as soon as it has its answer', e.saturated, BENCH_WINDOWS + KIOSKS + DISPLAYS);
    printLoad('paced: each terminal pauses about 25 ms between commands (about 2,000 commands/s offered)', e.paced, BENCH_WINDOWS + KIOSKS + DISPLAYS);
    console.log('  issueTicket, every client sending its next as soon as it has its answer (WebSocket beside HTTP)');
    console.log(`     8 clients   WebSocket ${issued(e.issue8.ws)}   HTTP ${issued(e.issue8.http)}`);
    console.log(`    32 clients   WebSocket ${issued(e.issue32.ws)}   HTTP ${issued(e.issue32.http)}`);
    console.log(`    the hub's own answer time, 8 clients: WebSocket ${hubOwnFigure(e.issue8.ws.hubOwn)};  HTTP ${hubOwnFigure(e.issue8.http.hubOwn)}`);
    console.log(`    the hub's thread, 8 clients: WebSocket ${describeSchedule(e.issue8.ws.hubThread)};  HTTP ${describeSchedule(e.issue8.http.hubThread)}`);
    console.log(`    what held every command, 8 clients: WebSocket ${describeStalls(e.issue8.ws.stalls)};  HTTP ${describeStalls(e.issue8.http.stalls)}`);
    console.log(`    this bench's own process, 8 clients: WebSocket ${percentOfCore(e.issue8.ws.benchCpu / e.issue8.ws.elapsed)};  HTTP ${percentOfCore(e.issue8.http.benchCpu / e.issue8.http.elapsed)}`);
    console.log('  goals: >= 2000 commands/s; p99 < 10 ms; event to 60 subscribers p99 < 20 ms; issueTicket over HTTP about 2,000/s with p99 < 10 ms at 8 clients');
    console.log(`  the disk's own flush, what each commit waits for (4 KB appended and fdatasync'd, 1,000 in a row, no hub running): p50 ${ms(flush.p50)}   p99 ${ms(flush.p99)}   max ${ms(flush.max)}`);
    console.log(`  the floor under a QR rating: the same client's 200 ratings to a server that only writes 12 KB and flushes before each answer (no hub running): p50 ${ms(floor.latency.p50)}   p99 ${ms(floor.latency.p99)}   max ${ms(floor.latency.max)}   (${answersOf(floor)}; slowest ${slowestOf(floor)})`);
    console.log(`  QR rating of an unknown ticket, 200 one after another from a client process of their own: p50 ${ms(e.qrUnknown.latency.p50)}   p99 ${ms(e.qrUnknown.latency.p99)}   max ${ms(e.qrUnknown.latency.max)}   (the client's own GC in ${e.qrUnknown.clientGc}; slowest ${slowestOf(e.qrUnknown)}; ${flushesOf(e.qrUnknown)})`);
    if (!year || !busy) return;

    // One identical generated day on both, a week on: the snapshot a new terminal gets then.
    const today = hallDay(Date.now(), 'Asia/Shanghai');
    const day = workingDays(chinaCalendar, addCalendarDays(today, 7), 1)[0]!;
    log(`  the same generated day (${day}) on both, for the snapshot`);
    const emptyDay = snapshotAfterSameDay(emptyDir, day);
    const yearDay = snapshotAfterSameDay(yearDir, day);
    const bytes = fs.statSync(year.file).size;
    const empty = e;
    const ratio = (a: number, b: number) => `${(b / a).toFixed(2)}×`;
    const rows: [string, string, string, string][] = [
      ['hub start-up (process spawned to serving)', `${empty.startMs.toFixed(0)} ms`, `${busy.startMs.toFixed(0)} ms`, 'goal < 2 s'],
      ['  of which database opened, today loaded', `${empty.loadMs} ms`, `${busy.loadMs} ms`, ''],
      ['saturated commands/s', empty.saturated.rate.toFixed(0), busy.saturated.rate.toFixed(0), `${ratio(busy.saturated.rate, empty.saturated.rate)} slower (goal <= 1.2×)`],
      ['saturated issueTicket p50 / p99', `${ms(empty.saturated.issue.p50)} / ${ms(empty.saturated.issue.p99)}`, `${ms(busy.saturated.issue.p50)} / ${ms(busy.saturated.issue.p99)}`, ratio(empty.saturated.issue.p50, busy.saturated.issue.p50)],
      ['paced 2,000/s issueTicket p50 / p99', `${ms(empty.paced.issue.p50)} / ${ms(empty.paced.issue.p99)}`, `${ms(busy.paced.issue.p50)} / ${ms(busy.paced.issue.p99)}`, ratio(empty.paced.issue.p50, busy.paced.issue.p50)],
      ['paced 2,000/s callNext p50 / p99', `${ms(empty.paced.call.p50)} / ${ms(empty.paced.call.p99)}`, `${ms(busy.paced.call.p50)} / ${ms(busy.paced.call.p99)}`, ratio(empty.paced.call.p50, busy.paced.call.p50)],
      ['  the hub\'s own answer, issueTicket p99', ownP99(empty.paced.hubOwn.issue), ownP99(busy.paced.hubOwn.issue), 'its /metrics: from the command read and checked to its answer'],
      ['  the hub\'s own answer, callNext p99', ownP99(empty.paced.hubOwn.call), ownP99(busy.paced.hubOwn.call), ''],
      ['  the hub\'s thread waited for a processor', waitedFigure(empty.paced.hubThread), waitedFigure(busy.paced.hubThread), 'ready to run while another thread or process held both cores'],
      ['  this bench\'s own process (the terminals)', percentOfCore(empty.paced.benchCore), percentOfCore(busy.paced.benchCore), 'the stand-ins share the two cores with the hub'],
      ['  what held every command', stallsCell(empty.paced.stalls), stallsCell(busy.paced.stalls), "the log's flushes (each batch waits for one) and the collector's pauses (the loop stopped)"],
      ['issueTicket over HTTP, 8 clients', issued(empty.issue8.http), issued(busy.issue8.http), ''],
      ['  the hub\'s own answer p99', ownP99(empty.issue8.http.hubOwn), ownP99(busy.issue8.http.hubOwn), ''],
      ['  the hub\'s thread waited for a processor', waitedFigure(empty.issue8.http.hubThread), waitedFigure(busy.issue8.http.hubThread), ''],
      ['  what held every command', stallsCell(empty.issue8.http.stalls), stallsCell(busy.issue8.http.stalls), ''],
      ['issueTicket over WebSocket, 8 clients', issued(empty.issue8.ws), issued(busy.issue8.ws), ''],
      ['snapshot for a new terminal, start of day', kb(empty.snapshotStart), kb(busy.snapshotStart), ratio(empty.snapshotStart, busy.snapshotStart)],
      [`snapshot after the same day (${emptyDay.tickets} tickets)`, kb(emptyDay.bytes), kb(yearDay.bytes), ratio(emptyDay.bytes, yearDay.bytes)],
      ['restart that evening: database opened, the day loaded', `${emptyDay.loadMs.toFixed(0)} ms`, `${yearDay.loadMs.toFixed(0)} ms`, ratio(emptyDay.loadMs, yearDay.loadMs)],
      ['QR rating of an unknown ticket p50 / p99', `${ms(empty.qrUnknown.latency.p50)} / ${ms(empty.qrUnknown.latency.p99)}`, `${ms(busy.qrUnknown.latency.p50)} / ${ms(busy.qrUnknown.latency.p99)}`, `the client's own GC in ${empty.qrUnknown.clientGc} and ${busy.qrUnknown.clientGc} of 200; the hub's log flushes over 5 ms ${flushesOver5ms(empty.qrUnknown.stalls)} of ${empty.qrUnknown.stalls.flushes.get(Infinity) ?? 0} and ${flushesOver5ms(busy.qrUnknown.stalls)} of ${busy.qrUnknown.stalls.flushes.get(Infinity) ?? 0}`],
      ...(busy.qrEarlier
        ? ([
            ['QR rating of an earlier day p50 / p99', '-', qrFigure(busy.qrEarlier.hallQueue), `goal < 5 ms; the floor (HTTP and a flush, no hub) ${qrFigure(floor)}; today's queue a hall's (${qrNotes(busy.qrEarlier.hallQueue)})`],
            ['  the same after the issuing loads', '-', qrFigure(busy.qrEarlier.piled), `tens of thousands waiting that nobody calls (${qrNotes(busy.qrEarlier.piled)})`],
          ] satisfies [string, string, string, string][])
        : []),
      ['hub memory after the hall’s load (RSS / peak)', `${mb(empty.memory.rss)} / ${mb(empty.memory.peak)}`, `${mb(busy.memory.rss)} / ${mb(busy.memory.peak)}`, `${ratio(empty.memory.peak, busy.memory.peak)} (goal <= 1.5×)`],
      ['disk per ticket, with its whole life', '-', `${(bytes / year.summary.tickets).toFixed(0)} B (${(bytes / 1024 ** 3).toFixed(2)} GB)`, 'goal <= 1.5 KB'],
    ];
    console.log('');
    console.log(`The year beside the empty hub (each load taken on both in turns)`);
    console.log(`  ${'figure'.padEnd(46)} ${'empty hub'.padEnd(36)} ${'a year'.padEnd(36)} year against empty`);
    for (const [name, a, b, c] of rows) console.log(`  ${name.padEnd(46)} ${a.padEnd(36)} ${b.padEnd(36)} ${c}`);
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

if (process.argv[1]?.endsWith('bench-hub.ts')) {
  await useBuiltHub();
  benchGivesWay();
  await runHubBench({ year: !process.argv.includes('--no-year') });
}
