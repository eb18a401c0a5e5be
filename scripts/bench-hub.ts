import type { Catalogue, CommandBody, HallEvent } from '@servicehall/core';
import { demoCatalogue } from '@servicehall/fixtures';
import type { Answer } from '@servicehall/protocol';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { LOAD_TEST_LIMITS, spawnHub } from '../packages/hub/src/testing/hub-process';
import { TestTerminal } from '../packages/hub/src/testing/terminal';

/**
 * The hub under a hall's load, over loopback WebSocket, the hub in its own process as in a hall:
 * 50 windows and 4 kiosks connected, plus 6 displays, so that 60 terminals receive every event.
 */
const WINDOWS = 50;
const KIOSKS = 4;
const DISPLAYS = 6;
const SECONDS = Number(process.env.BENCH_SECONDS ?? '5');
const BENCH_TOKEN = 'bench-token-of-the-hall';

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

export function stats(values: number[]) {
  const s = [...values].sort((a, b) => a - b);
  return { n: s.length, p50: percentile(s, 50), p99: percentile(s, 99), max: s[s.length - 1] ?? NaN };
}

const ms = (x: number) => `${x.toFixed(2)} ms`;

export function benchCatalogue(): Catalogue {
  const c = demoCatalogue({ allDay: true });
  for (const item of c.items) delete item.dailyQuota;
  c.numbering = { digits: 5, first: 1, last: 99_999 };
  c.queue.recallCooldownSeconds = 0;
  const codes = c.items.map((i) => i.code);
  c.windows = Array.from({ length: WINDOWS }, (_, i) => ({
    number: i + 1,
    name: `${i + 1}号窗口`,
    serves: [codes[i % codes.length]!, codes[(i + 7) % codes.length]!, codes[(i + 13) % codes.length]!],
  }));
  return c;
}

export async function runHubBench(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'servicehall-bench-'));
  // A load test: 60 terminals on one address, far beyond a person's pace.
  const hub = await spawnHub(dir, { SERVICEHALL_TOKEN: BENCH_TOKEN, SERVICEHALL_LIMITS: LOAD_TEST_LIMITS });
  try {
    const catalogue = benchCatalogue();
    const put = await fetch(`${hub.url}/api/catalogue`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${BENCH_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify(catalogue),
    });
    if (put.status !== 200) throw new Error(`the bench catalogue was refused: ${await put.text()}`);
    const token = hub.token;
    const kiosks = await Promise.all(Array.from({ length: KIOSKS }, (_, i) => TestTerminal.connect(hub.wsUrl, { role: 'kiosk', terminal: `kiosk-${i + 1}`, token }, false)));
    const windows = await Promise.all(
      Array.from({ length: WINDOWS }, (_, i) => TestTerminal.connect(hub.wsUrl, { role: 'window', terminal: `window-${i + 1}`, window: i + 1, token }, false)),
    );
    const displays = await Promise.all(Array.from({ length: DISPLAYS }, (_, i) => TestTerminal.connect(hub.wsUrl, { role: 'display', terminal: `display-${i + 1}`, token }, false)));
    const subscribers = [...kiosks, ...windows, ...displays];
    // The administrator opens the windows (a window terminal itself signs in with a clerk's PIN).
    for (let n = 1; n <= WINDOWS; n++) {
      const res = await fetch(`${hub.url}/api/windows/${n}/open`, { method: 'POST', headers: { authorization: `Bearer ${BENCH_TOKEN}`, 'content-type': 'application/json' }, body: '{}' });
      if (res.status !== 200) throw new Error(`window ${n} did not open: ${await res.text()}`);
    }

    // Fan-out: when each subscriber received the event of each command, by command id.
    const arrivals = new Map<string, number[]>();
    for (const t of subscribers)
      t.ws.on('message', (data) => {
        const now = performance.now();
        const text = data.toString();
        if (!text.startsWith('{"type":"events"')) return;
        for (const e of (JSON.parse(text) as { events: HallEvent[] }).events) if (e.commandId) (arrivals.get(e.commandId) ?? arrivals.set(e.commandId, []).get(e.commandId)!).push(now);
      });

    const codes = catalogue.items.map((i) => i.code);
    /** Every terminal works in a loop, pausing `pauseMs` between its commands (0: as fast as the hub answers). */
    const phase = async (pauseMs: number) => {
      const latency: Record<string, number[]> = { issueTicket: [], callNext: [], startService: [], finishService: [] };
      const sentAt = new Map<string, number>();
      arrivals.clear();
      let done = 0;
      const pause = () => (pauseMs > 0 ? new Promise((r) => setTimeout(r, pauseMs * (0.5 + Math.random()))) : undefined);
      const timed = async (t: TestTerminal, body: CommandBody): Promise<Answer> => {
        await pause();
        const id = randomUUID();
        const t0 = performance.now();
        sentAt.set(id, t0);
        const answer = await t.command(body, id);
        latency[body.type]?.push(performance.now() - t0);
        done += 1;
        return answer;
      };
      const deadline = performance.now() + SECONDS * 1000;
      const started = performance.now();
      const kioskLoops = kiosks.map(async (k, i) => {
        for (let n = i; performance.now() < deadline; n += KIOSKS)
          await timed(k, { type: 'issueTicket', serviceCode: codes[n % codes.length]!, lane: n % 5 === 0 ? 'priority' : 'ordinary', priorityReason: n % 5 === 0 ? 'elderly' : undefined });
      });
      const windowLoops = windows.map(async (w, i) => {
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
      await new Promise((r) => setTimeout(r, 300));
      const fanOut: number[] = [];
      let incomplete = 0;
      for (const [id, times] of arrivals) {
        const t0 = sentAt.get(id);
        if (t0 === undefined) continue;
        if (times.length < subscribers.length) incomplete += 1;
        else fanOut.push(Math.max(...times) - t0);
      }
      return { rate: done / elapsed, done, issue: stats(latency.issueTicket!), call: stats(latency.callNext!), fanOut: stats(fanOut), incomplete };
    };

    const report = (title: string, r: Awaited<ReturnType<typeof phase>>) => {
      console.log(`  ${title}`);
      console.log(`    commands per second          ${r.rate.toFixed(0)}   (${r.done} commands; each a transaction of its own (a savepoint), those arriving together committed at once, synchronous=FULL)`);
      console.log(`    issueTicket latency          p50 ${ms(r.issue.p50)}   p99 ${ms(r.issue.p99)}   (n=${r.issue.n})`);
      console.log(`    callNext latency             p50 ${ms(r.call.p50)}   p99 ${ms(r.call.p99)}   (n=${r.call.n})`);
      console.log(`    event to all ${subscribers.length} subscribers  p50 ${ms(r.fanOut.p50)}   p99 ${ms(r.fanOut.p99)}   max ${ms(r.fanOut.max)}   (n=${r.fanOut.n}${r.incomplete ? `, ${r.incomplete} not yet everywhere` : ''})`);
    };
    console.log(`Hub over loopback WebSocket: ${WINDOWS} windows and ${KIOSKS} kiosks working, ${subscribers.length} subscribers, ${SECONDS} s a phase, ${os.cpus().length} cores`);
    report('saturated: every terminal sends its next command as soon as it has its answer', await phase(0));
    report('paced: each terminal pauses about 25 ms between commands (about 2,000 commands/s offered)', await phase(25));
    report('paced: each terminal pauses about 50 ms between commands (about 1,000 commands/s offered)', await phase(50));
    console.log('  goals: >= 2000 commands/s; p99 < 10 ms; event to 60 subscribers p99 < 20 ms');
    for (const t of subscribers) t.close();
  } finally {
    await hub.kill('SIGTERM');
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1]?.endsWith('bench-hub.ts')) await runHubBench();
