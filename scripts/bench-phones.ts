import type { CommandBody } from '@servicehall/core';
import { newCommandId, type Answer } from '@servicehall/protocol';
import { fork } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { childrenOf, LOAD_TEST_LIMITS, metricIn, spawnHub } from '../packages/hub/src/testing/hub-process';
import { EventArrivals } from '../packages/hub/src/testing/event-arrivals';
import { TestTerminal } from '../packages/hub/src/testing/terminal';
import { benchCatalogue } from './bench-catalogue';
import type { FromReader, ReaderFrame, ToReader } from './bench-phone-reader';
import { collectorPauses, describePauses, stats } from './bench-hub';
import { describeStalls, hubOwnFigure, hubReading, quantileMs, readingBetween, stallsCell, type HubStalls } from './hub-answer-times';
import { describeSchedule, scheduleBetween, threadSchedule, waitedFigure, type ThreadSchedule } from './processor-wait';
import { useBuiltHub } from './build-hub';
import { benchGivesWay, giveWayAsStandIn } from './stand-ins';

/**
 * 3,000 phones following their tickets on one hub while the hall works: the hub in its own process,
 * 50 windows and 4 kiosks working over WebSocket (paced, about 1,000 commands a second offered),
 * 6 displays listening, and every phone on its own server-sent-events stream of its ticket.
 * It measures how soon each call reaches its phone, how soon every change reaches the phones it
 * concerns, the hub's memory per watching phone, and the terminals' own latencies meanwhile.
 */
const PHONES = Number(process.env.BENCH_PHONES ?? '3000');
const WINDOWS = 50;
const KIOSKS = 4;
const DISPLAYS = 6;
const PAUSE_MS = 50;
const TOKEN = 'bench-token-for-3000-phones';

/** CPU seconds the hub's process has used (user + system), from the kernel (Linux). */
function cpuSeconds(pid: number): number {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** A process's resident memory, from the kernel (Linux). */
function rssKb(pid: number): number {
  const m = /VmRSS:\s+(\d+)\s+kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) : NaN;
}

/** What the hall's server pays in RAM: the hub and the processes it started. */
function hallRssKb(pid: number): number {
  return [pid, ...childrenOf(pid)].reduce((kb, p) => kb + rssKb(p), 0);
}

/** How many streams each side served, from the hub's /metrics (servicehall_phone_streams). */
async function streamsServedBy(url: string): Promise<string> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const of = (who: string) => metricIn(text, `servicehall_phone_streams{served_by="${who}"}`) ?? '?';
  return `${of('process')} by the phones' own process, ${of('hub')} by the hub's thread`;
}

/** A phone's frames, arrival times in this process's performance.now(). */
interface Phone {
  ticketId: string;
  frames: ReaderFrame[];
  ended: boolean;
}

/** The phones' reader (bench-phone-reader.ts), in a process of its own: phones are other machines in a hall. */
class PhoneReader {
  private readonly child = fork(fileURLToPath(new URL('./bench-phone-reader.ts', import.meta.url)), [], { execArgv: ['--import', 'tsx'] });
  constructor() {
    // A stand-in as the bench's terminals are (stand-ins.ts): it does not take the hub's processor when a frame wakes it.
    giveWayAsStandIn(this.child.pid!);
  }
  private ask(message: ToReader, answer: FromReader['kind']): Promise<FromReader> {
    return new Promise((resolve, reject) => {
      const heard = (m: FromReader) => {
        if (m.kind !== answer && m.kind !== 'failed') return;
        this.child.off('message', heard);
        if (m.kind === 'failed') reject(new Error(`the phones' reader failed: ${m.message}`));
        else resolve(m);
      };
      this.child.on('message', heard);
      this.child.send(message);
    });
  }
  get pid(): number {
    return this.child.pid!;
  }
  async follow(base: URL, phones: { ticketId: string; ref: string }[]): Promise<number> {
    const m = await this.ask({ kind: 'follow', host: base.hostname, port: base.port, phones }, 'following');
    return m.kind === 'following' ? m.answered : 0;
  }
  reset(): void {
    this.child.send({ kind: 'reset' } satisfies ToReader);
  }
  async report(): Promise<Phone[]> {
    const m = await this.ask({ kind: 'report' }, 'report');
    if (m.kind !== 'report') return [];
    // Its times are the system's monotonic clock in milliseconds; the bench's, the same clock since its own start.
    const monotonicAtZero = Number(process.hrtime.bigint()) / 1e6 - performance.now();
    return m.phones.map((p) => ({ ...p, frames: p.frames.map((f) => ({ ...f, at: f.at - monotonicAtZero })) }));
  }
  close(): void {
    if (this.child.connected) this.child.send({ kind: 'close' } satisfies ToReader);
  }
}

/** The hall's figures from one run: the terminals' own, and with `watching` the phones'. */
interface HallRun {
  lines: string[];
  issue: ReturnType<typeof stats>;
  callNext: ReturnType<typeof stats>;
  fan: ReturnType<typeof stats>;
  hubCpu: number;
  /** The hub's main thread during the load: how long it ran, and how long it waited for a processor. */
  hubThread: ThreadSchedule | undefined;
  /** What held every command of the hub during the load: its log's flushes and its collector's pauses. */
  stalls: HubStalls;
  /** The hub's own answer time p99 (its /metrics), ms. */
  hubOwnP99: { issue: number | undefined; call: number | undefined };
}

/**
 * The hall's load on a hub of its own: the tickets taken, the windows calling them. With `watching`,
 * a phone follows each ticket (the bench's figures); without, nobody does: the terminals' own
 * latencies under the same load, for what the phones add to them.
 */
async function runHall(watching: boolean): Promise<HallRun> {
  const lines: string[] = [];
  const say = (line: string) => lines.push(line);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'servicehall-bench-phones-'));
  // 3,000 phones from this one address, and thousands of commands a second: the limits are off.
  const hub = await spawnHub(dir, { SERVICEHALL_TOKEN: TOKEN, SERVICEHALL_LIMITS: LOAD_TEST_LIMITS });
  const pid = hub.child.pid!;
  const base = new URL(hub.url);
  const auth = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };
  let reader: PhoneReader | undefined;
  try {
    const put = await fetch(`${hub.url}/api/catalogue`, { method: 'PUT', headers: auth, body: JSON.stringify(benchCatalogue()) });
    if (put.status !== 200) throw new Error(`the bench catalogue was refused: ${await put.text()}`);
    const codes = benchCatalogue().items.map((i) => i.code);

    // The tickets the phones follow: taken first, so that the windows call them while the phones watch.
    const ticketIds: string[] = [];
    // Each answered with the path of its live page, /m/t/<reference>: only the hub makes references.
    const refs = new Map<string, string>();
    for (let i = 0; i < PHONES; i += 50) {
      const batch = await Promise.all(
        Array.from({ length: Math.min(50, PHONES - i) }, (_, j) =>
          fetch(`${hub.url}/api/tickets`, { method: 'POST', headers: auth, body: JSON.stringify({ serviceCode: codes[(i + j) % codes.length] }) }).then((r) => r.json() as Promise<{ ticket: { id: string }; link: string }>),
        ),
      );
      for (const b of batch) {
        ticketIds.push(b.ticket.id);
        refs.set(b.ticket.id, b.link.split('/').at(-1)!);
      }
    }
    await new Promise((r) => setTimeout(r, 500));
    const before = hallRssKb(pid);
    reader = watching ? new PhoneReader() : undefined;
    const first = reader ? await reader.follow(base, ticketIds.map((ticketId) => ({ ticketId, ref: refs.get(ticketId)! }))) : 0;
    const after = hallRssKb(pid);
    const servedBy = await streamsServedBy(hub.url);
    const phonesPid = childrenOf(pid)[0];

    const kiosks = await Promise.all(Array.from({ length: KIOSKS }, (_, i) => TestTerminal.connect(hub.wsUrl, { role: 'kiosk', terminal: `kiosk-${i + 1}`, token: TOKEN }, false)));
    const windows = await Promise.all(Array.from({ length: WINDOWS }, (_, i) => TestTerminal.connect(hub.wsUrl, { role: 'window', terminal: `window-${i + 1}`, window: i + 1, token: TOKEN }, false)));
    const displays = await Promise.all(Array.from({ length: DISPLAYS }, (_, i) => TestTerminal.connect(hub.wsUrl, { role: 'display', terminal: `display-${i + 1}`, token: TOKEN }, false)));
    const subscribers = [...kiosks, ...windows, ...displays];
    for (let n = 1; n <= WINDOWS; n++) {
      const res = await fetch(`${hub.url}/api/windows/${n}/open`, { method: 'POST', headers: auth, body: '{}' });
      if (res.status !== 200) throw new Error(`window ${n} did not open: ${await res.text()}`);
    }
    // The terminals' fan-out, as bench-hub measures it: each event at all 60 subscribers.
    const arrivals = new EventArrivals();
    for (const t of subscribers) t.ws.on('message', (data: Buffer) => arrivals.heard(data, performance.now()));
    reader?.reset();

    const latency: Record<string, number[]> = { issueTicket: [], callNext: [] };
    const sentAt = new Map<string, number>();
    /** When the command that made each hub sequence was sent. */
    const seqSent = new Map<number, number>();
    /** When the call of each ticket was sent. */
    const callSent = new Map<string, number>();
    let done = 0;
    const pause = () => new Promise((r) => setTimeout(r, PAUSE_MS * (0.5 + Math.random())));
    const timed = async (t: TestTerminal, body: CommandBody): Promise<Answer> => {
      await pause();
      const id = newCommandId();
      const t0 = performance.now();
      sentAt.set(id, t0);
      const answer = await t.command(body, id);
      latency[body.type]?.push(performance.now() - t0);
      if (answer.ok) {
        seqSent.set(answer.seq, t0);
        if (body.type === 'callNext' && answer.ticket) callSent.set(answer.ticket.id, t0);
      }
      done += 1;
      return answer;
    };
    const followed = new Set(ticketIds);
    const metricsBefore = await hubReading(hub.url, ['issueTicket'], ['callNext']);
    const loopDelay = monitorEventLoopDelay({ resolution: 1 });
    loopDelay.enable();
    const pauses = collectorPauses();
    const hubCpu0 = cpuSeconds(pid);
    const hubThread0 = threadSchedule(pid);
    const phonesCpu0 = phonesPid ? cpuSeconds(phonesPid) : 0;
    const phonesThread0 = phonesPid ? threadSchedule(phonesPid) : undefined;
    const benchCpu0 = process.cpuUsage();
    const readerCpu0 = reader ? cpuSeconds(reader.pid) : 0;
    const allCalled = () => [...followed].every((id) => callSent.has(id));
    const started = performance.now();
    const deadline = started + 60_000;
    const working = () => performance.now() < deadline && !allCalled();
    const kioskLoops = kiosks.map(async (k, i) => {
      for (let n = i; working(); n += KIOSKS) await timed(k, { type: 'issueTicket', serviceCode: codes[n % codes.length]!, lane: 'ordinary' });
    });
    const windowLoops = windows.map(async (w, i) => {
      const window = i + 1;
      while (working()) {
        const called = await timed(w, { type: 'callNext', window });
        if (!called.ok) continue;
        await timed(w, { type: 'startService', window });
        await timed(w, { type: 'finishService', window });
      }
    });
    await Promise.all([...kioskLoops, ...windowLoops]);
    const elapsed = (performance.now() - started) / 1000;
    const { answers, stalls } = readingBetween(metricsBefore, await hubReading(hub.url, ['issueTicket'], ['callNext']));
    const hubOwn = { issue: answers[0]!, call: answers[1]! };
    const hubCpu = cpuSeconds(pid) - hubCpu0;
    const hubThread = scheduleBetween(hubThread0, threadSchedule(pid));
    const phonesCpu = phonesPid ? cpuSeconds(phonesPid) - phonesCpu0 : 0;
    const phonesThread = phonesPid ? scheduleBetween(phonesThread0, threadSchedule(phonesPid)) : undefined;
    const benchCpu = process.cpuUsage(benchCpu0);
    const readerCpu = reader ? cpuSeconds(reader.pid) - readerCpu0 : 0;
    loopDelay.disable();
    const benchGc = pauses();
    await new Promise((r) => setTimeout(r, 500));
    const phones = (await reader?.report()) ?? [];

    const callToPhone: number[] = [];
    let missed = 0;
    for (const p of phones) {
      const t0 = callSent.get(p.ticketId);
      const frame = p.frames.find((f) => f.called);
      if (t0 === undefined) continue;
      if (!frame) {
        missed += 1;
        if (process.env.BENCH_HUB_LOG) say(`    never told its call: ${p.ticketId}, ${p.frames.length} frames, the last ${JSON.stringify(p.frames.at(-1))}, ended ${p.ended}`);
      }
      else callToPhone.push(frame.at - t0);
    }
    // Near the front (10 ahead or fewer) every move is told at once; further back, within 2 s, the phone looked at again then:
    // each is how old the state told was when it arrived (from the command that made the hall it shows).
    const nearToPhone: number[] = [];
    const farToPhone: number[] = [];
    for (const p of phones)
      for (const f of p.frames) if (seqSent.has(f.version)) (f.issued && f.ahead > 10 ? farToPhone : nearToPhone).push(f.at - seqSent.get(f.version)!);
    const fanOut: number[] = [];
    for (const [id, arrival] of arrivals.entries()) {
      const t0 = sentAt.get(id);
      if (t0 !== undefined && arrival.terminals >= subscribers.length) fanOut.push(arrival.last - t0);
    }
    const frames = phones.reduce((n, p) => n + p.frames.length, 0);
    const call = stats(callToPhone);
    const near = stats(nearToPhone);
    const far = stats(farToPhone);
    const issue = stats(latency.issueTicket!);
    const callNext = stats(latency.callNext!);
    const fan = stats(fanOut);
    const ms = (x: number) => `${x.toFixed(1)} ms`;
    say(`Phones following their tickets: ${PHONES} server-sent-event streams on one hub (its own process), ${WINDOWS} windows and ${KIOSKS} kiosks working, paced (~${PAUSE_MS} ms between a terminal's commands), ${os.cpus().length} cores`);
    say(`  streams open and answered         ${first} of ${phones.length} (${servedBy})`);
    say(`  hub memory (RSS, with its phones' process) ${(before / 1024).toFixed(1)} MB before the phones, ${(after / 1024).toFixed(1)} MB with them: ${((after - before) / phones.length).toFixed(1)} KB per watching phone`);
    say(`  the hall meanwhile                ${(done / elapsed).toFixed(0)} commands/s for ${elapsed.toFixed(1)} s, until all ${PHONES} followed tickets were called`);
    say(`  CPU used                          hub ${((hubCpu / elapsed) * 100).toFixed(0)}% of a core, its phones' process ${((phonesCpu / elapsed) * 100).toFixed(0)}%, this bench's terminals ${(((benchCpu.user + benchCpu.system) / 1e6 / elapsed) * 100).toFixed(0)}% (${((benchCpu.system / 1e6 / elapsed) * 100).toFixed(0)}% of it in the kernel) and its phones ${((readerCpu / elapsed) * 100).toFixed(0)}%; load average ${os.loadavg()[0]!.toFixed(1)} on ${os.cpus().length} cores`);
    say(`  the hub's thread meanwhile        ${describeSchedule(hubThread)}`);
    // The phones' process runs at a lower priority: how long it waited for a core is how late it tells the phones.
    if (watching) say(`  its phones' process's thread      ${describeSchedule(phonesThread)}`);
    say(`  what held every command          ${describeStalls(stalls)}`);
    say(`  this bench's own event loop        delay p50 ${ms(loopDelay.percentile(50) / 1e6)}   p99 ${ms(loopDelay.percentile(99) / 1e6)}   max ${ms(loopDelay.max / 1e6)}; ${describePauses(benchGc)} (what its figures below may owe to the measuring process)`);
    say(`  the call reaching its phone       p50 ${ms(call.p50)}   p99 ${ms(call.p99)}   max ${ms(call.max)}   (n=${call.n}${missed ? `, ${missed} calls never reached their phone` : ''})`);
    say(`  a move near the front (<= 10)     p50 ${ms(near.p50)}   p99 ${ms(near.p99)}   max ${ms(near.max)}   (n=${near.n})`);
    say(`  a move further back (age when told) p50 ${ms(far.p50)}   p99 ${ms(far.p99)}   (n=${far.n}; ${frames} messages to phones in all)`);
    say(`  issueTicket latency               p50 ${ms(issue.p50)}   p99 ${ms(issue.p99)}   (n=${issue.n})`);
    say(`  callNext latency                  p50 ${ms(callNext.p50)}   p99 ${ms(callNext.p99)}   (n=${callNext.n})`);
    say(`  the hub's own answer time        issueTicket ${hubOwnFigure(hubOwn.issue)};  callNext ${hubOwnFigure(hubOwn.call)}   (its /metrics: from the command read and checked to its answer)`);
    say(`  event to all ${subscribers.length} terminals         p50 ${ms(fan.p50)}   p99 ${ms(fan.p99)}   (n=${fan.n})`);
    say('  goals: the call at every phone p99 < 200 ms; < 50 KB per watching phone; terminals p99 < 10 ms, fan-out p99 < 20 ms');
    for (const t of subscribers) t.close();
    return { lines, issue, callNext, fan, hubCpu: hubCpu / elapsed, hubThread, stalls, hubOwnP99: { issue: quantileMs(hubOwn.issue, 0.99), call: quantileMs(hubOwn.call, 0.99) } };
  } finally {
    reader?.close();
    await hub.kill('SIGTERM');
    // BENCH_HUB_LOG=FILE: the hub's log of the run (with its phones' process's), for a run to look into.
    if (process.env.BENCH_HUB_LOG) fs.writeFileSync(`${process.env.BENCH_HUB_LOG}.${watching ? 'phones' : 'alone'}`, hub.output());
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * `npm run bench`'s phones: the hall with 3,000 phones following their tickets, then the same load on
 * a fresh hub with no phone watching, whose terminals' latencies say what the phones add to them.
 */
export async function runPhoneBench(): Promise<void> {
  const withPhones = await runHall(true);
  for (const line of withPhones.lines) console.log(line);
  const alone = await runHall(false);
  const ms = (x: number) => `${x.toFixed(1)} ms`;
  const pair = (a: ReturnType<typeof stats>, b: ReturnType<typeof stats>) => `p50 ${ms(a.p50)}   p99 ${ms(a.p99)}   (with the phones p99 ${ms(b.p99)})`;
  console.log(`  the same load, no phone watching (a hub of its own, after the run above): hub ${(alone.hubCpu * 100).toFixed(0)}% of a core (with the phones ${(withPhones.hubCpu * 100).toFixed(0)}%)`);
  console.log(`    issueTicket latency             ${pair(alone.issue, withPhones.issue)}`);
  console.log(`    callNext latency                ${pair(alone.callNext, withPhones.callNext)}`);
  console.log(`    event to all the terminals      ${pair(alone.fan, withPhones.fan)}`);
  const own = (x: number | undefined) => (x === undefined ? '-' : ms(x));
  console.log(`    the hub's thread                ${describeSchedule(alone.hubThread)}   (with the phones it waited ${waitedFigure(withPhones.hubThread)})`);
  console.log(`    what held every command         ${stallsCell(alone.stalls)}   (with the phones ${stallsCell(withPhones.stalls)})`);
  console.log(`    the hub's own answer p99        issueTicket ${own(alone.hubOwnP99.issue)}, callNext ${own(alone.hubOwnP99.call)}   (with the phones ${own(withPhones.hubOwnP99.issue)} and ${own(withPhones.hubOwnP99.call)})`);
}

if (process.argv[1]?.endsWith('bench-phones.ts')) {
  await useBuiltHub();
  benchGivesWay();
  await runPhoneBench();
}
