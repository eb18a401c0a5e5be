import { applyEvent, emptyView, toSnapshot, type HallEvent } from '@servicehall/core';
import { demoCatalogue } from '@servicehall/fixtures';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Db } from './db';
import { startHub, type RunningHub } from './server';
import { TestTerminal } from './testing/terminal';

// The hub's side of emergency mode: leases kept across a restart, and a kiosk's records that come after midnight.

const TOKEN = 'hall-token-for-emergency';
const hubs: RunningHub[] = [];
const open: TestTerminal[] = [];
let dir: string | undefined;

afterEach(async () => {
  for (const t of open.splice(0)) t.close();
  for (const h of hubs.splice(0)) await h.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

const at = (time: string, day = '2026-11-27') => Date.parse(`${day}T${time}:00+08:00`);

async function hall(dataDir: string, clock: () => number): Promise<RunningHub> {
  const hub = await startHub({ dataDir, token: TOKEN, seed: demoCatalogue({ allDay: true }), clock });
  hubs.push(hub);
  return hub;
}

async function kiosk(hub: RunningHub): Promise<TestTerminal> {
  const t = await TestTerminal.connect(hub.wsUrl, { role: 'kiosk', terminal: 'kiosk-1', token: TOKEN });
  open.push(t);
  return t;
}

describe('the hub keeps number leases', () => {
  it('across its restart, so that its own numbering still skips them, and checks a record that comes after midnight against its lease', async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'servicehall-emergency-'));
    let now = at('08:30');
    let hub = await hall(dir, () => now);
    let k = await kiosk(hub);
    expect(await k.command({ type: 'takeLease', prefix: 'A', size: 20 }, 'lease-kiosk-1-A-1')).toMatchObject({ ok: true });
    // Asked again (an answer lost): the same lease, not a second one.
    await k.command({ type: 'takeLease', prefix: 'A', size: 20 }, 'lease-kiosk-1-A-1');
    expect(hub.store.view.leases).toMatchObject([{ terminal: 'kiosk-1', prefix: 'A', first: 980, last: 999 }]);
    k.close();
    await hub.close();
    hubs.length = 0;

    hub = await hall(dir, () => now);
    expect(hub.store.view.leases).toMatchObject([{ terminal: 'kiosk-1', first: 980, last: 999 }]);
    k = await kiosk(hub);
    now = at('09:00');
    expect(await k.command({ type: 'issueTicket', serviceCode: 'GA-SFZ-HL', lane: 'ordinary' })).toMatchObject({ ok: true, ticket: { number: 'A001' } });
    const record = { type: 'recordEmergencyTicket', number: 'A980', serviceCode: 'GA-SFZ-HL', lane: 'ordinary', issuedAt: at('16:50'), terminalAt: at('16:51'), order: 1 } as const;
    k.close();
    await hub.close();
    hubs.length = 0;

    // The hub comes back the next morning: yesterday's emergency ticket goes into the records, not into today's queue.
    now = at('08:10', '2026-11-28');
    hub = await hall(dir, () => now);
    k = await kiosk(hub);
    expect(await k.command(record, 'emergency-kiosk-1-A980')).toMatchObject({ ok: true });
    expect(await k.command({ ...record, number: 'A979' }, 'emergency-kiosk-1-A979')).toMatchObject({ ok: false, code: 'forbidden' });
    expect(hub.store.view.tickets.has('2026-11-27-A980')).toBe(false);
    expect(hub.store.view.leases).toEqual([]);
    const row = (hub.store as unknown as { db: Db }).db.prepare("SELECT state, issued_at FROM tickets WHERE id = '2026-11-27-A980'").get();
    expect(row).toEqual({ state: 'issued', issued_at: at('16:50') });

    // The whole log folds to the hub's view.
    const events = hub.store.eventsSince(0, 10_000) as HallEvent[];
    const view = emptyView(hub.store.view.catalogue, '2026-11-27');
    for (const e of events) applyEvent(view, e);
    expect(toSnapshot(view)).toEqual(toSnapshot(hub.store.view));
  });
});
