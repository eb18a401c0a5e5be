import { ticketWait, type WaitBoard } from '@servicehall/core';
import type { PhoneTicket } from '@servicehall/protocol/phone';
import { EventEmitter } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { checkNotifyConfig, HallNotifications } from '../notifications';
import { PhoneBook, PhoneVault } from '../phones';
import { HallStore } from '../store';
import { hallWithTicketsWaiting } from '../testing/hall-db';
import { TicketWatch, type WatchOptions } from './watch';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A phone's open stream as the watch writes to it: each frame it is sent, read back. */
class FakePhone extends EventEmitter {
  readonly seen: PhoneTicket[] = [];
  writableEnded = false;
  destroyed = false;
  writableLength = 0;
  write(text: string): boolean {
    for (const line of text.split('\n')) if (line.startsWith('data: ')) this.seen.push(JSON.parse(line.slice(6)) as PhoneTicket);
    return true;
  }
  end(): void {
    this.writableEnded = true;
  }
  destroy(): void {
    this.destroyed = true;
  }
}

const dirs: string[] = [];
const closing: (() => void)[] = [];
afterEach(() => {
  for (const close of closing.splice(0)) close();
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

/** A hall with three windows open on the same items and `tickets` waiting, each followed by a phone's stream. */
function hallWithPhones(tickets: number, heartbeatMs?: number, options: Pick<WatchOptions, 'callsAtOnce'> = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'servicehall-watch-'));
  dirs.push(dir);
  const { db, store, clock } = hallWithTicketsWaiting(dir, tickets);
  const now = () => clock.now;
  const notify = checkNotifyConfig({ channels: [] }, '滨江政务服务中心');
  if (!notify.ok) throw new Error(notify.message);
  const notifications = new HallNotifications(db, notify.config, { clock: now });
  const watch = new TicketWatch(store, { phones: new PhoneBook(db, new PhoneVault(Buffer.alloc(32, 7))), notifications, transaction: (work) => store.withTransaction(work), inCharge: () => store.role.inCharge }, { publicBase: () => 'https://hall.example', clock: now, ...(heartbeatMs ? { heartbeatMs } : {}), ...options });
  closing.push(() => {
    watch.close();
    db.close();
  });
  const phones = new Map<string, FakePhone>();
  for (const t of store.view.tickets.values()) {
    const phone = new FakePhone();
    watch.stream(t, phone);
    phones.set(t.id, phone);
  }
  // Every waits' board the hub makes from now on.
  const boards = new Set<WaitBoard>();
  const waits = store.waits.bind(store);
  store.waits = (at?: number) => {
    const board = waits(at);
    boards.add(board);
    return board;
  };
  return { store, watch, phones, boards, clock };
}

/**
 * The clerks of windows 1 and 2 call, start and finish in turn, one command each turn of the event
 * loop (20 s of the hall's time apart), until stopped or after at most `max` commands (by default
 * 120: 40 minutes of the hall's morning, however fast the loop turns).
 */
function hallAtWork(store: HallStore, clock: { now: number }, max = 120): { stop(): number } {
  const steps = ['callNext', 'startService', 'finishService'] as const;
  let n = 0;
  let working = true;
  const work = () => {
    if (!working || n >= max) return;
    const window = 1 + (n % 2);
    const type = steps[Math.floor(n / 2) % 3]!;
    store.execute({ id: `work-${n}`, type, window }, { role: 'window', terminal: `window-${window}`, window });
    clock.now += 20_000;
    n += 1;
    setImmediate(work);
  };
  setImmediate(work);
  return {
    stop() {
      working = false;
      return n;
    },
  };
}

describe('the phones following their tickets (TicketWatch)', () => {
  it("tells the call itself when its service begins and ends in the same moment (the phones' own process, whose events come in bursts)", async () => {
    const { store, phones } = hallWithPhones(3, undefined, { callsAtOnce: true });
    const clerk = { role: 'window', terminal: 'window-1', window: 1 } as const;
    // Three commands in one turn of the event loop, as the phones' process hears a burst of the hub's events.
    const call = store.execute({ id: 'burst-call', type: 'callNext', window: 1 }, clerk).answer as { ok: boolean; ticket?: { id: string } };
    expect(call.ok).toBe(true);
    expect(store.execute({ id: 'burst-start', type: 'startService', window: 1 }, clerk).answer).toMatchObject({ ok: true });
    expect(store.execute({ id: 'burst-finish', type: 'finishService', window: 1 }, clerk).answer).toMatchObject({ ok: true });
    await sleep(250);
    const seen = phones.get(call.ticket!.id)!.seen.map((s) => s.state);
    expect(seen).toContain('called');
    expect(seen.at(-1)).toBe('done');
  });

  it("tells a call before the next burst of events, though the slice ran out on the tickets touched before it (the phones' own process)", async () => {
    const { store, phones, clock } = hallWithPhones(3, undefined, { callsAtOnce: true });
    const clerk = (window: number) => ({ role: 'window', terminal: `window-${window}`, window }) as const;
    const serve = (window: number, id: string) => {
      for (const type of ['startService', 'finishService'] as const) expect(store.execute({ id: `${id}-${type}`, type, window }, clerk(window)).answer).toMatchObject({ ok: true });
    };
    // Window 2's ticket is served: its phone is told the service (touched) in the next pass, 100 ms on.
    expect(store.execute({ id: 'first-call', type: 'callNext', window: 2 }, clerk(2)).answer).toMatchObject({ ok: true });
    serve(2, 'first');
    // A busy machine: the phones' process loses the processor in the middle of a slice, so the slice
    // runs out after the first ticket it looks at (window 2's, touched before the call).
    let now = performance.now();
    const slow = vi.spyOn(performance, 'now').mockImplementation(() => (now += 5));
    try {
      // Window 1 calls, calls again a minute later, and the service begins and ends, all in the same burst of the hub's events.
      const call = store.execute({ id: 'second-call', type: 'callNext', window: 1 }, clerk(1)).answer as { ok: boolean; ticket?: { id: string } };
      expect(call.ok).toBe(true);
      clock.now += 60_000;
      expect(store.execute({ id: 'second-recall', type: 'recall', window: 1 }, clerk(1)).answer).toMatchObject({ ok: true });
      serve(1, 'second');
      slow.mockRestore();
      await sleep(250);
      const seen = phones.get(call.ticket!.id)!.seen;
      // Both calls rang, each with its own time.
      expect(new Set(seen.filter((s) => s.state === 'called').map((s) => s.calledAt)).size).toBe(2);
      expect(seen.at(-1)?.state).toBe('done');
    } finally {
      slow.mockRestore();
    }
  });

  it('looks at thousands of phones a slice at a time, the queue played once for a pass however many commands run between its slices', async () => {
    const { store, boards, clock } = hallWithPhones(3000);
    // The first pass (every phone) ends.
    await sleep(500);
    boards.clear();
    const seqBefore = store.seq;
    const started = performance.now();
    const hall = hallAtWork(store, clock);
    // Passes begin every 100 ms while the hall works, a command between each two slices of 1 ms; a pass for 3,000 phones takes several.
    // (And a few passes' time: on a busy machine 60 commands may all come before the next pass begins.)
    while (store.seq - seqBefore < 60 || performance.now() - started < 350) await sleep(10);
    hall.stop();
    const passes = Math.ceil((performance.now() - started) / 100) + 1;
    // One board a pass (a play of the queue for each slice was most of a busy hall's cost for the phones).
    expect(boards.size).toBeGreaterThan(0);
    expect(boards.size).toBeLessThanOrEqual(passes);
  });

  it("writes the streams' keep-alive lines a slice at a time, the hall's work let in between", async () => {
    const { phones } = hallWithPhones(3000, 200);
    // Each keep-alive line costs what a write to a socket does (tens of microseconds). A turn of the
    // event loop asked for at the first line of a beat comes before its last.
    let lines = 0;
    let turnedAt: number | undefined;
    for (const phone of phones.values()) {
      const write = phone.write.bind(phone);
      phone.write = (text: string) => {
        if (text === ':\n\n') {
          if (lines++ === 0) setImmediate(() => (turnedAt = lines));
          const end = performance.now() + 0.02;
          while (performance.now() < end);
        }
        return write(text);
      };
    }
    for (let waited = 0; lines < 3000 && waited < 3000; waited += 20) await sleep(20);
    expect(lines).toBeGreaterThanOrEqual(3000);
    expect(turnedAt).toBeGreaterThan(0);
    expect(turnedAt).toBeLessThan(3000);
  });

  it('tells every phone where its ticket stands once the hall is quiet: the changes left for later are told too', async () => {
    const { store, watch, phones, clock } = hallWithPhones(1500);
    await sleep(300);
    const hall = hallAtWork(store, clock);
    await sleep(300);
    hall.stop();
    // The hall quiet, and whatever was left for later told.
    await sleep(2200);
    // Last, both windows serve; a minute later window 2's service ends: the expected waits change, nobody's place does.
    for (const window of [1, 2])
      for (const type of ['finishService', 'callNext', 'startService'] as const) store.execute({ id: `last-${type}-${window}`, type, window }, { role: 'window', terminal: `window-${window}`, window });
    await sleep(300);
    const before = new Map([...phones.keys()].map((id) => [id, ticketWait(store.view, store.view.tickets.get(id)!, clock.now)]));
    clock.now += 60_000;
    expect(store.execute({ id: 'last-finish', type: 'finishService', window: 2 }, { role: 'window', terminal: 'window-2', window: 2 }).answer).toMatchObject({ ok: true });
    const waitsOnly = [...before].filter(([id, w]) => {
      const t = store.view.tickets.get(id)!;
      const now = ticketWait(store.view, t, clock.now);
      return t.state === 'issued' && now.ahead === w.ahead && now.minutes !== w.minutes;
    });
    expect(waitsOnly.length).toBeGreaterThan(10);
    // The far ones and the waits alone are looked at again within two seconds.
    await sleep(2500);
    let issued = 0;
    for (const [id, phone] of phones) {
      const t = store.view.tickets.get(id)!;
      const last = phone.seen.at(-1)!;
      expect(last.state, t.number).toBe(t.state);
      if (t.state !== 'issued') continue;
      issued += 1;
      const truth = ticketWait(store.view, t, clock.now);
      expect({ ahead: last.ahead, minutes: last.minutes, range: last.range }, t.number).toEqual({ ahead: truth.ahead, minutes: truth.minutes, range: truth.range });
      // A phone is never told a place it had already been told was passed.
      const aheads = phone.seen.filter((s) => s.state === 'issued').map((s) => s.ahead);
      expect(aheads, t.number).toEqual([...aheads].sort((a, b) => b - a));
    }
    expect(issued).toBeGreaterThan(1000);
    expect(watch.watching).toBe(1500);
  });

  it('leaves the phones of tickets already served alone while the lines move, and tells them what happens to their own', async () => {
    const { store, phones } = hallWithPhones(300);
    const window1 = { role: 'window', terminal: 'window-1', window: 1 } as const;
    const window2 = { role: 'window', terminal: 'window-2', window: 2 } as const;
    const served: string[] = [];
    for (let i = 0; i < 10; i++) {
      const called = store.execute({ id: `call-${i}`, type: 'callNext', window: 1 }, window1).answer;
      expect(called).toMatchObject({ ok: true });
      served.push((called as { ticket: { id: string } }).ticket.id);
      for (const type of ['startService', 'finishService'] as const) store.execute({ id: `${type}-${i}`, type, window: 1 }, window1);
    }
    await sleep(300);
    const looked = vi.spyOn(TicketWatch.prototype as unknown as { update: (t: { id: string }) => unknown }, 'update');
    // The lines move: window 2 calls five in turn.
    for (let i = 0; i < 5; i++) {
      store.execute({ id: `more-${i}`, type: 'callNext', window: 2 }, window2);
      store.execute({ id: `more-finish-${i}`, type: 'finishService', window: 2 }, window2);
      await sleep(120);
    }
    const servedLooks = looked.mock.calls.filter(([t]) => served.includes(t.id));
    expect(looked.mock.calls.length).toBeGreaterThan(0);
    expect(servedLooks).toEqual([]);
    looked.mockRestore();
    for (const id of served) expect(phones.get(id)!.seen.at(-1)!.state).toBe('done');
    // A served ticket's own change reaches its phone: the visit's rating is taken, the rating link goes.
    expect(phones.get(served[0]!)!.seen.at(-1)!.rateUrl).toBeDefined();
    expect(store.execute({ id: 'rated', type: 'rate', ticketId: served[0]!, level: 'satisfied', channel: 'qr', aspects: {}, reasons: [] }, { role: 'admin', terminal: 'qr-page' }, ':qr').answer).toMatchObject({ ok: true });
    await expect.poll(() => phones.get(served[0]!)!.seen.at(-1)!.rateUrl).toBeUndefined();
  });
});

describe("a new hall day's event at the watch", () => {
  /** A ticket of 2026-11-27 taken by a verified phone, watched by a hub in charge or a standby; the event of the 28th's opening comes. */
  function newDayAt(inCharge: boolean) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'servicehall-watch-day-'));
    dirs.push(dir);
    const { db, store, clock, ids } = hallWithTicketsWaiting(dir, 1);
    const notify = checkNotifyConfig({ channels: [] }, '滨江政务服务中心');
    if (!notify.ok) throw new Error(notify.message);
    const phones = new PhoneBook(db, new PhoneVault(Buffer.alloc(32, 7)));
    const watch = new TicketWatch(store, { phones, notifications: new HallNotifications(db, notify.config, { clock: () => clock.now }), transaction: (work) => store.withTransaction(work), inCharge: () => inCharge }, { publicBase: () => 'https://hall.example', clock: () => clock.now });
    closing.push(() => {
      watch.close();
      db.close();
    });
    phones.link('ticket', ids[0]!, { holder: 'holder-1', sealed: phones.vault.seal('+8613800001111') }, '2026-11-27', true, clock.now);
    const held = () => ({
      links: db.prepare('SELECT phone IS NOT NULL AS phone, changed FROM phone_links').all(),
      stampsGiven: db.prepare("SELECT value FROM hall WHERE key = 'phone_stamps_given'").get(),
    });
    const before = held();
    clock.now = Date.parse('2026-11-28T09:00:00+08:00');
    expect(store.openDayIfDue().map((e) => e.type)).toContain('day.opened');
    return { before, after: held() };
  }

  it("forgets yesterday's numbers' phones at the hub in charge", () => {
    const { before, after } = newDayAt(true);
    expect(before.links).toEqual([{ phone: 1, changed: expect.any(Number) }]);
    expect(after.links).toEqual([{ phone: 0, changed: expect.any(Number) }]);
  });

  it('writes nothing at a standby: the links it holds change only as its primary sends them', () => {
    const { before, after } = newDayAt(false);
    expect(before.links).toEqual([{ phone: 1, changed: expect.any(Number) }]);
    expect(after).toEqual(before);
  });
});
