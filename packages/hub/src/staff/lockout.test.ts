import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../db';
import { FORGET_MS, KNOWN_MS, SignInLockout } from './lockout';

let db: Db | undefined;
let dir: string | undefined;
afterEach(() => {
  db?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
  db = dir = undefined;
});

const rows = () => (db!.prepare('SELECT COUNT(*) AS n FROM sign_in_failures').get() as { n: number }).n;

describe('failed console sign-ins', () => {
  it('are forgotten once past the forget window, a chunk at a time, and those still counting are kept', () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'servicehall-lockout-'));
    db = openDatabase(dir);
    const lockout = new SignInLockout(db);
    const t0 = Date.parse('2026-11-27T09:00:00+08:00');
    // Guesses under random names from many addresses: a row for each name and each address.
    db.transaction(() => {
      for (let i = 0; i < 1_250; i++) lockout.fail([{ kind: 'account', value: `guess-${i}` }, { kind: 'address', value: `10.1.${i >> 8}.${i & 255}` }], t0 + i);
    })();
    lockout.fail([{ kind: 'account', value: 'admin' }], t0 + FORGET_MS);
    expect(rows()).toBe(2_501);
    // Not yet an hour since the last of them: none goes.
    expect(lockout.forget(t0 + FORGET_MS - 1, 1_000)).toBe(0);
    expect(lockout.forget(t0 + FORGET_MS + 2_000, 1_000)).toBe(1_000);
    expect(rows()).toBe(1_501);
    expect(lockout.forget(t0 + FORGET_MS + 2_000, 1_000)).toBe(1_000);
    expect(lockout.forget(t0 + FORGET_MS + 2_000, 1_000)).toBe(500);
    expect(rows()).toBe(1);
    // The account that failed within the hour still counts its failure.
    expect(db.prepare('SELECT key, failures FROM sign_in_failures').all()).toEqual([{ key: 'account:admin', failures: 1 }]);
  });

  it('keep the networks an account was signed in from for KNOWN_MS after the last sign-in there, then forget them', () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'servicehall-lockout-'));
    db = openDatabase(dir);
    const lockout = new SignInLockout(db);
    const t0 = Date.parse('2026-11-27T09:00:00+08:00');
    lockout.know('admin', '192.168.1.20', t0);
    expect(lockout.known('admin', '192.168.1.20', t0 + KNOWN_MS - 1)).toBe(true);
    expect(lockout.known('admin', '192.168.1.21', t0)).toBe(false);
    expect(lockout.known('zhang', '192.168.1.20', t0)).toBe(false);
    expect(lockout.forget(t0 + FORGET_MS)).toBe(0);
    expect(lockout.forget(t0 + KNOWN_MS)).toBe(1);
    expect(lockout.known('admin', '192.168.1.20', t0)).toBe(false);
  });
});
