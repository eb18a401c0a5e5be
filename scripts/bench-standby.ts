import { HallClient } from '@servicehall/client';
import { demoCatalogue } from '@servicehall/fixtures';
import type { Answer } from '@servicehall/protocol';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, HUB_PROCESS_TOKEN, LOAD_TEST_LIMITS, spawnHub, type HubProcess } from '../packages/hub/src/testing/hub-process';
import { TestTerminal } from '../packages/hub/src/testing/terminal';
import { useBuiltHub } from './build-hub';

/**
 * The standby hub (packages/hub/src/replication.ts), each hub its own process on this machine:
 * what semi-synchronous acknowledgement adds to a command's answer (the same presses against a
 * hub alone and against a primary whose standby is in step), and the failover time, from the
 * primary's SIGKILL to a kiosk's first ticket from the standby: by the standby itself after the
 * configured silence, and by an operator's promote.
 */
/** The demo hall's items without a daily quota, one per prefix: thousands of presses are all issued. */
const SERVICES = (() => {
  const seen = new Set<string>();
  return demoCatalogue({ allDay: true })
    .items.filter((i) => i.dailyQuota === undefined && !seen.has(i.prefix) && seen.add(i.prefix))
    .map((i) => i.code);
})();
const SEQUENTIAL = 400;
const BURST = 400;

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;
const ms = (x: number) => `${x.toFixed(2)} ms`;

async function pair(work: string, autoPromoteS?: number): Promise<{ primary: HubProcess; standby: HubProcess; urls: string[] }> {
  const [portA, portB] = [await freePort(), await freePort()];
  const [dirA, dirB] = [path.join(work, `a-${portA}`), path.join(work, `b-${portB}`)];
  fs.mkdirSync(dirB, { recursive: true });
  const auto: Record<string, string> = autoPromoteS ? { SERVICEHALL_PROMOTE_AFTER_S: String(autoPromoteS) } : {};
  const primary = await spawnHub(dirA, { SERVICEHALL_LIMITS: LOAD_TEST_LIMITS, SERVICEHALL_PEER: `http://127.0.0.1:${portB}`, ...auto }, portA);
  fs.copyFileSync(path.join(dirA, 'hall.key'), path.join(dirB, 'hall.key'));
  const standby = await spawnHub(dirB, { SERVICEHALL_LIMITS: LOAD_TEST_LIMITS, SERVICEHALL_PEER: `http://127.0.0.1:${portA}`, SERVICEHALL_STANDBY: '1', ...auto }, portB);
  for (const started = Date.now(); ; ) {
    const status = (await (await fetch(`${primary.url}/replication/status`, { headers: { authorization: `Bearer ${HUB_PROCESS_TOKEN}` } })).json()) as { standby: string };
    if (status.standby === 'in-step') break;
    if (Date.now() - started > 20_000) throw new Error('the standby did not come in step within 20 s');
    await new Promise((r) => setTimeout(r, 100));
  }
  return { primary, standby, urls: [primary.wsUrl, standby.wsUrl] };
}

/**
 * The same presses against a hub alone and against a primary with its standby, taken in turns (one
 * press here, one there; a burst here, a burst there) so that both meet the same load of the
 * machine: one at a time (each answer awaited), then bursts from four kiosks at once.
 */
async function latencies(hubs: HubProcess[]): Promise<{ one: number[]; burst: number[] }[]> {
  const kiosks = await Promise.all(hubs.map((hub) => Promise.all([1, 2, 3, 4].map((n) => TestTerminal.connect(hub.wsUrl, { role: 'kiosk', terminal: `bench-kiosk-${n}`, token: hub.token }, false)))));
  const press = async (k: TestTerminal, i: number) => {
    const t = performance.now();
    const a = await k.command({ type: 'issueTicket', serviceCode: SERVICES[i % SERVICES.length]!, lane: 'ordinary' });
    if (!a.ok) throw new Error(`a press was refused: ${a.code}`);
    return performance.now() - t;
  };
  const out = hubs.map(() => ({ one: [] as number[], burst: [] as number[] }));
  for (let i = 0; i < 30; i++) for (const ks of kiosks) await press(ks[0]!, i);
  for (let i = 0; i < SEQUENTIAL; i++) for (const [h, ks] of kiosks.entries()) out[h]!.one.push(await press(ks[0]!, i));
  for (let round = 0; round < 4; round++)
    for (const [h, ks] of (round % 2 ? [...kiosks.entries()].reverse() : [...kiosks.entries()]))
      out[h]!.burst.push(...(await Promise.all(Array.from({ length: BURST / 4 }, (_, i) => press(ks[i % 4]!, i)))));
  for (const k of kiosks.flat()) k.close();
  return out;
}

/** A kiosk with both hubs pressing every 20 ms; the time from the primary's SIGKILL to its first ticket from the standby. */
async function failover(p: { primary: HubProcess; standby: HubProcess; urls: string[] }, promote?: () => Promise<void>): Promise<{ ms: number; lost: number; answered: number; alone: number }> {
  const kiosk = new HallClient({ url: p.urls[0]!, standbyUrls: p.urls.slice(1), token: HUB_PROCESS_TOKEN, role: 'kiosk', terminal: 'failover-kiosk' });
  await kiosk.whenInStep(0, 20_000);
  const answers: Promise<Answer>[] = [];
  let firstFromStandby: number | undefined;
  let pressing = true;
  const presses = (async () => {
    for (let i = 0; pressing; i++) {
      answers.push(
        kiosk.send({ type: 'issueTicket', serviceCode: SERVICES[i % SERVICES.length]!, lane: 'ordinary' }).then((a) => {
          if (a.ok && kiosk.hubEpoch > 1 && firstFromStandby === undefined) firstFromStandby = performance.now();
          return a;
        }),
      );
      await new Promise((r) => setTimeout(r, 20));
    }
  })();
  await new Promise((r) => setTimeout(r, 1000));
  // Batches the primary answered without its standby (it did not acknowledge within the timeout): those a failover may lose.
  const before = (await (await fetch(`${p.primary.url}/replication/status`, { headers: { authorization: `Bearer ${HUB_PROCESS_TOKEN}` } })).json()) as { unacknowledged: number };
  const killedAt = performance.now();
  await p.primary.kill('SIGKILL');
  await promote?.();
  while (firstFromStandby === undefined && performance.now() - killedAt < 30_000) await new Promise((r) => setTimeout(r, 5));
  await new Promise((r) => setTimeout(r, 500));
  pressing = false;
  await presses;
  const all = await Promise.all(answers);
  kiosk.close();
  const numbers = all.filter((a) => a.ok).map((a) => (a.ok ? a.ticket?.number : ''));
  const queue = (await (await fetch(`${p.standby.url}/api/queue`, { headers: { authorization: `Bearer ${HUB_PROCESS_TOKEN}` } })).json()) as { tickets: { number: string }[] };
  const held = new Set(queue.tickets.map((t) => t.number));
  return { ms: (firstFromStandby ?? Number.NaN) - killedAt, lost: numbers.filter((n) => !held.has(n!)).length, answered: numbers.length, alone: before.unacknowledged };
}

export async function runStandbyBench(): Promise<void> {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'servicehall-bench-standby-'));
  const hubs: HubProcess[] = [];
  try {
    console.log(`Standby hub: each hub its own process on this machine (${os.cpus().length} cores, load average ${os.loadavg()[0]!.toFixed(1)}); a kiosk's ticket over loopback WebSocket`);
    const alone = await spawnHub(path.join(work, 'alone'), { SERVICEHALL_LIMITS: LOAD_TEST_LIMITS });
    hubs.push(alone);
    const p = await pair(work);
    hubs.push(p.primary, p.standby);
    const [a, b] = (await latencies([alone, p.primary])) as [{ one: number[]; burst: number[] }, { one: number[]; burst: number[] }];
    await alone.kill();
    const row = (name: string, x: number[], y: number[]) =>
      console.log(`  ${name.padEnd(44)} alone p50 ${ms(pct(x, 50))}, p99 ${ms(pct(x, 99))};  with its standby p50 ${ms(pct(y, 50))}, p99 ${ms(pct(y, 99))};  added p50 ${ms(pct(y, 50) - pct(x, 50))}`);
    row(`one press at a time (${SEQUENTIAL})`, a.one, b.one);
    row(`bursts of ${BURST / 4} presses from four kiosks (×4)`, a.burst, b.burst);
    await p.standby.kill();
    await p.primary.kill();

    const auto = await pair(work, 1);
    hubs.push(auto.primary, auto.standby);
    const byItself = await failover(auto);
    console.log(
      `  failover by the standby itself (SERVICEHALL_PROMOTE_AFTER_S=1): ${(byItself.ms / 1000).toFixed(2)} s from the primary's SIGKILL to the kiosk's first ticket from the standby; ${byItself.answered} tickets acknowledged, ${byItself.lost} of them missing at the standby (batches answered without the standby before the kill: ${byItself.alone})`,
    );
    await auto.standby.kill();
    const manual = await pair(work);
    hubs.push(manual.primary, manual.standby);
    const byOperator = await failover(manual, async () => {
      const res = await fetch(`${manual.standby.url}/replication/promote`, { method: 'POST', headers: { authorization: `Bearer ${HUB_PROCESS_TOKEN}` } });
      if (res.status !== 200) throw new Error(`promote answered ${res.status}`);
    });
    console.log(
      `  failover by an operator's promote at the moment of the kill: ${(byOperator.ms / 1000).toFixed(2)} s to the kiosk's first ticket from the standby; ${byOperator.answered} acknowledged, ${byOperator.lost} missing (answered without the standby: ${byOperator.alone})`,
    );
  } finally {
    for (const h of hubs) await h.kill('SIGKILL');
    fs.rmSync(work, { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  await useBuiltHub();
  await runStandbyBench();
}
