import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { spawnHub, type HubProcess } from '../testing/hub-process';

/**
 * The phones' streams in the hub's own phones' process, as the command line runs the hub: the hub
 * checks a phone's request and hands its connection over; the process follows the hall and tells
 * the phone; a stopped process is started again, and meanwhile the hub serves the phones itself.
 */

let hub: HubProcess | undefined;
const dirs: string[] = [];
const phones: Phone[] = [];
afterEach(async () => {
  for (const p of phones.splice(0)) p.close();
  await hub?.kill('SIGKILL');
  hub = undefined;
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(what: string, check: () => Promise<T | undefined> | T | undefined, ms = 15_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error(`${what}: not within ${ms} ms`);
    await sleep(50);
  }
}

interface Phone {
  status: number;
  headers: http.IncomingHttpHeaders;
  states: { state: string; window?: number; ahead: number }[];
  ended: boolean;
  close(): void;
}

/** A phone's EventSource, read by hand. */
function watch(h: HubProcess, ref: string): Promise<Phone> {
  return new Promise((resolve, reject) => {
    const req = http.get(`${h.url}/api/phone/tickets/${ref}/watch`, { headers: { accept: 'text/event-stream' } }, (res) => {
      const phone: Phone = { status: res.statusCode ?? 0, headers: res.headers, states: [], ended: false, close: () => req.destroy() };
      phones.push(phone);
      res.setEncoding('utf8');
      let buffer = '';
      res.on('data', (chunk: string) => {
        buffer += chunk;
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const data = block.split('\n').find((l) => l.startsWith('data: '));
          if (block.includes('event: ticket') && data) phone.states.push(JSON.parse(data.slice(6)) as Phone['states'][number]);
        }
      });
      res.on('close', () => (phone.ended = true));
      resolve(phone);
    });
    req.on('error', reject);
  });
}

async function metric(h: HubProcess, name: string): Promise<number | undefined> {
  const text = await (await fetch(`${h.url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return line === undefined ? undefined : Number(line.slice(name.length + 1));
}

/** The processes the hub started, from the kernel (Linux). */
function childrenOf(pid: number): number[] {
  return fs.readdirSync(`/proc/${pid}/task`).flatMap((t) => fs.readFileSync(`/proc/${pid}/task/${t}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number));
}

async function post(h: HubProcess, route: string, body: unknown): Promise<Record<string, unknown>> {
  const res = await fetch(h.url + route, { method: 'POST', headers: { authorization: `Bearer ${h.token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return (await res.json()) as Record<string, unknown>;
}

/** A hub as the command line runs it, with the phones' streams limited to `perAddress` from one address. */
async function hallHub(perAddress = 5000) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'servicehall-phones-process-'));
  dirs.push(dir);
  hub = await spawnHub(dir, { SERVICEHALL_LIMITS: JSON.stringify({ phone: { streamsPerAddress: perAddress } }) });
  const h = hub;
  await until("the phones' process serving", async () => ((await metric(h, 'servicehall_phone_process_up')) === 1 ? true : undefined));
  const catalogue = (await (await fetch(`${h.url}/api/catalogue`, { headers: { authorization: `Bearer ${h.token}` } })).json()) as { items: { code: string }[]; windows: { number: number; serves: string[] }[] };
  const code = catalogue.items[0]!.code;
  const window = catalogue.windows.find((w) => w.serves.includes(code))!.number;
  const take = async () => {
    const answer = (await post(h, '/api/tickets', { serviceCode: code })) as { ok: boolean; ticket: { number: string }; link: string };
    expect(answer.ok).toBe(true);
    return { number: answer.ticket.number, ref: answer.link.split('/').at(-1)! };
  };
  return { h, window, take };
}

const servedBy = (h: HubProcess, who: 'hub' | 'process') => metric(h, `servicehall_phone_streams{served_by="${who}"}`);

describe("the phones' own process", () => {
  it('serves a phone the hub handed over: its ticket at once, then its call', async () => {
    const { h, window, take } = await hallHub();
    const first = await take();
    const second = await take();
    const phone = await watch(h, second.ref);
    expect(phone.status).toBe(200);
    expect(phone.headers['content-type']).toMatch(/^text\/event-stream/);
    await until('the ticket told', () => phone.states.at(-1));
    expect(phone.states.at(-1)).toMatchObject({ state: 'issued', ahead: 1 });
    expect(await servedBy(h, 'process')).toBe(1);
    expect(await servedBy(h, 'hub')).toBe(0);

    expect(await post(h, `/api/windows/${window}/open`, { clerk: '1001' })).toMatchObject({ ok: true });
    expect(await post(h, `/api/windows/${window}/call-next`, {})).toMatchObject({ ok: true, ticket: { number: first.number } });
    await until('one ahead no more', () => phone.states.find((s) => s.state === 'issued' && s.ahead === 0));
    // A call, its service begun and ended straight after: the phone is told of the call itself (it rings), not only of the end.
    await post(h, `/api/windows/${window}/start`, {});
    await post(h, `/api/windows/${window}/finish`, {});
    await post(h, `/api/windows/${window}/call-next`, {});
    await post(h, `/api/windows/${window}/start`, {});
    await post(h, `/api/windows/${window}/finish`, {});
    await until('the call told', () => phone.states.find((s) => s.state === 'called'));
    expect(phone.states.find((s) => s.state === 'called')).toMatchObject({ window });
  }, 60_000);

  it("gives a phone's place back to its address when its stream ends there", async () => {
    const { h, take } = await hallHub(2);
    const t = await take();
    const a = await watch(h, t.ref);
    const b = await watch(h, t.ref);
    expect([a.status, b.status]).toEqual([200, 200]);
    expect((await watch(h, t.ref)).status).toBe(429);
    a.close();
    await until('the ended stream counted out', async () => ((await servedBy(h, 'process')) === 1 ? true : undefined));
    expect((await watch(h, t.ref)).status).toBe(200);
  }, 60_000);

  it('is started again when it stops, and meanwhile the hub serves the phones itself', async () => {
    const { h, take } = await hallHub();
    const t = await take();
    const before = await watch(h, t.ref);
    await until('the ticket told', () => before.states.at(-1));
    const [pid] = childrenOf(h.child.pid!);
    expect(pid).toBeGreaterThan(0);
    process.kill(pid!, 'SIGKILL');
    // Its phones lose their stream (EventSource asks again), and the hub takes the next ones.
    await until('the phone cut off', () => (before.ended ? true : undefined));
    await until('the process seen down', async () => ((await metric(h, 'servicehall_phone_process_up')) === 0 ? true : undefined), 5_000);
    const meanwhile = await watch(h, t.ref);
    expect(meanwhile.status).toBe(200);
    await until('the ticket told by the hub', () => meanwhile.states.at(-1));
    expect(await servedBy(h, 'hub')).toBe(1);
    // Started again (after a second): the next phone goes to it.
    await until('the process back', async () => ((await metric(h, 'servicehall_phone_process_up')) === 1 ? true : undefined));
    expect(await metric(h, 'servicehall_phone_process_starts')).toBe(2);
    expect(childrenOf(h.child.pid!)).not.toContain(pid);
    const after = await watch(h, t.ref);
    await until('the ticket told by the process', () => after.states.at(-1));
    expect(await servedBy(h, 'process')).toBe(1);
    expect(await servedBy(h, 'hub')).toBe(1);
    // A clean stop does not wait for connections handed to the process that stopped.
    const stopping = Date.now();
    await h.kill('SIGTERM');
    expect(h.child.exitCode).toBe(0);
    expect(Date.now() - stopping).toBeLessThan(10_000);
  }, 60_000);

  it('stops with the hub, its phones told the stream is over', async () => {
    const { h, take } = await hallHub();
    const phone = await watch(h, (await take()).ref);
    await until('the ticket told', () => phone.states.at(-1));
    const [pid] = childrenOf(h.child.pid!);
    const stopped = Date.now();
    await h.kill('SIGTERM');
    expect(Date.now() - stopped).toBeLessThan(10_000);
    await until('the phone let go', () => (phone.ended ? true : undefined));
    await until('the process gone', () => {
      try {
        process.kill(pid!, 0);
        return undefined;
      } catch {
        return true;
      }
    });
  }, 60_000);
});
