import type { Ticket } from '@servicehall/core';
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { initTls } from '../init-tls';
import { alive } from '../integrity';
import { hallWithTicketsWaiting } from '../testing/hall-db';
import { childrenOf, freePort, metricIn, spawnHub, type HubProcess } from '../testing/hub-process';
import { SCHED_IDLE, SCHED_OTHER, threadPolicies, threadPolicy } from '../testing/ordinary-policy';
import { PhoneStreams } from './streams';

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

/** Waits for a check to pass (vitest's waitFor), 15 s at most unless told. */
const eventually = (check: () => unknown, timeout = 15_000) => vi.waitFor(check, { timeout, interval: 50 });

interface Phone {
  status: number;
  headers: http.IncomingHttpHeaders;
  states: { state: string; window?: number; ahead: number }[];
  ended: boolean;
  close(): void;
}

/** A phone's EventSource, read by hand: at the hub's address, or at `base` (the citizens' listener) with the headers a proxy adds. */
function watch(h: HubProcess, ref: string, base = h.url, headers: Record<string, string> = {}): Promise<Phone> {
  return new Promise((resolve, reject) => {
    const req = http.get(`${base}/api/phone/tickets/${ref}/watch`, { headers: { accept: 'text/event-stream', ...headers } }, (res) => {
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
  return metricIn(await (await fetch(`${h.url}/metrics`)).text(), name);
}

async function post(h: HubProcess, route: string, body: unknown): Promise<Record<string, unknown>> {
  const res = await fetch(h.url + route, { method: 'POST', headers: { authorization: `Bearer ${h.token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return (await res.json()) as Record<string, unknown>;
}

/** A hub as the command line runs it, with the phones' streams limited to `perAddress` from one address. */
async function hallHub(perAddress = 5000, env: Record<string, string> = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'servicehall-phones-process-'));
  dirs.push(dir);
  hub = await spawnHub(dir, { SERVICEHALL_LIMITS: JSON.stringify({ phone: { streamsPerAddress: perAddress } }), ...env });
  const h = hub;
  await eventually(async () => expect(await metric(h, 'servicehall_phone_process_up')).toBe(1));
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
    await eventually(() => expect(phone.states.length).toBeGreaterThan(0));
    expect(phone.states.at(-1)).toMatchObject({ state: 'issued', ahead: 1 });
    expect(await servedBy(h, 'process')).toBe(1);
    expect(await servedBy(h, 'hub')).toBe(0);

    expect(await post(h, `/api/windows/${window}/open`, { clerk: '1001' })).toMatchObject({ ok: true });
    expect(await post(h, `/api/windows/${window}/call-next`, {})).toMatchObject({ ok: true, ticket: { number: first.number } });
    await eventually(() => expect(phone.states).toContainEqual(expect.objectContaining({ state: 'issued', ahead: 0 })));
    // A call, its service begun and ended straight after: the phone is told of the call itself (it rings), not only of the end.
    await post(h, `/api/windows/${window}/start`, {});
    await post(h, `/api/windows/${window}/finish`, {});
    await post(h, `/api/windows/${window}/call-next`, {});
    await post(h, `/api/windows/${window}/start`, {});
    await post(h, `/api/windows/${window}/finish`, {});
    await eventually(() => expect(phone.states.map((s) => s.state)).toContain('called'));
    expect(phone.states.find((s) => s.state === 'called')).toMatchObject({ window });
  }, 60_000);

  // Linux keeps a scheduling policy and a nice value per thread (threadPolicies).
  it.skipIf(process.platform !== 'linux')("gives way to the hub's thread: each of its threads at nice 10 under SCHED_IDLE, the hub's own as they were", async () => {
    const { h } = await hallHub();
    const [pid] = childrenOf(h.child.pid!);
    await eventually(() => expect(new Set(threadPolicies(pid!).map((t) => `${t.nice} ${t.policy}`))).toEqual(new Set([`10 ${SCHED_IDLE}`])));
    expect(threadPolicies(h.child.pid!)).toContainEqual({ nice: 0, policy: SCHED_OTHER });
    expect(threadPolicies(h.child.pid!).some((t) => t.policy === SCHED_IDLE)).toBe(false);
  }, 60_000);

  it.skipIf(process.platform !== 'linux')('keeps its nice value where chrt cannot be found, says so once, and serves the phones all the same', async () => {
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'servicehall-no-chrt-'));
    dirs.push(empty);
    const { h, take } = await hallHub(5000, { PATH: empty });
    await eventually(() => expect(h.output()).toContain('not under SCHED_IDLE'));
    const [pid] = childrenOf(h.child.pid!);
    expect(threadPolicy(pid!)).toEqual({ nice: 10, policy: SCHED_OTHER });
    const phone = await watch(h, (await take()).ref);
    await eventually(() => expect(phone.states.length).toBeGreaterThan(0));
    expect(await servedBy(h, 'process')).toBe(1);
    expect(h.output().split('not under SCHED_IDLE').length - 1).toBe(1);
  }, 60_000);

  it("gives a phone's place back to its address when its stream ends there", async () => {
    const { h, take } = await hallHub(2);
    const t = await take();
    const a = await watch(h, t.ref);
    const b = await watch(h, t.ref);
    expect([a.status, b.status]).toEqual([200, 200]);
    expect((await watch(h, t.ref)).status).toBe(429);
    a.close();
    await eventually(async () => expect(await servedBy(h, 'process')).toBe(1));
    expect((await watch(h, t.ref)).status).toBe(200);
  }, 60_000);

  it('is started again when it stops, and meanwhile the hub serves the phones itself', async () => {
    const { h, take } = await hallHub();
    const t = await take();
    const before = await watch(h, t.ref);
    await eventually(() => expect(before.states.length).toBeGreaterThan(0));
    const [pid] = childrenOf(h.child.pid!);
    expect(pid).toBeGreaterThan(0);
    process.kill(pid!, 'SIGKILL');
    // Its phones lose their stream (EventSource asks again), and the hub takes the next ones.
    await eventually(() => expect(before.ended).toBe(true));
    await eventually(async () => expect(await metric(h, 'servicehall_phone_process_up')).toBe(0), 5_000);
    const meanwhile = await watch(h, t.ref);
    expect(meanwhile.status).toBe(200);
    await eventually(() => expect(meanwhile.states.length).toBeGreaterThan(0));
    expect(await servedBy(h, 'hub')).toBe(1);
    // Started again (after a second): the next phone goes to it.
    await eventually(async () => expect(await metric(h, 'servicehall_phone_process_up')).toBe(1));
    expect(await metric(h, 'servicehall_phone_process_starts')).toBe(2);
    expect(childrenOf(h.child.pid!)).not.toContain(pid);
    const after = await watch(h, t.ref);
    await eventually(() => expect(after.states.length).toBeGreaterThan(0));
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
    await eventually(() => expect(phone.states.length).toBeGreaterThan(0));
    const [pid] = childrenOf(h.child.pid!);
    const stopped = Date.now();
    await h.kill('SIGTERM');
    expect(Date.now() - stopped).toBeLessThan(10_000);
    await eventually(() => expect(phone.ended).toBe(true));
    await eventually(() => expect(alive(pid!)).toBe(false));
  }, 60_000);
});

/** The hub's store (two windows open, tickets waiting) with its phones' process, watched often for the test; not started yet. */
function storeAndProcess(tickets: number) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'servicehall-phones-store-'));
  dirs.push(dir);
  const { db, store, ids } = hallWithTicketsWaiting(dir, tickets);
  // hungMs: a cold start of the process (Node, tsx, the hub's modules) took over 1.5 s on CI's two busy
  // cores, and was killed again and again as one that never takes the view.
  const streams = new PhoneStreams(store, { ownUrl: () => 'http://127.0.0.1:1', smsOf: () => false, restartMs: 50, aliveMs: 100, hungMs: 5000 });
  closing.push(async () => {
    await streams.close();
    db.close();
  });
  return { store, streams, ids };
}

/** The same, its process started and serving. */
async function storeWithProcess(tickets: number) {
  const hall = storeAndProcess(tickets);
  hall.streams.start();
  await eventually(() => expect(hall.streams.serving).toBe(true));
  return hall;
}
const closing: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closing.splice(0)) await close();
});

/** An HTTP server that hands every request's connection to the phones' process for `ticketId`; what the phone reads comes back. */
async function handedOver(streams: PhoneStreams, ticket: () => Ticket) {
  let closed = 0;
  const server = http.createServer((_req, res) => {
    if (!streams.handOver(ticket(), res, () => (closed += 1))) res.writeHead(503).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closing.push(() => new Promise((resolve) => server.close(() => resolve())));
  const { port } = server.address() as AddressInfo;
  const read = () =>
    new Promise<{ status?: number; text: string; error?: string }>((resolve) => {
      const req = http.get(`http://127.0.0.1:${port}/`, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          text += chunk;
          // The first state told: enough for the test.
          if (text.includes('event: ticket')) {
            req.destroy();
            resolve({ status: res.statusCode, text });
          }
        });
        res.on('close', () => resolve({ status: res.statusCode, text }));
      });
      req.on('error', (error) => resolve({ text: '', error: error.message }));
    });
  return { read, closed: () => closed };
}

describe("the hub's phones' process, watched by the hub", () => {
  it('is killed when it stops answering, and another started; meanwhile it takes no phone', async () => {
    const { streams } = await storeWithProcess(2);
    const first = streams.pid!;
    expect(alive(first)).toBe(true);
    // Stopped, as a process stuck in a loop or on a full pipe would be: alive, reading nothing.
    process.kill(first, 'SIGSTOP');
    // Late with its answer: new phones stay with the hub before it is called hung.
    await eventually(() => expect(streams.serving).toBe(false), 5_000);
    expect(alive(first)).toBe(true);
    await eventually(() => expect(streams.starts).toBe(2), 10_000);
    await eventually(() => expect(streams.serving).toBe(true));
    expect(streams.pid).not.toBe(first);
    expect(alive(first)).toBe(false);
  }, 45_000);

  it('is killed when it does not take the view after its start, and another started', async () => {
    const { streams } = storeAndProcess(1);
    streams.start();
    const first = streams.pid!;
    // Stopped before it could say hello: it never serves.
    process.kill(first, 'SIGSTOP');
    await eventually(() => expect(streams.starts).toBe(2), 10_000);
    await eventually(() => expect(streams.serving).toBe(true));
    expect(alive(first)).toBe(false);
  }, 45_000);

  it('serves a phone whose ticket reaches the process after the phone does, and drops one whose ticket never does', async () => {
    const { store, streams, ids } = await storeWithProcess(2);
    const kiosk = { role: 'kiosk', terminal: 'kiosk-1' } as const;
    // Issued in a batch whose flush has not ended: the hub has the ticket, its phones' process not yet.
    const [issued] = store.executeBatch([{ command: { id: 'late-1', type: 'issueTicket', serviceCode: store.view.tickets.get(ids[0]!)!.serviceCode, lane: 'ordinary' }, actor: kiosk }], 'later');
    const ticket = issued!.answer.ok ? issued!.answer.ticket! : expect.unreachable('the ticket is issued');
    const { read, closed } = await handedOver(streams, () => ticket);
    const phone = read();
    await sleep(300);
    store.logFlushed(store.seq);
    store.tellFlushed();
    const served = await phone;
    expect(served.status).toBe(200);
    expect(served.text).toContain(`"number":"${ticket.number}"`);
    await eventually(() => expect(closed()).toBe(1));

    // A ticket the process is never told of (only the hub's view has it): the phone is dropped after
    // 2 s, with no status (its EventSource then asks again, and is answered by whoever holds it).
    const [never] = store.executeBatch([{ command: { id: 'late-2', type: 'issueTicket', serviceCode: ticket.serviceCode, lane: 'ordinary' }, actor: kiosk }], 'later');
    const missing = never!.answer.ok ? never!.answer.ticket! : expect.unreachable('the ticket is issued');
    const { read: readMissing } = await handedOver(streams, () => missing);
    const asked = Date.now();
    const dropped = await readMissing();
    expect(dropped.status).toBeUndefined();
    expect(dropped.error).toMatch(/socket hang up|ECONNRESET/);
    expect(Date.now() - asked).toBeGreaterThanOrEqual(1_900);
  }, 30_000);

  it('ends cleanly with a hub stopped as soon as it says it serves, before the process has listened to its messages', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'servicehall-phones-process-'));
    dirs.push(dir);
    hub = await spawnHub(dir);
    // The hub's start, its view and its close all reach the process before it listens: Node hands
    // them over in one loop, and a close that let go of the channel inside it crashed the process.
    const h = hub;
    // At once: the hub must be stoppable cleanly from the moment it says it serves (it was not, one time in four).
    await h.kill('SIGTERM');
    // Its last lines may come after its exit is heard.
    await eventually(() => expect(h.output()).toContain('stopped cleanly'));
    const out = h.output();
    expect(out).not.toContain('Cannot set properties of null');
    // The log's lines are JSON with the fields before msg: read as such (a pattern over the text could not fail).
    const unclean = out
      .split('\n')
      .flatMap((line) => {
        try {
          return [JSON.parse(line) as { msg?: string; code?: number }];
        } catch {
          return [];
        }
      })
      .filter((l) => l.msg?.includes('did not end cleanly'));
    expect(unclean.filter((l) => l.code === 1)).toEqual([]);
  }, 60_000);
});

/** A request to a hub serving TLS, trusting the hall's CA, as a terminal or the installer would. */
function overTls(url: string, ca: string, method = 'GET', body?: unknown, token?: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = https.request(url, { method, ca, headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body ? { 'content-type': 'application/json' } : {}) } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    req.end(body ? JSON.stringify(body) : undefined);
  });
}

describe("a hub serving TLS, with the citizens' listener for the proxy in front of it", () => {
  it("hands the phones through that listener to the phones' process, serves nothing else there, and counts phones by the proxy's X-Forwarded-For", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'servicehall-phones-tls-'));
    dirs.push(dir);
    await initTls(dir, { names: ['127.0.0.1'] });
    const ca = fs.readFileSync(path.join(dir, 'tls', 'ca.crt'), 'utf8');
    const port = await freePort();
    hub = await spawnHub(dir, { SERVICEHALL_PUBLIC_PORT: String(port), SERVICEHALL_LIMITS: JSON.stringify({ phone: { streamsPerAddress: 1 } }) });
    const h = hub;
    expect(h.url).toMatch(/^https:/);
    const citizens = `http://127.0.0.1:${port}`;
    const metricOverTls = async (name: string) => metricIn((await overTls(`${h.url}/metrics`, ca)).text, name);
    await eventually(async () => expect(await metricOverTls('servicehall_phone_process_up')).toBe(1));
    const catalogue = JSON.parse((await overTls(`${h.url}/api/catalogue`, ca, 'GET', undefined, h.token)).text) as { items: { code: string }[] };
    const taken = JSON.parse((await overTls(`${h.url}/api/tickets`, ca, 'POST', { serviceCode: catalogue.items[0]!.code }, h.token)).text) as { link: string };
    const ref = taken.link.split('/').at(-1)!;

    // Two phones behind the proxy, each its own address: one stream each, both handed over.
    const a = await watch(h, ref, citizens, { 'x-forwarded-for': '10.1.0.7' });
    const b = await watch(h, ref, citizens, { 'x-forwarded-for': '10.1.0.8' });
    expect([a.status, b.status]).toEqual([200, 200]);
    await eventually(() => expect(Math.min(a.states.length, b.states.length)).toBeGreaterThan(0));
    expect((await watch(h, ref, citizens, { 'x-forwarded-for': '10.1.0.7' })).status).toBe(429);
    expect(await metricOverTls('servicehall_phone_streams{served_by="process"}')).toBe(2);

    // The phone pages are there; the hall's staff, terminals and figures are not.
    expect((await fetch(`${citizens}/m/`)).status).toBe(200);
    for (const route of ['/metrics', '/console/', '/api/queue', '/api/catalogue', '/replication/status'])
      expect((await fetch(`${citizens}${route}`, { headers: { authorization: `Bearer ${h.token}` } })).status, route).toBe(404);
    // On the TLS address itself a phone's stream stays with the hub (a TLS session cannot move).
    await new Promise<void>((resolve, reject) => {
      const req = https.get(`${h.url}/api/phone/tickets/${ref}/watch`, { ca, headers: { accept: 'text/event-stream' } }, (res) => {
        expect(res.statusCode).toBe(200);
        res.once('data', () => {
          req.destroy();
          resolve();
        });
      });
      req.on('error', reject);
    });
  }, 60_000);
});
