import { fromSnapshot, type HallEvent } from '@servicehall/core';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { hallWithTicketsWaiting } from '../testing/hall-db';
import { FollowedHall } from './followed-hall';

const dirs: string[] = [];
const closing: (() => void)[] = [];
afterEach(() => {
  for (const close of closing.splice(0)) close();
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

/** The hub's store with two windows open and tickets waiting, and a copy of its view followed as the phones' process follows it. */
function hubAndCopy(tickets: number) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'servicehall-followed-'));
  dirs.push(dir);
  // Every item served by windows 1 and 2: the windows call whatever was issued.
  const { db, store, clock } = hallWithTicketsWaiting(dir, tickets, { serveEveryItem: true });
  closing.push(() => db.close());
  const batches: HallEvent[][] = [];
  store.onEvents((events) => batches.push([...events]));
  let resyncs = 0;
  const copy = new FollowedHall(fromSnapshot(JSON.parse(JSON.stringify(store.snapshot()))), store.links, () => (resyncs += 1));
  const heard: HallEvent[] = [];
  copy.onEvents((events) => heard.push(...events));
  const work = (n: number) => {
    for (let i = 0; i < n; i++) {
      const window = 1 + (i % 2);
      const clerk = { role: 'window', terminal: `window-${window}`, window } as const;
      for (const type of ['callNext', 'startService', 'finishService'] as const) expect(store.execute({ id: `${type}-${batches.length}-${i}`, type, window }, clerk).answer).toMatchObject({ ok: true });
      clock.now += 60_000;
    }
  };
  return { store, copy, batches, heard, work, clock, resyncs: () => resyncs };
}

describe("the phones' process's copy of the hall (FollowedHall)", () => {
  it("follows the hub's events to the same hall: tickets, places and waits, the public references", () => {
    const { store, copy, batches, heard, work, clock } = hubAndCopy(12);
    work(5);
    for (const batch of batches) copy.apply(JSON.parse(JSON.stringify(batch)) as HallEvent[]);
    // A batch heard twice (the hub sent its view meanwhile) changes nothing.
    copy.apply(batches.at(-1)!);
    expect(copy.view.seq).toBe(store.view.seq);
    expect(heard.map((e) => e.seq)).toEqual(batches.flat().map((e) => e.seq));
    const board = copy.waits(clock.now);
    const hubs = store.waits(clock.now);
    for (const t of store.view.tickets.values()) {
      expect(copy.view.tickets.get(t.id)?.state).toBe(t.state);
      if (t.state === 'issued') expect(board.of(copy.view.tickets.get(t.id)!).ahead).toBe(hubs.of(t).ahead);
      expect(copy.refs.ofTicket(t.id)).toBe(store.refs.ofTicket(t.id));
      expect(copy.ratingLink(t.id)).toBe(store.ratingLink(t.id));
    }
  });

  it('asks for the view again when a batch is missed, hears nothing until it has it, then follows on', () => {
    const { store, copy, batches, heard, work, resyncs } = hubAndCopy(12);
    work(4);
    // Window 1's service heard; window 2's (three batches) never came; window 1's next call is out of
    // step, though the hall's rules alone would take it (its ticket is waiting in the copy).
    for (const batch of batches.slice(0, 3)) copy.apply(batch);
    copy.apply(batches[6]!);
    expect(resyncs()).toBe(1);
    const heardBefore = heard.length;
    for (const batch of batches.slice(7)) copy.apply(batch);
    expect(heard.length).toBe(heardBefore);
    expect(resyncs()).toBe(1);
    copy.replace(fromSnapshot(JSON.parse(JSON.stringify(store.snapshot()))));
    expect(copy.view.seq).toBe(store.view.seq);
    work(2);
    for (const batch of batches.slice(-6)) copy.apply(batch);
    expect(copy.view.seq).toBe(store.view.seq);
    expect(heard.length).toBeGreaterThan(heardBefore);
    expect(resyncs()).toBe(1);
  });
});
