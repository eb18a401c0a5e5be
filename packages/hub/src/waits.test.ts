import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BOARD_CALLS_A_SECOND, BOARD_LIFE_MAX_MS, boardLifeMs } from './waits';
import { hallWithTicketsWaiting, issueTickets } from './testing/hall-db';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

/** A hall with windows 1 and 2 open, serving every item, and `tickets` waiting. */
function hall(tickets: number) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'servicehall-waits-'));
  dirs.push(dir);
  // Numbers of four digits (a load test's queue), and every item served by the two windows opened.
  const { db, store, clock, ids } = hallWithTicketsWaiting(dir, tickets, { serveEveryItem: true, adjust: (c) => (c.numbering = { ...c.numbering, digits: 4, last: 9999 }) });
  return { store, clock, ids, close: () => db.close() };
}

describe("the waits' board the hub shares (HallStore.waits)", () => {
  it('lives a second for up to a busy queue, longer in proportion beyond it, and never more than its cap', () => {
    expect(boardLifeMs(0)).toBe(1000);
    expect(boardLifeMs(BOARD_CALLS_A_SECOND)).toBe(1000);
    expect(boardLifeMs(3 * BOARD_CALLS_A_SECOND)).toBe(3000);
    expect(boardLifeMs(1_000_000)).toBe(BOARD_LIFE_MAX_MS);
  });

  it("is played again after a second for a hall's queue", () => {
    const { store, clock, ids, close } = hall(200);
    const board = store.waits();
    expect(board.of(store.view.tickets.get(ids.at(-1)!)!).ahead).toBeGreaterThan(0);
    expect(board.calls).toBeGreaterThan(0);
    expect(board.calls).toBeLessThanOrEqual(BOARD_CALLS_A_SECOND);
    clock.now += 999;
    expect(store.waits()).toBe(board);
    clock.now += 2;
    expect(store.waits()).not.toBe(board);
    close();
  });

  it('is kept longer for a queue far beyond a hall’s while only tickets are issued, and played again at once after a call', () => {
    const { store, clock, ids, close } = hall(9000);
    const board = store.waits();
    const last = store.view.tickets.get(ids.at(-1)!)!;
    expect(board.of(last).ahead).toBeGreaterThan(0);
    // Every waiting ticket the open windows may call is in the play.
    expect(board.calls).toBeGreaterThan(2 * BOARD_CALLS_A_SECOND);
    // Past a second, with a ticket issued meanwhile: the same board, which follows the new ticket.
    clock.now += 1500;
    const [next] = issueTickets(store, 1);
    expect(store.waits()).toBe(board);
    expect(store.waits().of(store.view.tickets.get(next!)!).ahead).toBeGreaterThan(board.of(last).ahead);
    // Its time is up (its calls, the followed one's too, set it).
    clock.now = board.now + boardLifeMs(board.calls);
    const again = store.waits();
    expect(again).not.toBe(board);
    // A call changes every place: the next board is played at once, not kept for its time.
    expect(again.of(last).ahead).toBeGreaterThan(0);
    expect(store.execute({ id: 'call-1', type: 'callNext', window: 1 }, { role: 'window', terminal: 'window-1', window: 1 }).answer).toMatchObject({ ok: true });
    const afterCall = store.waits();
    expect(afterCall).not.toBe(again);
    expect(afterCall.of(last).ahead).toBe(again.of(last).ahead - 1);
    close();
  });
});
