import { demoCatalogue } from '@servicehall/fixtures';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from './db';
import { housekeep } from './housekeeping';
import { HallStore } from './store';
import { hallKeyOf } from './testing/hall-db';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

describe("the hub's housekeeping", () => {
  it('goes through a backlog of default ratings a chunk at a time, each service rated once', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'servicehall-housekeeping-'));
    dirs.push(dir);
    const db = openDatabase(dir);
    let now = Date.parse('2026-11-27T09:00:00+08:00');
    const catalogue = demoCatalogue({ allDay: true });
    for (const item of catalogue.items) delete item.dailyQuota;
    HallStore.seed(db, catalogue, now);
    const store = new HallStore(db, () => now, hallKeyOf(dir));
    const admin = { role: 'admin', terminal: 'console' } as const;
    const window = { role: 'window', terminal: 'window-1', window: 1 } as const;
    const must = (r: { answer: { ok: boolean } }) => expect(r.answer, JSON.stringify(r.answer)).toMatchObject({ ok: true });
    must(store.execute({ id: 'open-1', type: 'openWindow', window: 1, clerk: '1001' }, admin));
    // A hub down for the afternoon: 450 services finished, none rated, all past the default's time.
    for (let i = 0; i < 450; i++) {
      must(store.execute({ id: `issue-${i}`, type: 'issueTicket', serviceCode: 'GA-SFZ-HL', lane: 'ordinary' }, { role: 'kiosk', terminal: 'kiosk-1' }));
      for (const type of ['callNext', 'startService', 'finishService'] as const) must(store.execute({ id: `${type}-${i}`, type, window: 1 }, window));
    }
    expect(store.view.ratingRequests.size).toBe(450);
    now += 60 * 60_000;
    expect([1, 2, 3, 4].map(() => housekeep(store, now, 200).commands)).toEqual([200, 200, 50, 0]);
    expect(store.view.ratingRequests.size).toBe(0);
    const rated = db.prepare("SELECT COUNT(*) AS n, COUNT(DISTINCT ticket_id) AS tickets FROM ratings").get() as { n: number; tickets: number };
    expect(rated).toEqual({ n: 450, tickets: 450 });
    db.close();
  });
});
