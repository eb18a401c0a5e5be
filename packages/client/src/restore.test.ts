import { toSnapshot, type HallView } from '@servicehall/core';
import { demoCatalogue } from '@servicehall/fixtures';
import { HallStore, openDatabase, readLineage, restoreBackup, startHub, takeBackup, type RunningHub } from '@servicehall/hub';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { hallKeyOf, issueTickets } from '../../hub/src/testing/hall-db';
import { freePort } from '../../hub/src/testing/hub-process';
import { HallClient, type ClientChange } from './client';

const TOKEN = 'restore-token-for-the-hall';
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function tempDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'servicehall-restore-'));
  cleanups.push(() => fs.rmSync(d, { recursive: true, force: true }));
  return d;
}

function display(url: string, terminal: string, kept?: { view: HallView; log?: string }) {
  const changes: ClientChange[] = [];
  const c = new HallClient({ url, token: TOKEN, role: 'display', terminal, backoff: { initialMs: 50, maxMs: 200 }, initialView: kept?.view, initialLog: kept?.log });
  c.subscribe((change) => changes.push(change));
  cleanups.push(() => c.close());
  return { client: c, changes, snapshots: () => changes.filter((x) => x.kind === 'view' && x.snapshot).length };
}

function readLineageOf(dataDir: string): string {
  const db = openDatabase(dataDir);
  try {
    return readLineage(db).log;
  } finally {
    db.close();
  }
}

/** What must agree between a terminal's view and the hub's. */
function essence(view: HallView) {
  const s = toSnapshot(view);
  return { seq: s.seq, tickets: [...s.tickets].sort((a, b) => a.id.localeCompare(b.id)), counters: s.counters };
}

describe('a hub restored from a backup', () => {
  it.each([
    { case: 'has gone on past them', afterRestore: 25 },
    { case: 'has not reached them yet', afterRestore: 0 },
  ])('holds every ticket acknowledged up to the backup; a terminal that saw later events takes a snapshot when the restored hub $case', async ({ afterRestore }) => {
    const data = tempDir();
    const backups = tempDir();
    const port = await freePort();
    const url = `ws://127.0.0.1:${port}/ws`;
    let hub: RunningHub = await startHub({ dataDir: data, port, token: TOKEN, seed: demoCatalogue({ allDay: true }) });
    cleanups.push(() => hub.close());
    const firstLog = readLineageOf(data);

    const ahead = display(url, 'display-ahead');
    const behind = display(url, 'display-behind');
    const upToBackup = issueTickets(hub.store, 20);
    await Promise.all([ahead.client.whenInStep(hub.store.seq), behind.client.whenInStep(hub.store.seq)]);
    // The second screen is switched off here; it keeps its view and the log it came from.
    const kept = { view: behind.client.view!, log: behind.client.viewLog };
    expect(kept.log).toBe(firstLog);
    behind.client.close();

    const backup = await takeBackup(path.join(data, 'hall.db'), backups);
    expect(backup.seq).toBe(kept.view.seq);
    const lost = issueTickets(hub.store, 15);
    await ahead.client.whenInStep(hub.store.seq);
    const aheadSeq = ahead.client.view!.seq;
    await hub.close();

    const restored = await restoreBackup(backup.path, data);
    expect(restored).toMatchObject({ seq: backup.seq, checksum: 'matched', lineage: { parent: { log: firstLog, seq: backup.seq } } });
    expect(fs.existsSync(path.join(restored.kept!, 'hall.db'))).toBe(true);
    // The restored hall goes on past where the first screen had been, with numbers the lost tickets had.
    const db = openDatabase(data);
    const after = issueTickets(new HallStore(db, Date.now, hallKeyOf(data)), afterRestore);
    db.close();

    hub = await startHub({ dataDir: data, port, token: TOKEN, seed: demoCatalogue({ allDay: true }) });
    if (afterRestore > 0) expect(hub.store.seq).toBeGreaterThan(aheadSeq);
    else expect(hub.store.seq).toBeLessThan(aheadSeq);
    for (const id of upToBackup) expect(hub.store.view.tickets.get(id), id).toEqual(kept.view.tickets.get(id));
    for (const id of after) expect(hub.store.view.tickets.has(id), id).toBe(true);
    // Tickets issued after the backup went with the old database; their numbers were given again.
    expect(hub.store.view.tickets.size).toBe(upToBackup.length + after.length);
    expect(lost.length).toBe(15);

    const snapshotsBefore = ahead.snapshots();
    await ahead.client.whenInStep(hub.store.seq, 10_000);
    expect(ahead.snapshots()).toBe(snapshotsBefore + 1);
    expect(essence(ahead.client.view!)).toEqual(essence(hub.store.view));
    expect(ahead.client.viewLog).toBe(restored.lineage.log);

    // A screen that stopped at the backup's last event goes on with the events after it: no snapshot needed.
    const back = display(url, 'display-behind', kept);
    await back.client.whenInStep(hub.store.seq, 10_000);
    expect(back.snapshots()).toBe(0);
    expect(essence(back.client.view!)).toEqual(essence(hub.store.view));
  });
});
