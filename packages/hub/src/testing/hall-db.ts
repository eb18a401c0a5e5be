import type { Catalogue, Command, CommandBody } from '@servicehall/core';
import { demoCatalogue } from '@servicehall/fixtures';
import { newCommandId } from '@servicehall/protocol';
import path from 'node:path';
import { openDatabase, type Db } from '../db';
import { HallKey, KEY_FILE } from '../files';
import { HallStore } from '../store';

const KIOSK = { role: 'kiosk', terminal: 'kiosk-1' } as const;

/** Issues `count` tickets through the store's own path, spread over the demo items without a daily quota. */
export function issueTickets(store: HallStore, count: number): string[] {
  const items = store.view.catalogue.items.filter((i) => i.dailyQuota === undefined);
  const ids: string[] = [];
  const batch: { command: Command; actor: typeof KIOSK }[] = [];
  for (let i = 0; i < count; i++) {
    const body: CommandBody = { type: 'issueTicket', serviceCode: items[i % items.length]!.code, lane: 'ordinary' };
    batch.push({ command: { ...body, id: newCommandId() }, actor: KIOSK });
  }
  for (const r of store.executeBatch(batch)) if (r.answer.ok && r.answer.ticket) ids.push(r.answer.ticket.id);
  return ids;
}

/** The hall key of the data folder `dataDir`, made when it has none (as the hub makes it). */
export function hallKeyOf(dataDir: string): HallKey {
  return HallKey.load(path.join(dataDir, KEY_FILE), () => undefined);
}

/** A hall database in `dataDir` (the demo hall, issuing all day) with `tickets` tickets issued; closed again. */
export function makeHallDatabase(dataDir: string, tickets: number, now: () => number = Date.now): { seq: number; ticketIds: string[] } {
  const db = openDatabase(dataDir);
  try {
    HallStore.seed(db, demoCatalogue({ allDay: true }), now());
    // The key the hub on this folder will use (the hub refuses a database sealed with another).
    const store = new HallStore(db, now, hallKeyOf(dataDir));
    const ticketIds = issueTickets(store, tickets);
    store.writeFacts();
    return { seq: store.seq, ticketIds };
  } finally {
    db.close();
  }
}

/**
 * A demo hall in `dataDir` at 09:00 on 2026-11-27 (a working day), issuing all day with no daily
 * quota, windows 1 and 2 open (clerks 1001 and 1002) and `tickets` issued: the tests of the waits
 * and of the phones start from it. With `serveEveryItem` the two windows serve every item (they call
 * whatever was issued); `adjust` changes the catalogue further before it is seeded. The clock is
 * the test's to move.
 */
export function hallWithTicketsWaiting(dataDir: string, tickets: number, options: { serveEveryItem?: boolean; adjust?: (catalogue: Catalogue) => void } = {}): { db: Db; store: HallStore; clock: { now: number }; ids: string[] } {
  const db = openDatabase(dataDir);
  const clock = { now: Date.parse('2026-11-27T09:00:00+08:00') };
  const catalogue = demoCatalogue({ allDay: true });
  for (const item of catalogue.items) delete item.dailyQuota;
  if (options.serveEveryItem) for (const w of catalogue.windows.slice(0, 2)) w.serves = catalogue.items.map((i) => i.code);
  options.adjust?.(catalogue);
  HallStore.seed(db, catalogue, clock.now);
  const store = new HallStore(db, () => clock.now, hallKeyOf(dataDir), () => clock.now);
  for (const [window, clerk] of [
    [1, '1001'],
    [2, '1002'],
  ] as const) {
    const answer = store.execute({ id: `open-${window}`, type: 'openWindow', window, clerk }, { role: 'admin', terminal: 'console' }).answer;
    if (!answer.ok) throw new Error(`window ${window} did not open: ${answer.message}`);
  }
  return { db, store, clock, ids: issueTickets(store, tickets) };
}
