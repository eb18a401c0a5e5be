import type { Db } from '../db';

/**
 * Failed console sign-ins, counted per account from each address, per address, and per account from the addresses it
 * was never signed in from (its pace: see FREE_FAILURES). The first few cost nothing; from
 * then on each one locks for longer (30 s, 1 min, 2 min, ... up to 15 min), so that guessing is slow
 * for an attacker and a person who mistyped waits seconds. An address counts more before locking,
 * since a hall's offices may share one.
 */
/**
 * The failure that locks first: the third in a row for an account (from one address), the tenth for an address, the
 * twentieth for an account from all the addresses it was never signed in from together (`paced`: guesses spread over
 * many addresses of the hall's LAN, one or two each, are held to one pace for the account; its owner, at a PC it was
 * signed in from before, is not held back by them).
 */
export const FREE_FAILURES = { account: 3, address: 10, paced: 20 } as const;
/** A network an account signed in from stays its owner's (exempt from the account's pace) this long after the last sign-in there. */
export const KNOWN_MS = 90 * 24 * 60 * 60_000;
export const FIRST_LOCK_MS = 30_000;
export const LONGEST_LOCK_MS = 15 * 60_000;
/** Failures older than this are forgotten. */
export const FORGET_MS = 60 * 60_000;
/** Rows forgotten at most in one go (SignInLockout.forget): a flood's backlog goes a chunk a turn. */
export const FORGET_CHUNK = 1_000;

export type LockKey = { kind: 'account' | 'address' | 'paced'; value: string };

/** How long the `failures`-th failure in a row (within FORGET_MS) locks a key of `kind`: 0 for the free ones, then 30 s doubling up to 15 min. */
export function lockMs(kind: LockKey['kind'], failures: number): number {
  const over = failures - FREE_FAILURES[kind] + 1;
  return over > 0 ? Math.min(LONGEST_LOCK_MS, FIRST_LOCK_MS * 2 ** (over - 1)) : 0;
}

export class SignInLockout {
  private readonly st;

  constructor(db: Db) {
    this.st = {
      get: db.prepare<[string], { failures: number; locked_until: number; last_at: number }>('SELECT failures, locked_until, last_at FROM sign_in_failures WHERE key = ?'),
      put: db.prepare('INSERT INTO sign_in_failures (key, failures, locked_until, last_at) VALUES (?, ?, ?, ?) ON CONFLICT (key) DO UPDATE SET failures = excluded.failures, locked_until = excluded.locked_until, last_at = excluded.last_at'),
      clear: db.prepare('DELETE FROM sign_in_failures WHERE key = ?'),
      // An account's failures from every address: its own key, and `key@network` (no account id or clerk number holds an @).
      clearEverywhere: db.prepare<[string, string, string]>('DELETE FROM sign_in_failures WHERE key = ? OR substr(key, 1, length(?)) = ?'),
      // The last failure is an hour old: any lock it made (15 min at most) has ended.
      forget: db.prepare<[number, number]>('DELETE FROM sign_in_failures WHERE rowid IN (SELECT rowid FROM sign_in_failures WHERE last_at <= ? ORDER BY last_at LIMIT ?)'),
      know: db.prepare<[string, string, number]>('INSERT INTO sign_in_known (account, network, last_at) VALUES (?, ?, ?) ON CONFLICT (account, network) DO UPDATE SET last_at = excluded.last_at'),
      known: db.prepare<[string, string, number], { n: number }>('SELECT 1 AS n FROM sign_in_known WHERE account = ? AND network = ? AND last_at > ?'),
      forgetKnown: db.prepare<[number, number]>('DELETE FROM sign_in_known WHERE rowid IN (SELECT rowid FROM sign_in_known WHERE last_at <= ? ORDER BY last_at LIMIT ?)'),
    };
  }

  private key(k: LockKey) {
    return `${k.kind}:${k.value}`;
  }

  /** Until when the first of `keys` that is locked stays locked, or undefined. */
  lockedUntil(keys: readonly LockKey[], now: number): number | undefined {
    let until: number | undefined;
    for (const k of keys) {
      const row = this.st.get.get(this.key(k));
      if (row && row.locked_until > now) until = Math.max(until ?? 0, row.locked_until);
    }
    return until;
  }

  fail(keys: readonly LockKey[], now: number): void {
    for (const k of keys) {
      const row = this.st.get.get(this.key(k));
      const failures = (row && now - row.last_at < FORGET_MS ? row.failures : 0) + 1;
      const lock = lockMs(k.kind, failures);
      const lockedUntil = lock > 0 ? now + lock : 0;
      this.st.put.run(this.key(k), failures, lockedUntil, now);
    }
  }

  clear(k: LockKey): void {
    this.st.clear.run(this.key(k));
  }

  /** Clears an account's failures from every address, and its pace (a password reset, an unlock by a supervisor). */
  clearEverywhere(k: LockKey): void {
    const key = this.key(k);
    this.st.clearEverywhere.run(key, `${key}@`, `${key}@`);
    this.st.clear.run(this.key({ kind: 'paced', value: k.value }));
  }

  /** Remembers that `account` was signed in to from `network` (its owner's PC, as far as the hub can tell). */
  know(account: string, network: string, now: number): void {
    this.st.know.run(account, network, now);
  }

  /** Whether `account` was signed in to from `network` within KNOWN_MS. */
  known(account: string, network: string, now: number): boolean {
    return this.st.known.get(account, network, now - KNOWN_MS) !== undefined;
  }

  /**
   * Forgets failures past FORGET_MS, which count for nothing any more: guesses under random names
   * from many addresses would else grow the table, and the hub's disk, for ever. At most `max` rows
   * (by the index of their last failure); gives back how many went. Networks an account was last signed in from
   * KNOWN_MS ago go too.
   */
  forget(now: number, max = FORGET_CHUNK): number {
    const failures = this.st.forget.run(now - FORGET_MS, max).changes;
    return failures + this.st.forgetKnown.run(now - KNOWN_MS, max - failures).changes;
  }
}
