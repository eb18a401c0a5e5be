import { toSnapshot, type Command, type HallEvent, type HallSnapshot } from '@servicehall/core';
import { demoCatalogue } from '@servicehall/fixtures';
import { DEFAULT_LIMITS, startHub, type RunningHub } from '@servicehall/hub';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer, type WebSocket } from 'ws';
import type { HubLimits } from '../../hub/src/limits';
import { freePort, LOAD_TEST_LIMITS, spawnHub, type HubProcess } from '../../hub/src/testing/hub-process';
import { backoffDelay, DEFAULT_BACKOFF } from './backoff';
import { HallClient, type ClientChange } from './client';
import { Outbox } from './outbox';

const TOKEN = 'client-test-hall-token';
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function tempDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'servicehall-client-'));
  cleanups.push(() => fs.rmSync(d, { recursive: true, force: true }));
  return d;
}

function client(options: Partial<ConstructorParameters<typeof HallClient>[0]> & { url: string }): HallClient {
  const c = new HallClient({ token: TOKEN, role: 'display', terminal: `t-${Math.random().toString(36).slice(2, 8)}`, ...options });
  cleanups.push(() => c.close());
  return c;
}

/** Limits for the load tests here: many terminals on one address, far beyond a person's pace. */
const LOAD = JSON.parse(LOAD_TEST_LIMITS) as Partial<HubLimits>;

async function inProcessHub(limits?: Partial<HubLimits>): Promise<RunningHub> {
  const hub = await startHub({ dataDir: tempDir(), token: TOKEN, seed: demoCatalogue({ allDay: true }), limits });
  cleanups.push(() => hub.close());
  return hub;
}

/** A stand-in hub on loopback: it welcomes each link with `snapshot`, then hands it every message (`link`: 1 for the first link, 2 for the next). */
async function fakeHub(snapshot: HallSnapshot, on: (m: { type: string; since?: number; command?: Command }, ws: WebSocket, link: number) => void): Promise<string> {
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  cleanups.push(() => new Promise((r) => wss.close(r)));
  let links = 0;
  wss.on('connection', (ws) => {
    const link = ++links;
    ws.on('message', (data) => {
      const m = JSON.parse(data.toString());
      if (m.type === 'hello') {
        ws.send(JSON.stringify({ type: 'welcome', protocol: 1, terminal: m.terminal, role: m.role, seq: snapshot.seq, hubTime: 0 }));
        ws.send(JSON.stringify({ type: 'snapshot', snapshot }));
      }
      on(m, ws, link);
    });
  });
  await new Promise((r) => wss.once('listening', r));
  return `ws://127.0.0.1:${(wss.address() as { port: number }).port}`;
}

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The parts of a view that must agree between a terminal and the hub. */
function essence(snapshot: ReturnType<typeof toSnapshot>) {
  return {
    seq: snapshot.seq,
    tickets: [...snapshot.tickets].sort((a, b) => a.id.localeCompare(b.id)),
    windows: [...snapshot.windows].sort((a, b) => a.number - b.number),
    counters: snapshot.counters,
  };
}

describe('backoff', () => {
  it('grows to its cap and spreads terminals with jitter', () => {
    const low = Array.from({ length: 12 }, (_, i) => backoffDelay(i, DEFAULT_BACKOFF, 0));
    const high = Array.from({ length: 12 }, (_, i) => backoffDelay(i, DEFAULT_BACKOFF, 0.999));
    expect(Math.max(...high)).toBeLessThanOrEqual(DEFAULT_BACKOFF.maxMs);
    expect(high[11]).toBeGreaterThan(DEFAULT_BACKOFF.maxMs * 0.9);
    expect(high[0]).toBeLessThan(high[3]!);
    expect(low.every((d) => d === DEFAULT_BACKOFF.initialMs / 2)).toBe(true);
  });
});

describe('the outbox', () => {
  it('keeps waiting commands in its file across a restart of the terminal and forgets answered ones', () => {
    const file = path.join(tempDir(), 'outbox.json');
    const a = new Outbox(file);
    a.add({ id: 'cmd-00000001', type: 'issueTicket', serviceCode: 'GA-SFZ-HL', lane: 'ordinary' }, 1);
    a.add({ id: 'cmd-00000002', type: 'issueTicket', serviceCode: 'CRJ-HZ-SL', lane: 'ordinary' }, 2);
    a.add({ id: 'cmd-00000001', type: 'issueTicket', serviceCode: 'GA-SFZ-HL', lane: 'ordinary' }, 3);
    a.remove('cmd-00000001');
    const b = new Outbox(file);
    expect(b.list().map((e) => e.command.id)).toEqual(['cmd-00000002']);
  });

  it('sets a damaged file aside and starts empty instead of failing', () => {
    const dir = tempDir();
    const file = path.join(dir, 'outbox.json');
    fs.writeFileSync(file, '[{"command": {"id": "x"');
    const said: string[] = [];
    const o = new Outbox(file, (m) => said.push(m));
    expect(o.size).toBe(0);
    const aside = fs.readdirSync(dir).find((f) => f.startsWith('outbox.json.damaged-'))!;
    expect(said).toEqual([expect.stringMatching(new RegExp(`could not be read .*: the commands in it are not sent; it is kept as .*${aside}`))]);
  });

  it('keeps a file with entries it cannot read aside before it forgets them, and says so', () => {
    const dir = tempDir();
    const file = path.join(dir, 'outbox.json');
    const good = { command: { id: 'cmd-00000001', type: 'issueTicket', serviceCode: 'GA-SFZ-HL', lane: 'ordinary' }, queuedAt: 1 };
    const written = JSON.stringify([good, { command: 'garbled' }]);
    fs.writeFileSync(file, written);
    const said: string[] = [];
    const o = new Outbox(file, (m) => said.push(m));
    expect(o.list().map((e) => e.command.id)).toEqual(['cmd-00000001']);
    const aside = fs.readdirSync(dir).find((f) => f.startsWith('outbox.json.damaged-'))!;
    expect(fs.readFileSync(path.join(dir, aside), 'utf8')).toBe(written);
    expect(said).toEqual([expect.stringContaining('held 1 entries that are not commands')]);
  });
});

describe('a terminal whose disk refuses the outbox file', () => {
  it('still sends the command and takes its answer, says once that the outbox is in memory only, and writes the file again once it can', async () => {
    const hub = await inProcessHub();
    const file = path.join(tempDir(), 'outbox.json');
    const said: string[] = [];
    const kiosk = client({ url: hub.wsUrl, role: 'kiosk', terminal: 'kiosk-1', outboxFile: file, log: (m) => said.push(m) });
    await kiosk.whenInStep();
    // Where the outbox writes its new list first: a folder there makes every write fail, as a full or read-only disk does (even for root).
    fs.mkdirSync(`${file}.tmp`);
    const first = await kiosk.send({ type: 'issueTicket', serviceCode: 'GA-SFZ-HL', lane: 'ordinary' });
    const second = await kiosk.send({ type: 'issueTicket', serviceCode: 'GA-SFZ-HL', lane: 'ordinary' });
    expect([first.ok, second.ok]).toEqual([true, true]);
    expect(kiosk.waiting).toBe(0);
    expect(said.filter((m) => m.includes('outbox'))).toEqual([expect.stringMatching(/could not be written .*EISDIR.*in memory only/)]);
    // The disk takes writes again: a command waiting while the hub is away is in the file.
    fs.rmdirSync(`${file}.tmp`);
    await hub.close();
    void kiosk.send({ type: 'issueTicket', serviceCode: 'CRJ-HZ-SL', lane: 'ordinary' });
    expect(new Outbox(file).list().map((e) => e.command.type === 'issueTicket' && e.command.serviceCode)).toEqual(['CRJ-HZ-SL']);
    expect(said.filter((m) => m.includes('outbox'))).toEqual([expect.stringMatching(/could not be written/), expect.stringMatching(/written again/)]);
  });
});

describe('following the event log', () => {
  it('asks again from what it holds when the sequence has a gap, never guessing', async () => {
    const hub = await inProcessHub();
    const base = toSnapshot(hub.store.view);
    const asked: unknown[] = [];
    const url = await fakeHub(base, (m, ws) => {
      asked.push(m);
      const gapped: HallEvent = { seq: base.seq + 2, at: 0, type: 'window.opened', window: 1 };
      if (m.type === 'hello') ws.send(JSON.stringify({ type: 'events', events: [gapped] }));
    });
    const c = client({ url });
    await c.whenInStep();
    await expect.poll(() => asked.find((m) => (m as { type: string }).type === 'subscribe')).toEqual({ type: 'subscribe', since: base.seq });
    expect(c.view!.seq).toBe(base.seq);
    expect(c.view!.windows.get(1)!.open).toBe(false);
  });

  it('asks once for what it missed while a busy hall’s events keep coming over a slow link, not once for each (the hub would cut a link that asks hundreds of times)', async () => {
    const hub = await inProcessHub();
    const base = toSnapshot(hub.store.view);
    const opened = (seq: number, window: number): HallEvent => ({ seq, at: 0, type: 'window.opened', window });
    const asked: { type: string; since?: number }[] = [];
    let link: { send(text: string): void } | undefined;
    const url = await fakeHub(base, (m, ws) => {
      link = ws;
      asked.push(m);
      // Event base+1 is lost; 300 more come, one message each, before the answer to the first ask.
      if (m.type === 'hello') for (let i = 2; i <= 301; i++) ws.send(JSON.stringify({ type: 'events', events: [opened(base.seq + i, (i % 10) + 1)] }));
      if (m.type === 'subscribe' && asked.filter((a) => a.type === 'subscribe').length === 1)
        setTimeout(() => ws.send(JSON.stringify({ type: 'events', events: Array.from({ length: 301 }, (_, i) => opened(base.seq + 1 + i, ((i + 1) % 10) + 1)) })), 300);
    });
    const c = client({ url });
    await c.whenInStep(base.seq + 301);
    expect(asked.filter((m) => m.type === 'subscribe')).toEqual([{ type: 'subscribe', since: base.seq }]);
    expect(c.view!.windows.get(1)!.open).toBe(true);
    // A gap met after the answer (a new one) is asked for at once.
    link!.send(JSON.stringify({ type: 'events', events: [opened(base.seq + 303, 1)] }));
    await expect.poll(() => asked.filter((m) => m.type === 'subscribe')).toEqual([
      { type: 'subscribe', since: base.seq },
      { type: 'subscribe', since: base.seq + 301 },
    ]);
  });

  it('catches up after missing 1,000 events with one snapshot, not 1,000 round trips', async () => {
    const hub = await inProcessHub(LOAD);
    const first = client({ url: hub.wsUrl });
    const held = await first.whenInStep();
    const heldSeq = held.seq;
    first.close();
    const admin = client({ url: hub.wsUrl, role: 'kiosk', terminal: 'kiosk-1' });
    await admin.whenInStep();
    await Promise.all(Array.from({ length: 1000 }, (_, i) => admin.send({ type: 'issueTicket', serviceCode: i % 2 ? 'GA-CS-DJ' : 'RS-LHJY-DJ', lane: 'ordinary' })));
    expect(hub.store.seq).toBe(heldSeq + 1000);

    const changes: ClientChange[] = [];
    const back = client({ url: hub.wsUrl, initialView: held });
    back.subscribe((c) => changes.push(c));
    await back.whenInStep(hub.store.seq);
    const views = changes.filter((c) => c.kind === 'view');
    expect(views).toHaveLength(1);
    expect(views[0]).toMatchObject({ kind: 'view', snapshot: true });
    expect(essence(toSnapshot(back.view!))).toEqual(essence(toSnapshot(hub.store.view)));
  });

  it('takes only the events it missed when a few behind', async () => {
    const hub = await inProcessHub();
    const first = client({ url: hub.wsUrl });
    const held = structuredClone(toSnapshot(await first.whenInStep()));
    first.close();
    const kiosk = client({ url: hub.wsUrl, role: 'kiosk', terminal: 'kiosk-1' });
    await kiosk.whenInStep();
    for (let i = 0; i < 3; i++) await kiosk.send({ type: 'issueTicket', serviceCode: 'GA-SFZ-HL', lane: 'ordinary' });
    const changes: ClientChange[] = [];
    const { fromSnapshot } = await import('@servicehall/core');
    const back = client({ url: hub.wsUrl, initialView: fromSnapshot(held) });
    back.subscribe((c) => changes.push(c));
    await back.whenInStep(hub.store.seq);
    const views = changes.filter((c) => c.kind === 'view');
    expect(views.every((v) => v.kind === 'view' && !v.snapshot)).toBe(true);
    expect(views.flatMap((v) => (v.kind === 'view' ? v.events.map((e) => e.seq) : []))).toEqual([held.seq + 1, held.seq + 2, held.seq + 3]);
  });

  it('reaches 200 connected terminals with every event', async () => {
    const hub = await inProcessHub(LOAD);
    const terminals = Array.from({ length: 200 }, (_, i) => client({ url: hub.wsUrl, terminal: `display-${i}` }));
    await Promise.all(terminals.map((t) => t.whenInStep()));
    const kiosk = client({ url: hub.wsUrl, role: 'kiosk', terminal: 'kiosk-1' });
    await kiosk.whenInStep();
    const spans: number[] = [];
    for (let i = 0; i < 10; i++) {
      const t0 = performance.now();
      const answer = await kiosk.send({ type: 'issueTicket', serviceCode: 'CRJ-HZ-SL', lane: 'ordinary' });
      expect(answer.ok).toBe(true);
      const seq = answer.ok ? answer.seq : -1;
      await Promise.all(terminals.map((t) => t.whenInStep(seq)));
      spans.push(performance.now() - t0);
    }
    for (const t of terminals) expect(t.view!.seq).toBe(hub.store.seq);
    expect(terminals.every((t) => [...t.view!.tickets.values()].filter((x) => x.number.startsWith('B')).length === 10)).toBe(true);
    // The goal (20 ms at p99 for 60 subscribers) is measured by `npm run bench`; this only guards against a
    // fan-out that has become slow by an order of magnitude.
    spans.sort((a, b) => a - b);
    expect(spans[5]).toBeLessThan(500);
  });
});

describe('through a hub that dies', () => {
  let hub: HubProcess | undefined;
  afterEach(async () => {
    await hub?.kill('SIGKILL');
    hub = undefined;
  });

  it('keeps a kiosk issuing through SIGKILL and restart: every ticket there once, views equal within 2 s', async () => {
    const dir = tempDir();
    const port = await freePort();
    hub = await spawnHub(dir, { SERVICEHALL_TOKEN: TOKEN, SERVICEHALL_DEMO_PIN: '135790', SERVICEHALL_LIMITS: LOAD_TEST_LIMITS }, port);
    const url = `ws://127.0.0.1:${port}/ws`;
    const kiosk = client({ url, role: 'kiosk', terminal: 'kiosk-1', outboxFile: path.join(dir, 'kiosk', 'outbox.json') });
    const window = client({ url, role: 'window', terminal: 'window-1', window: 1 });
    await Promise.all([kiosk.whenInStep(), window.whenInStep()]);
    expect((await window.send({ type: 'signIn', window: 1, clerk: '1001', pin: '135790' })).ok).toBe(true);

    const answers: Promise<import('@servicehall/protocol').Answer>[] = [];
    let issuing = true;
    const presses = (async () => {
      for (let i = 0; issuing; i++) {
        answers.push(kiosk.send({ type: 'issueTicket', serviceCode: i % 2 ? 'GA-CS-DJ' : 'RS-LHJY-DJ', lane: 'ordinary' }, `press-${String(i).padStart(5, '0')}`));
        await wait(5);
      }
    })();
    await wait(300);
    await hub.kill('SIGKILL');
    await expect.poll(() => kiosk.state.status, { timeout: 3000 }).not.toBe('online');
    await wait(400);
    const waitingWhileDown = kiosk.waiting;
    expect(waitingWhileDown).toBeGreaterThan(0);
    hub = await spawnHub(dir, { SERVICEHALL_TOKEN: TOKEN, SERVICEHALL_LIMITS: LOAD_TEST_LIMITS }, port);
    const back = performance.now();
    await wait(300);
    issuing = false;
    await presses;
    const all = await Promise.all(answers);
    expect(all.filter((a) => !a.ok)).toEqual([]);

    // Every press made exactly one ticket, and the hub holds exactly those.
    const numbers = all.map((a) => (a.ok ? a.ticket!.number : ''));
    expect(new Set(numbers).size).toBe(answers.length);
    const res = await fetch(`${hub.url}/api/queue`, { headers: { authorization: `Bearer ${TOKEN}` } });
    const queue = (await res.json()) as { seq: number; tickets: { number: string }[] };
    expect(queue.tickets.map((t) => t.number).sort()).toEqual([...numbers].sort());

    const remaining = Math.max(0, 2000 - (performance.now() - back));
    await Promise.all([kiosk.whenInStep(queue.seq, remaining), window.whenInStep(queue.seq, remaining)]);
    const events = (await (await fetch(`${hub.url}/api/health`)).json()) as { seq: number };
    expect(kiosk.view!.seq).toBe(events.seq);
    expect(window.view!.seq).toBe(events.seq);
    expect(new Set(kiosk.view!.tickets.keys())).toEqual(new Set(window.view!.tickets.keys()));
    expect([...kiosk.view!.tickets.values()].map((t) => t.number).sort()).toEqual([...numbers].sort());
    // Two hubs started through tsx and an unclean start's whole check: 90 s, as the other process tests (CI69 beside other work: past 20 s).
  }, 90_000);
});

describe('a hub that holds (started again with the standby that once followed it out of reach)', () => {
  /** The hub's standby may have taken charge while it was down: it takes no command until it knows better. */
  async function heldHub(): Promise<RunningHub> {
    const dataDir = tempDir();
    const first = await startHub({ dataDir, token: TOKEN, seed: demoCatalogue({ allDay: true }) });
    // A standby followed it once (its database says so), and that standby's PC is off now.
    first.store.role.markFollowed();
    await first.close();
    const hub = await startHub({ dataDir, token: TOKEN, peer: { url: `http://127.0.0.1:${await freePort()}`, token: TOKEN } });
    cleanups.push(() => hub.close());
    expect(hub.store.role.held).toBe(true);
    return hub;
  }
  const fast = { initialMs: 20, maxMs: 60 };

  it('is released by a terminal that knows the standby too and could not reach it, never by one given only its own address', async () => {
    const hub = await heldHub();
    const refusals: string[] = [];
    client({ url: hub.wsUrl, role: 'kiosk', terminal: 'kiosk-1', backoff: fast, log: (m) => void (m.includes('not-in-charge') && refusals.push(m)) });
    // It comes back again and again without knowing anything of the standby: the hub holds.
    await expect.poll(() => refusals.length, { timeout: 10_000 }).toBeGreaterThanOrEqual(6);
    expect(hub.store.role).toMatchObject({ held: true, inCharge: false });

    const both = client({ url: hub.wsUrl, standbyUrls: [`ws://127.0.0.1:${await freePort()}/ws`], role: 'kiosk', terminal: 'kiosk-2', backoff: fast });
    await both.whenInStep(0, 10_000);
    expect(hub.store.role).toMatchObject({ held: false, inCharge: true, epoch: 1 });
  });
});

describe('a terminal that was with a hub that took charge since', () => {
  it('fences the hub it finds still in charge at an older epoch: it carries the new epoch with the proof the new hub gave', async () => {
    const old = await inProcessHub();
    const promoted = await inProcessHub();
    promoted.store.role.follow();
    promoted.replication.promote('the test takes the standby’s part');
    expect(promoted.store.role.epoch).toBe(2);
    const kiosk = client({ url: promoted.wsUrl, standbyUrls: [old.wsUrl], role: 'kiosk', terminal: 'kiosk-1', backoff: { initialMs: 20, maxMs: 60 } });
    await expect.poll(() => kiosk.hubEpoch, { timeout: 10_000 }).toBe(2);
    await promoted.close();
    // It tries the other hub: that one, still in charge at epoch 1, learns it is not and steps down.
    await expect.poll(() => old.store.role.inCharge, { timeout: 10_000 }).toBe(false);
    expect(old.store.role.epoch).toBe(2);
  });
});

describe('an action a person waits for', () => {
  it('is refused at once while the hub is away, and never reaches the outbox file', async () => {
    const dir = tempDir();
    const c = client({ url: 'ws://127.0.0.1:9/ws', role: 'window', terminal: 'window-1', window: 1, outboxFile: path.join(dir, 'outbox.json') });
    const sent = await c.sendNow({ type: 'callNext', window: 1 }, { timeoutMs: 1000 });
    expect(sent).toMatchObject({ ok: false, reason: 'offline' });
    expect(c.waiting).toBe(0);
    expect(fs.existsSync(path.join(dir, 'outbox.json'))).toBe(false);
  });

  it('keeps a PIN out of the outbox file while it waits for the hub', async () => {
    const hub = await inProcessHub();
    await hub.store.pins.set('1001', '246810');
    const dir = tempDir();
    const file = path.join(dir, 'outbox.json');
    const c = client({ url: hub.wsUrl, role: 'window', terminal: 'window-1', window: 1, outboxFile: file });
    await c.whenInStep();
    await c.send({ type: 'issueTicket', serviceCode: 'GA-CS-DJ', lane: 'ordinary' }).catch(() => undefined);
    const sent = await c.sendNow({ type: 'signIn', window: 1, clerk: '1001', pin: '246810' }, { timeoutMs: 2000, volatile: true });
    expect(sent).toMatchObject({ ok: true, answer: { ok: true } });
    expect(fs.readFileSync(file, 'utf8')).not.toContain('246810');
  });

  it('is withdrawn from the outbox when the hub does not answer in time', async () => {
    const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    cleanups.push(() => new Promise((r) => wss.close(r)));
    const hub = await inProcessHub();
    wss.on('connection', (ws) =>
      ws.on('message', (data) => {
        const m = JSON.parse(data.toString());
        if (m.type !== 'hello') return; // a hub that has gone quiet: it never answers commands
        ws.send(JSON.stringify({ type: 'welcome', protocol: 1, terminal: m.terminal, role: m.role, seq: 1, hubTime: 0 }));
        ws.send(JSON.stringify({ type: 'snapshot', snapshot: toSnapshot(hub.store.view) }));
      }),
    );
    const { port } = wss.address() as { port: number };
    const c = client({ url: `ws://127.0.0.1:${port}`, role: 'window', terminal: 'window-1', window: 1 });
    await c.whenInStep();
    const sent = await c.sendNow({ type: 'callNext', window: 1 }, { timeoutMs: 100 });
    expect(sent).toMatchObject({ ok: false, reason: 'timeout' });
    expect(c.waiting).toBe(0);
  });
});

describe('the hub’s welcome and answers', () => {
  it('hand a terminal no key to make links with: a new ticket comes with the path of its live page, made by the hub', async () => {
    const hub = await inProcessHub();
    const welcomes: string[] = [];
    const c = client({ url: hub.wsUrl, role: 'kiosk', terminal: 'kiosk-1' });
    c.subscribe(() => undefined);
    (c as unknown as { ws?: { on(e: string, f: (d: Buffer) => void): void } }).ws?.on('message', (d) => welcomes.push(d.toString()));
    await c.whenInStep();
    expect(welcomes.find((w) => w.includes('"welcome"'))).not.toMatch(/linkKey|key/i);
    const answer = await c.send({ type: 'issueTicket', serviceCode: 'GA-SFZ-HL', lane: 'ordinary' });
    expect(answer).toMatchObject({ ok: true, link: hub.store.links.livePath(`${hub.store.view.day}-A001`) });
    expect(answer.ok && answer.link).toMatch(/^\/m\/t\/[\w-]{22}$/);
  });

  it('asks the hub questions that change nothing, and is refused what its role may not know', async () => {
    const hub = await inProcessHub();
    const kiosk = client({ url: hub.wsUrl, role: 'kiosk', terminal: 'kiosk-1' });
    await kiosk.whenInStep();
    expect(await kiosk.ask({ kind: 'caseProgress', caseNumber: 'SL000' })).toMatchObject({ ok: false, code: 'not-found' });
    expect(await kiosk.ask({ kind: 'ratingLink', ticketId: 'nope' })).toMatchObject({ ok: false, code: 'forbidden' });
    kiosk.close();
    expect(await kiosk.ask({ kind: 'caseProgress', caseNumber: 'SL000' })).toMatchObject({ ok: false, code: 'offline' });
  });

  it('takes a refusal of a command the hub could not read as its answer, with the command’s id', async () => {
    const hub = await inProcessHub();
    const c = client({ url: hub.wsUrl, role: 'kiosk', terminal: 'kiosk-1', outboxFile: path.join(tempDir(), 'outbox.json') });
    await c.whenInStep();
    const answer = await c.send({ type: 'issueTicket', serviceCode: 'x'.repeat(41), lane: 'ordinary' });
    expect(answer).toMatchObject({ ok: false, code: 'bad-request' });
    expect(c.waiting).toBe(0);
  });
});

describe('a hub on another machine', () => {
  it('is refused over ws:// unless allowed, and reached over wss:// trusting the hall CA only', async () => {
    // Chinese first, then English, naming the terminal's settings, as its other start problems are said.
    expect(() => client({ url: 'ws://192.168.1.10:8600/ws' })).toThrow(
      /^ws:\/\/192\.168\.1\.10:8600\/ws：主机在另一台机器上，ws:\/\/ 不加密：请把 hubUrl 改为 wss:\/\/ 地址，并用 hubCa 指定大厅 CA 证书[^]*allowInsecure 设为 true[^]*明文[^]*\nws:\/\/192\.168\.1\.10:8600\/ws: the hub is on another machine: use wss:\/\/ with the hall CA \(a wss:\/\/ hubUrl, and hubCa[^]*allowInsecure to true on a private network/,
    );
    expect(() => client({ url: 'ws://127.0.0.1:8600/ws', standbyUrls: ['ws://192.168.1.11:8600/ws'] })).toThrow(/^ws:\/\/192\.168\.1\.11:8600\/ws：主机在另一台机器上/);
    expect(() => client({ url: 'ws://192.168.1.10:8600/ws', allowInsecure: true })).not.toThrow();
    expect(() => client({ url: 'ws://127.0.0.1:8600/ws' })).not.toThrow();
    const { initTls } = await import('../../hub/src/init-tls');
    const dir = tempDir();
    await initTls(dir, { names: ['127.0.0.1', 'localhost'] });
    const hub = await startHub({ dataDir: dir, token: TOKEN, seed: demoCatalogue({ allDay: true }) });
    cleanups.push(() => hub.close());
    expect(hub.wsUrl).toMatch(/^wss:\/\//);
    const ca = fs.readFileSync(path.join(dir, 'tls/ca.crt'), 'utf8');
    const trusted = client({ url: hub.wsUrl, ca });
    await trusted.whenInStep();
    // Another hall's CA (or the system's roots) does not open this hub.
    const other = tempDir();
    await initTls(other, { names: ['127.0.0.1'] });
    const logs: string[][] = [[], []];
    const stranger = client({ url: hub.wsUrl, ca: fs.readFileSync(path.join(other, 'tls/ca.crt'), 'utf8'), log: (m) => logs[0]!.push(m) });
    const withoutCa = client({ url: hub.wsUrl, log: (m) => logs[1]!.push(m) });
    for (const l of logs) await expect.poll(() => l.join('\n')).toMatch(/certificate/i);
    expect(stranger.state.status).not.toBe('online');
    expect(withoutCa.state.status).not.toBe('online');
  });
});

describe('what a terminal tells the hub', () => {
  it('reports the commands waiting in its outbox when it says hello and with each heartbeat, and the log its view came from', async () => {
    const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    cleanups.push(() => new Promise((r) => wss.close(r)));
    const hub = await inProcessHub();
    const heard: { type: string; waiting?: number; log?: string }[] = [];
    let connections = 0;
    wss.on('connection', (ws) => {
      connections++;
      ws.on('message', (data) => {
        const m = JSON.parse(data.toString());
        heard.push(m);
        if (m.type !== 'hello') return; // a hub that has gone quiet: it never answers commands
        ws.send(JSON.stringify({ type: 'welcome', protocol: 1, terminal: m.terminal, role: m.role, seq: 1, hubTime: 0, log: 'a1b2c3' }));
        ws.send(JSON.stringify({ type: 'snapshot', snapshot: toSnapshot(hub.store.view) }));
      });
    });
    const { port } = wss.address() as { port: number };
    const file = path.join(tempDir(), 'outbox.json');
    const kept = new Outbox(file);
    kept.add({ id: 'cmd-waiting-1', type: 'issueTicket', serviceCode: 'GA-SFZ-HL', lane: 'ordinary' }, 1);
    kept.add({ id: 'cmd-waiting-2', type: 'issueTicket', serviceCode: 'GA-SFZ-HL', lane: 'ordinary' }, 2);
    const c = client({ url: `ws://127.0.0.1:${port}`, role: 'kiosk', terminal: 'kiosk-1', outboxFile: file, silenceMs: 900 });
    await c.whenInStep();
    expect(heard[0]).toMatchObject({ type: 'hello', waiting: 2 });
    expect(heard[0]!.log).toBeUndefined();
    await expect.poll(() => heard.find((m) => m.type === 'ping')).toMatchObject({ waiting: 2 });
    expect(c.viewLog).toBe('a1b2c3');
    // The hub goes quiet: the link is made again, and the hello names the log the view came from.
    await expect.poll(() => connections, { timeout: 5000 }).toBe(2);
    await expect.poll(() => heard.filter((m) => m.type === 'hello')[1]).toMatchObject({ waiting: 2, log: 'a1b2c3' });
  });
});

describe('a ticket command the hub answers late', () => {
  it('stays in the outbox across a reconnect, so its answer always comes back to be undone', async () => {
    const hub = await inProcessHub();
    let connections = 0;
    const url = await fakeHub(toSnapshot(hub.store.view), (m, ws, link) => {
      connections = link;
      // The first link swallows the command and then drops, as a hub that restarts.
      if (m.type === 'hello' && link === 1) setTimeout(() => ws.terminate(), 150);
      if (m.type === 'command' && link > 1) ws.send(JSON.stringify({ type: 'answer', commandId: m.command!.id, answer: { ok: true, seq: 1 } }));
    });
    const c = client({ url, role: 'kiosk', terminal: 'kiosk-1' });
    await c.whenInStep();
    const sent = await c.sendNow({ type: 'issueTicket', serviceCode: 'GA-CS-DJ', lane: 'ordinary' }, { timeoutMs: 50, keepOnTimeout: true });
    expect(sent).toMatchObject({ ok: false, reason: 'timeout' });
    expect(c.waiting).toBe(1);
    const late = await (sent as { late: Promise<unknown> }).late;
    expect(late).toEqual({ ok: true, seq: 1 });
    expect(connections).toBe(2);
    expect(c.waiting).toBe(0);
  });
});

describe('a command id sent again with another command (a bug, or a replay)', () => {
  it('is refused at once with its own code while the first waits, never given the first command’s answer', async () => {
    const port = await freePort();
    const c = client({ url: `ws://127.0.0.1:${port}/ws`, role: 'kiosk', terminal: 'kiosk-1' });
    const id = 'press-0001-kiosk-1';
    const first = c.send({ type: 'issueTicket', serviceCode: 'GA-SFZ-HL', lane: 'ordinary' }, id);
    const other = await Promise.race([c.send({ type: 'issueTicket', serviceCode: 'CRJ-HZ-SL', lane: 'ordinary' }, id), wait(3000).then(() => 'no answer while the first waits')]);
    expect(other).toMatchObject({ ok: false, code: 'id-reused' });
    // The same command again under its id is the same press: it waits for the first's answer, sent once.
    const again = c.send({ type: 'issueTicket', serviceCode: 'GA-SFZ-HL', lane: 'ordinary' }, id);
    expect(c.waiting).toBe(1);
    const hub = await startHub({ dataDir: tempDir(), token: TOKEN, seed: demoCatalogue({ allDay: true }), port });
    cleanups.push(() => hub.close());
    const [a, b] = await Promise.all([first, again]);
    expect(a).toMatchObject({ ok: true, ticket: { serviceCode: 'GA-SFZ-HL' } });
    expect(b).toEqual(a);
    expect([...hub.store.view.tickets.values()].map((t) => t.serviceCode)).toEqual(['GA-SFZ-HL']);
  });
});

describe('an outbox longer than the hub takes at once (a kiosk’s numbers given out while the hub was away)', () => {
  it('is delivered whole at the pace the hub allows: a command refused for the pace stays in the outbox and is sent again, never dropped', async () => {
    const port = await freePort();
    const said: string[] = [];
    const c = client({ url: `ws://127.0.0.1:${port}/ws`, role: 'kiosk', terminal: 'kiosk-1', log: (m) => said.push(m) });
    // 40 presses waiting, twice the burst a kiosk may send at once (20, as DEFAULT_LIMITS has it), then ten a second on this hub
    // (a hall's: one a second, limits.test.ts): the 20 refused for the pace wait in the outbox as at a hall, for 2 s rather than 20.
    const commands = DEFAULT_LIMITS.commands as Exclude<HubLimits['commands'], 'off'>;
    expect(commands.kiosk.burst).toBe(20);
    const limits = { commands: { ...commands, kiosk: { burst: commands.kiosk.burst, perMinute: 600 } } };
    const answers = Array.from({ length: 40 }, () => c.send({ type: 'issueTicket', serviceCode: 'GA-SFZ-HL', lane: 'ordinary' }));
    const hub = await startHub({ dataDir: tempDir(), token: TOKEN, seed: demoCatalogue({ allDay: true }), port, limits });
    cleanups.push(() => hub.close());
    const all = await Promise.all(answers);
    expect(all.filter((a) => !a.ok)).toEqual([]);
    expect(hub.store.view.tickets.size).toBe(40);
    expect(c.waiting).toBe(0);
  }, 60_000);
});

describe('a command the hub could not record just now (its disk full, or it was stopping)', () => {
  it('stays in the outbox and goes again until recorded, unless a person waits for it at the screen: they hear the refusal at once', async () => {
    const hub = await inProcessHub();
    const tries = new Map<string, number>();
    const url = await fakeHub(toSnapshot(hub.store.view), (m, ws) => {
      if (m.type !== 'command') return;
      const id = m.command!.id;
      const n = (tries.get(id) ?? 0) + 1;
      tries.set(id, n);
      // Its disk is full for the first try of each command, and the hub stopping at the second.
      const answer = n === 1 ? { ok: false, code: 'disk-full', message: 'the hub cannot write: its disk is full' } : n === 2 ? { ok: false, code: 'cancelled', message: 'the hub is stopping' } : { ok: true, seq: 1 };
      ws.send(JSON.stringify({ type: 'answer', commandId: id, answer }));
    });
    const c = client({ url, role: 'kiosk', terminal: 'kiosk-1', recordRetryMs: 100 });
    await c.whenInStep();
    // A void sent in the background (a ticket nobody holds): dropped at the refusal, the ticket would stand.
    expect(await c.send({ type: 'voidTicket', ticketId: '2026-11-27-A001', reason: 'the kiosk failed before handing the ticket over' }, 'void-2026-11-27-A001')).toEqual({ ok: true, seq: 1 });
    expect(tries.get('void-2026-11-27-A001')).toBe(3);
    const pressed = await c.sendNow({ type: 'issueTicket', serviceCode: 'GA-SFZ-HL', lane: 'ordinary' }, { id: 'press-0001-kiosk-1', timeoutMs: 2000 });
    expect(pressed).toMatchObject({ ok: true, answer: { ok: false, code: 'disk-full' } });
    expect(c.waiting).toBe(0);
  });
});

describe('a hall not set up yet', () => {
  it('says so as the link state, and comes online by itself once the administrator has set it up', async () => {
    const hub = await startHub({ dataDir: tempDir(), token: TOKEN });
    cleanups.push(() => hub.close());
    const c = client({ url: hub.wsUrl, role: 'kiosk', backoff: { initialMs: 20, maxMs: 50 } });
    await expect.poll(() => c.state).toMatchObject({ status: 'offline', reason: 'unconfigured' });
    hub.store.execute({ id: 'setup-by-the-installer', type: 'replaceCatalogue', catalogue: demoCatalogue() }, { role: 'admin', terminal: 'test' });
    await c.whenInStep();
    expect(c.view?.catalogue.items.length).toBeGreaterThan(0);
  });
});

describe('the hall’s clock on a long link', () => {
  /**
   * A hub whose clock is an hour ahead of this machine's, answering pings as `pong` says: at once, late, or not yet.
   * `oneWayMs`: each message takes this long each way (a slow network); `welcomeHeldMs`: the welcome, its clock
   * read, waits this long more before it leaves (a busy hub). `connections` counts the links made.
   */
  async function hubAnHourAhead(pong: (reply: () => void, ping: { t: number }) => void, link: { oneWayMs?: number; welcomeHeldMs?: number } = {}) {
    const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    const madeAt: unknown[] = [];
    let connections = 0;
    cleanups.push(() => new Promise((r) => wss.close(r)));
    const hub = await inProcessHub();
    const hubNow = () => Date.now() + 3_600_000;
    const later = (ms: number | undefined, f: () => void) => (ms ? void setTimeout(f, ms) : f());
    wss.on('connection', (ws) => {
      connections++;
      const send = (frame: string, heldMs = 0) => later(heldMs + (link.oneWayMs ?? 0), () => ws.readyState === ws.OPEN && ws.send(frame));
      ws.on('message', (data) =>
        later(link.oneWayMs, () => {
          const m = JSON.parse(data.toString());
          if (m.type === 'hello') {
            send(JSON.stringify({ type: 'welcome', protocol: 1, terminal: m.terminal, role: m.role, seq: 1, hubTime: hubNow() }), link.welcomeHeldMs);
            send(JSON.stringify({ type: 'snapshot', snapshot: toSnapshot(hub.store.view) }), link.welcomeHeldMs);
          }
          if (m.type === 'command') madeAt.push(m.command?.madeAt);
          if (m.type === 'ping') {
            // The hub's clock is read as the ping arrives, as the hub does.
            const frame = JSON.stringify({ type: 'pong', t: m.t, hubTime: hubNow() });
            pong(() => send(frame), m);
          }
        }),
      );
    });
    return { url: `ws://127.0.0.1:${(wss.address() as { port: number }).port}`, hubNow, madeAt, connections: () => connections };
  }

  it('keeps a healthy link and the hall’s time when the PC’s clock is set an hour forward, then an hour back', async () => {
    let ponged = () => {};
    const hub = await hubAnHourAhead((reply) => {
      reply();
      ponged();
    });
    let setBy = 0;
    const states: string[] = [];
    // The PC's clock is the one set; the steady clock (performance.now()) runs on.
    const c = client({ url: hub.url, role: 'kiosk', terminal: 'kiosk-1', clock: () => Date.now() + setBy, silenceMs: 600 });
    await c.whenInStep();
    c.subscribe((change) => change.kind === 'state' && states.push(change.state.status));
    for (const step of [3_600_000, -3_600_000]) {
      // Set between a pong and the next heartbeat (every 250 ms): the hub last heard before the step.
      await new Promise<void>((r) => (ponged = r));
      await wait(100);
      setBy += step;
      // Before the fix the hall's time moved with the PC's clock at once, and an hour forward took the link for silent.
      expect(Math.abs(c.hubNow() - hub.hubNow())).toBeLessThan(500);
      await wait(1_500);
      expect(Math.abs(c.hubNow() - hub.hubNow())).toBeLessThan(500);
    }
    expect(states).toEqual([]);
    expect(hub.connections()).toBe(1);
  });

  it('takes the hall’s time at the midpoint of the welcome’s round trip: 400 ms there and back put it 200 ms behind', async () => {
    // Pongs held back: the welcome alone sets the offset.
    const hub = await hubAnHourAhead(() => undefined, { oneWayMs: 200 });
    const c = client({ url: hub.url, role: 'kiosk', terminal: 'kiosk-1', silenceMs: 30_000 });
    await c.whenInStep();
    expect(Math.abs(c.hubNow() - hub.hubNow())).toBeLessThan(60);
  });

  it('betters a welcome slowed by a busy hub with the pong that follows it at once, not a heartbeat later', async () => {
    const hub = await hubAnHourAhead((reply) => reply(), { welcomeHeldMs: 800 });
    // Heartbeats every 10 s: only the ping sent at the welcome can better its sample within the 2 s below.
    const c = client({ url: hub.url, role: 'kiosk', terminal: 'kiosk-1', silenceMs: 30_000 });
    await c.whenInStep();
    await expect.poll(() => Math.abs(c.hubNow() - hub.hubNow()), { timeout: 2_000 }).toBeLessThan(60);
  });

  it('keeps the hall’s time with the PC’s clock set back ten minutes by hand after the welcome, without a reconnect', async () => {
    const hub = await hubAnHourAhead((reply) => reply());
    let setBy = 0;
    const states: string[] = [];
    const c = client({ url: hub.url, role: 'kiosk', terminal: 'kiosk-1', clock: () => Date.now() + setBy, silenceMs: 900 });
    await c.whenInStep();
    c.subscribe((change) => change.kind === 'state' && states.push(change.state.status));
    expect(Math.abs(c.hubNow() - hub.hubNow())).toBeLessThan(1000);
    setBy = -10 * 60_000;
    // Before the fix the offset of the welcome stayed: the hall's time ten minutes behind until the next reconnect.
    await expect.poll(() => Math.abs(c.hubNow() - hub.hubNow()), { timeout: 10_000 }).toBeLessThan(1000);
    expect(states).toEqual([]);
  });

  it('gives the hall’s clock in whole milliseconds, as commands carry it (madeAt), whatever half a round trip comes to', async () => {
    const hub = await hubAnHourAhead((reply) => reply());
    // A clock with half milliseconds stands for any fraction: half an odd round trip gave one (the kiosk's
    // ticket was then refused by the hub: "command.madeAt: expected int, received number").
    const c = client({ url: hub.url, role: 'kiosk', terminal: 'kiosk-1', clock: () => Date.now() + 0.5, silenceMs: 900 });
    await c.whenInStep();
    for (let i = 0; i < 5; i++) {
      expect(Number.isInteger(c.hubNow()), String(c.hubNow())).toBe(true);
      void c.send({ type: 'issueTicket', serviceCode: 'SFZ', lane: 'ordinary' });
      await wait(350);
    }
    expect(Math.abs(c.hubNow() - hub.hubNow())).toBeLessThan(1000);
    await expect.poll(() => hub.madeAt.length).toBe(5);
    for (const at of hub.madeAt) expect(Number.isInteger(at), String(at)).toBe(true);
  });

  it('does not move the offset for one slow pong: the shortest round trip among the last few counts', async () => {
    let slow: 'not yet' | 'held' | 'sent' = 'not yet';
    const held: (() => void)[] = [];
    const hub = await hubAnHourAhead((reply) => {
      if (slow === 'not yet') {
        // This pong comes 3 s after its ping: taken alone, it would put the hall's clock 1.5 s behind.
        slow = 'held';
        setTimeout(() => {
          reply();
          slow = 'sent';
        }, 3000);
      } else if (slow === 'sent') held.push(reply); // no pong after it until the hall's clock is read
      else reply();
    });
    const c = client({ url: hub.url, role: 'kiosk', terminal: 'kiosk-1', silenceMs: 3000 });
    await c.whenInStep();
    await expect.poll(() => slow, { timeout: 10_000 }).toBe('sent');
    await wait(100);
    expect(Math.abs(c.hubNow() - hub.hubNow())).toBeLessThan(500);
    held.forEach((reply) => reply());
  });
});
