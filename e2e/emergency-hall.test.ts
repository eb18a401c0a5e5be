import { loadConfig, startAgent, type RunningAgent } from '@servicehall/agent';
import { applyEvent, emptyView, toSnapshot, windowQueue, type HallEvent, type Ticket } from '@servicehall/core';
import { demoCatalogue } from '@servicehall/fixtures';
import { startHub, type RunningHub } from '@servicehall/hub';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createKioskAgent } from '../apps/kiosk/src/main/agent';
import { KioskSettingsSchema } from '../apps/kiosk/src/main/settings';
import type { KioskShape, KioskStatus, TakeResult, TicketShown } from '../apps/kiosk/src/shared/api';
import { createWindowAgent } from '../apps/window/src/main/agent';
import { WindowOptionsSchema } from '../apps/window/src/main/options';
import type { Done, EmergencyDesk, WindowShape } from '../apps/window/src/shared/api';

// Ten minutes of a working hall with no hub at all (应急取号, 应急手动叫号), on an injected clock:
// two kiosks issue from their leases, three windows call typed numbers and record outcomes, and
// when the hub returns every terminal's record is reconciled into the log with its true times.

const TOKEN = 'emergency-hall-token';
const DAY = '2026-11-27';
const at = (time: string) => Date.parse(`${DAY}T${time}+08:00`);
const MINUTE = 60_000;

// Jumps of the clock while a terminal is linked stay under its heartbeat's silence (20 s): a bigger one makes it link again.
// The terminals' steady clocks (how long the hub has been away, the hall's time between pongs) follow it too.
let now = at('09:00:00');
const steady = () => now;
/** The terminals' own clocks differ a little from the hub's (and from each other). */
const clockOf = (skewMs: number) => () => now + skewMs;

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'servicehall-emergency-hall-'));
let hub: RunningHub | undefined;
const agents: RunningAgent[] = [];

afterAll(async () => {
  for (const a of agents) await a.stop();
  await hub?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function until(check: () => boolean, what: string, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`not in time: ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

async function hall(port = 0): Promise<RunningHub> {
  return startHub({ dataDir: path.join(dir, 'hub'), token: TOKEN, seed: demoCatalogue({ allDay: true }), clock: () => now, port, host: '127.0.0.1' });
}

async function kiosk(terminal: string, skewMs: number, wsUrl: string) {
  const config = loadConfig(undefined, { SERVICEHALL_HUB_URL: wsUrl, SERVICEHALL_TOKEN: TOKEN, SERVICEHALL_TERMINAL: terminal, SERVICEHALL_TERMINAL_DATA: path.join(dir, terminal) }, { role: 'kiosk' });
  const clock = clockOf(skewMs);
  const agent = await startAgent<KioskShape>(config, (ctx) => createKioskAgent(ctx, KioskSettingsSchema.parse({ printerPollMs: 60_000, leaseSize: 10 }), { now: clock }), () => undefined, undefined, { clock, steady });
  agents.push(agent);
  await agent.client.whenInStep();
  const call = agent.handlers as unknown as { takeNumber(a: unknown): Promise<TakeResult> };
  return { agent, take: (serviceCode: string) => call.takeNumber({ serviceCode, lane: 'ordinary', lang: 'zh-CN' }), status: () => agent.pushes.get('status') as KioskStatus };
}

async function windowTerminal(window: number, skewMs: number, wsUrl: string) {
  const config = loadConfig(
    undefined,
    { SERVICEHALL_HUB_URL: wsUrl, SERVICEHALL_TOKEN: TOKEN, SERVICEHALL_WINDOW: String(window), SERVICEHALL_TERMINAL_DATA: path.join(dir, `window-${window}`) },
    { role: 'window', terminal: `window-${window}` },
  );
  const clock = clockOf(skewMs);
  const agent = await startAgent<WindowShape>(config, (ctx) => createWindowAgent(ctx, WindowOptionsSchema.parse({}), { now: clock }), () => undefined, undefined, { clock, steady });
  agents.push(agent);
  await agent.client.whenInStep();
  const h = agent.handlers as unknown as {
    callNext(): Promise<Done>;
    start(): Promise<Done>;
    finish(): Promise<Done>;
    emergencyCall(a: { number: string }): Promise<Done>;
    emergencyStart(): Promise<Done>;
    emergencyEnd(a: { end: 'finished' | 'noShow' }): Promise<Done>;
  };
  return { agent, h, desk: () => agent.pushes.get('emergency') as EmergencyDesk };
}

describe('ten minutes of a working hall with no hub at all', () => {
  it('issues from leases, calls typed numbers, and reconciles every ticket once, in order, with its true times', { timeout: 120_000 }, async () => {
    hub = await hall();
    const wsUrl = hub.wsUrl;
    const port = Number(new URL(wsUrl).port);
    const k1 = await kiosk('kiosk-1', 3_000, wsUrl);
    const k2 = await kiosk('kiosk-2', -2_000, wsUrl);
    const w1 = await windowTerminal(1, 1_500, wsUrl);
    const w2 = await windowTerminal(2, -1_000, wsUrl);
    const w3 = await windowTerminal(3, 500, wsUrl);
    for (const [w, clerk] of [[1, '1001'], [2, '1002'], [3, '1003']] as const)
      hub.store.execute({ id: `open-${w}`, type: 'openWindow', window: w, clerk }, { role: 'admin', terminal: 'test' });
    // While online, each kiosk holds a lease of every prefix: the hub's own numbering never enters them.
    const prefixes = new Set(hub.store.view.catalogue.items.map((i) => i.prefix));
    await until(() => hub!.store.view.leases.length === 2 * prefixes.size, 'both kiosks hold a lease of every prefix');
    const leaseOf = (terminal: string, prefix: string) => hub!.store.view.leases.find((l) => l.terminal === terminal && l.prefix === prefix)!;
    expect(leaseOf('kiosk-1', 'A')).toMatchObject({ first: 990, last: 999 });
    expect(leaseOf('kiosk-2', 'A')).toMatchObject({ first: 980, last: 989 });

    // 09:00: the hall works as usual.
    const shown: { ticket: TicketShown; at: number }[] = [];
    const take = async (k: Awaited<ReturnType<typeof kiosk>>, code: string) => {
      const r = await k.take(code);
      if (!r.ok) throw new Error(`no ticket: ${r.code}`);
      shown.push({ ticket: r.ticket, at: now });
      return r.ticket;
    };
    expect((await take(k1, 'GA-SFZ-HL')).number).toBe('A001');
    now += 10_000;
    expect((await take(k2, 'GA-SFZ-HL')).number).toBe('A002');
    now += 10_000;
    expect((await take(k1, 'CRJ-HZ-SL')).number).toBe('B001');
    await until(() => [k1, k2, w1].every((t) => t.agent.client.view?.seq === hub!.store.view.seq), 'all in step');
    expect(await w1.h.callNext()).toMatchObject({ ok: true, ticket: 'A001' });
    expect(await w1.h.start()).toMatchObject({ ok: true });

    // 09:01: the hub's PC dies.
    now = at('09:01:00');
    await hub.close();
    hub = undefined;
    await until(() => agents.every((a) => a.client.state.status !== 'online'), 'every terminal sees the hub gone');
    expect(await k1.take('GA-SFZ-HL')).toMatchObject({ ok: false, code: 'hub-offline' });

    // 09:02: no hub for a minute: emergency mode.
    const times = new Map<string, { calledAt?: number; startedAt?: number; endedAt?: number; window?: number; end?: string }>();
    now = at('09:02:00');
    const e1 = await take(k1, 'GA-SFZ-HL');
    expect(e1).toMatchObject({ number: 'A990', emergency: true, issuedAt: '09:02' });
    await until(() => k1.status()?.emergency === true, 'the kiosk says it is in emergency mode');
    await until(() => w1.desk()?.active === true, 'the window shows its emergency mode');

    expect(await w1.h.emergencyCall({ number: '1' })).toMatchObject({ ok: false, code: 'invalid' });
    // Window 1 finishes the citizen it was serving when the hub died, by typing the number.
    expect(await w1.h.emergencyCall({ number: 'a 1' })).toMatchObject({ ok: true, ticket: 'A001' });
    expect(w1.desk().current).toMatchObject({ number: 'A001', state: 'called' });
    expect(await w1.h.emergencyCall({ number: 'A2' })).toMatchObject({ ok: false, code: 'window-busy' });
    now = at('09:03:00');
    expect(await w1.h.emergencyEnd({ end: 'finished' })).toMatchObject({ ok: true });
    const a001FinishedAt = now;
    // Ten minutes of the hall: a citizen every 30 s at alternate kiosks, the windows calling typed numbers.
    const issued: TicketShown[] = [e1];
    const pending: Record<string, string[]> = { A: ['A002', e1.number], B: ['B001'] };
    for (let i = 1; i < 20; i++) {
      now = at('09:02:00') + i * 30_000;
      const k = i % 2 === 0 ? k1 : k2;
      const code = i % 3 === 0 ? 'CRJ-HZ-SL' : 'GA-SFZ-HL';
      const t = await take(k, code);
      expect(t.emergency).toBe(true);
      issued.push(t);
      pending[t.number[0]!]!.push(t.number);
      // Every minute, windows 1 (A) and 3 (B) call the first waiting number by typing and serve it.
      if (i % 2 === 1) {
        for (const [w, prefix, end] of [[w1, 'A', 'finished'], [w3, 'B', i === 5 ? 'noShow' : 'finished']] as const) {
          const number = pending[prefix]!.shift();
          if (!number) continue;
          expect(await w.h.emergencyCall({ number })).toMatchObject({ ok: true, ticket: number });
          const rec = { calledAt: now, window: w === w1 ? 1 : 3, end } as { calledAt: number; startedAt?: number; endedAt?: number; window: number; end: string };
          now += 5_000;
          if (end === 'finished') {
            expect(await w.h.emergencyStart()).toMatchObject({ ok: true });
            rec.startedAt = now;
            now += 10_000;
          }
          expect(await w.h.emergencyEnd({ end })).toMatchObject({ ok: true });
          rec.endedAt = now;
          times.set(number, rec);
          now -= end === 'finished' ? 15_000 : 5_000;
        }
      }
    }
    // A kiosk whose lease is spent is politely out of service for that prefix (another kiosk or the desk).
    now = at('09:11:40');
    for (let n = 0; n < 7; n++) issued.push(await take(k2, 'CRJ-HZ-SL'));
    expect(await k2.take('CRJ-HZ-SL')).toMatchObject({ ok: false, code: 'leases-spent' });
    expect((await take(k2, 'GA-SFZ-HL')).emergency).toBe(true);
    // Two windows type the same number: window 2 calls one that window 1 called first.
    const twice = [...times.entries()].find(([n, r]) => n.startsWith('A') && r.window === 1 && n !== 'A002')![0];
    const first = times.get(twice)!;
    times.delete(twice);
    now = at('09:11:50');
    expect(await w2.h.emergencyCall({ number: twice })).toMatchObject({ ok: true });
    expect(await w2.h.emergencyEnd({ end: 'noShow' })).toMatchObject({ ok: true });
    expect(w1.desk().recent.length).toBeGreaterThan(0);

    // 09:12: the hub is back (after ten minutes and more without it).
    now = at('09:12:00');
    hub = await hall(port);
    await until(() => agents.every((a) => a.client.state.status === 'online' && a.client.waiting === 0), 'every record taken in', 30_000);
    await until(() => agents.every((a) => a.client.view?.seq === hub!.store.view.seq), 'all in step again');
    const view = hub.store.view;
    const events = hub.store.eventsSince(0, 100_000) as HallEvent[];

    // Every ticket the kiosks gave is in the log once, with the number and the time it was given.
    const issuedEvents = events.filter((e) => e.type === 'ticket.issued');
    const numbers = issuedEvents.map((e) => (e.type === 'ticket.issued' ? e.ticket.number : ''));
    expect(new Set(numbers).size).toBe(numbers.length);
    expect(shown.map((s) => s.ticket.number).sort()).toEqual([...numbers].sort());
    for (const s of shown) expect(view.tickets.get(`${DAY}-${s.ticket.number}`), s.ticket.number).toMatchObject({ issuedAt: s.at, issuedBy: expect.stringMatching(/^kiosk-/) });
    const emergencyTickets = [...view.tickets.values()].filter((t) => t.emergency);
    expect(emergencyTickets).toHaveLength(28);
    // Each kiosk's own order is kept, and its numbers run in it.
    for (const terminal of ['kiosk-1', 'kiosk-2']) {
      const mine = emergencyTickets.filter((t) => t.issuedBy === terminal).sort((a, b) => a.emergency!.order - b.emergency!.order);
      expect(mine.map((t) => t.issuedAt)).toEqual([...mine.map((t) => t.issuedAt)].sort((a, b) => a - b));
    }

    // Called, served, finished or no-show, each at its true time, at the window that typed it.
    for (const [number, r] of times) {
      const t = view.tickets.get(`${DAY}-${number}`)!;
      expect(t, number).toMatchObject({ state: r.end === 'finished' ? 'done' : 'no-show', window: r.window, calledAt: r.calledAt, finishedAt: r.endedAt });
      if (r.startedAt !== undefined) expect(t.servingAt).toBe(r.startedAt);
    }
    expect(view.tickets.get(`${DAY}-A001`)).toMatchObject({ state: 'done', window: 1, finishedAt: a001FinishedAt });
    // Two windows' calls of one number: one stands (the first to reach the hub, or the earlier call when
    // both came before the kiosk's record), the other is kept aside for a supervisor, not applied.
    const aside = events.filter((e) => e.type === 'emergency.callSetAside');
    expect(aside).toHaveLength(1);
    const dup = view.tickets.get(`${DAY}-${twice}`)!;
    expect(aside[0]).toMatchObject({ call: { number: twice, window: dup.window === 1 ? 2 : 1 } });
    if (dup.window === 1) expect(dup).toMatchObject({ state: 'done', calledAt: first.calledAt, finishedAt: first.endedAt });
    else expect(dup).toMatchObject({ state: 'no-show', window: 2, calledAt: at('09:11:50') });

    // What still waits is in the queue by issue time: the lease numbers among the hub's own.
    const waitingA = windowQueue(view, 1, now).filter((t: Ticket) => t.lane === 'ordinary');
    expect(waitingA.length).toBeGreaterThan(0);
    expect(waitingA.map((t) => t.issuedAt)).toEqual([...waitingA.map((t) => t.issuedAt)].sort((a, b) => a - b));

    // The hub's own numbering goes on below the leases; kiosks that used their leases hold new ones.
    now += 10_000;
    expect((await take(k1, 'GA-SFZ-HL')).number).toBe('A003');
    await until(() => hub!.store.view.leases.filter((l) => l.terminal === 'kiosk-1' && l.prefix === 'A').length === 2, 'kiosk-1 renews its lease of A');
    const renewed = hub.store.view.leases.filter((l) => l.terminal === 'kiosk-1' && l.prefix === 'A')[1]!;
    expect([960, 970]).toContain(renewed.first);
    expect(renewed.last - renewed.first).toBe(9);

    // The whole log folds to the hub's view: nothing but events made it.
    const folded = emptyView(view.catalogue, DAY);
    for (const e of hub.store.eventsSince(0, 100_000)) applyEvent(folded, e);
    expect(toSnapshot(folded)).toEqual(toSnapshot(hub.store.view));
  });
});
