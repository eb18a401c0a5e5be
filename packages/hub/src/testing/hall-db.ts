import type { Command, CommandBody } from '@servicehall/core';
import { demoCatalogue } from '@servicehall/fixtures';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { openDatabase } from '../db';
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
    batch.push({ command: { ...body, id: randomUUID() }, actor: KIOSK });
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
