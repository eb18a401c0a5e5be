import type { NumberLease } from '@servicehall/core';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { EmergencyLedger } from './emergency';

const DAY = '2026-11-27';
const lease = (first: number, last: number, grantedAt = 1, prefix = 'A', day = DAY): NumberLease => ({ id: `${day}|${prefix}|${first}`, terminal: 'kiosk-1', day, prefix, first, last, grantedAt });
let dir: string | undefined;
afterEach(() => {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe("a terminal's emergency ledger", () => {
  it('gives each lease number once, across a restart, oldest lease first, and none of another day', () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'servicehall-ledger-'));
    const file = path.join(dir, 'emergency.json');
    const a = new EmergencyLedger(file);
    a.remember([lease(990, 991, 1), lease(980, 981, 2)]);
    expect(a.remaining('A', DAY)).toBe(4);
    expect(a.take('A', DAY)).toMatchObject({ sequence: 990, order: 1 });
    const b = new EmergencyLedger(file);
    expect(b.take('A', DAY)).toMatchObject({ sequence: 991, order: 2 });
    expect(b.take('A', DAY)).toMatchObject({ sequence: 980, order: 3 });
    expect(b.take('A', '2026-11-28')).toBeUndefined();
    expect(b.take('B', DAY)).toBeUndefined();
    expect(b.take('A', DAY)).toMatchObject({ sequence: 981 });
    expect(b.take('A', DAY)).toBeUndefined();
    expect(b.remaining('A', DAY)).toBe(0);
  });

  it('takes the leases it held as spent when its file is damaged: no number is given twice', () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'servicehall-ledger-'));
    const file = path.join(dir, 'emergency.json');
    const a = new EmergencyLedger(file);
    a.remember([lease(990, 999, 1)]);
    a.take('A', DAY);
    fs.writeFileSync(file, '{"leases": [');
    const b = new EmergencyLedger(file);
    b.remember([lease(990, 999, 1), lease(980, 989, Date.now() + 60_000)]);
    expect(b.take('A', DAY)).toMatchObject({ sequence: 980 });
    expect(fs.readdirSync(dir).some((f) => f.startsWith('emergency.json.damaged-'))).toBe(true);
  });

  it('keeps a window’s open call across a restart until it ends', () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'servicehall-ledger-'));
    const file = path.join(dir, 'emergency.json');
    new EmergencyLedger(file).setOpenCall({ number: 'A981', window: 3, calledAt: 5, terminalAt: 6, order: 1 });
    const b = new EmergencyLedger(file);
    expect(b.openCall).toMatchObject({ number: 'A981', window: 3 });
    b.setOpenCall(undefined);
    expect(new EmergencyLedger(file).openCall).toBeUndefined();
  });
});
