import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import type { Db } from './db';

/** Wrong PINs in a row before a clerk's sign-in is locked, and for how long (H-18). */
export const PIN_ATTEMPTS = 5;
export const PIN_LOCK_MS = 5 * 60_000;
/** Wrong PINs a window (or other source) may send before it has to wait, doubling from the first wait to the longest. */
export const SOURCE_FREE_ATTEMPTS = 3;
export const SOURCE_FIRST_WAIT_MS = 2_000;
export const SOURCE_LONGEST_WAIT_MS = 5 * 60_000;
/** A source's wrong PINs are forgotten after this long without one. */
export const SOURCE_MEMORY_MS = 15 * 60_000;

// The same parameters as scryptSync's defaults, so that hashes stored before stay valid; run on libuv's pool, off the event loop.
const hashPin = (pin: string, salt: string) =>
  new Promise<Buffer>((resolve, reject) => scrypt(pin, salt, 32, (error, key) => (error ? reject(error) : resolve(key))));

export type PinCheck = { ok: true; mustChange: boolean } | { ok: false; code: 'unauthorised' | 'locked' | 'sign-in-paused'; message: string; lockedUntil?: number };

/** A PIN hashed (off the event loop), ready to be stored inside a transaction. */
export interface HashedPin {
  salt: string;
  hash: string;
}

interface SourceFailures {
  failures: number;
  lastAt: number;
  /** No attempt from this source is checked before this time. */
  until: number;
}

export interface SignInLocks {
  clerks: { clerk: string; failures: number; lockedUntil?: number }[];
  sources: { source: string; failures: number; waitUntil?: number }[];
}

/**
 * Clerks' PINs, stored as salted scrypt hashes computed off the event loop. Wrong PINs count twice:
 * against the clerk (locked after PIN_ATTEMPTS, for PIN_LOCK_MS) and against the source that sent
 * them (a window terminal, the HTTP API), which is made to wait longer and longer after its first
 * few, so that one window cannot lock every clerk out. A supervisor can unlock either.
 */
export class ClerkPins {
  private readonly sources = new Map<string, SourceFailures>();

  constructor(private readonly db: Db) {}

  /** Hashes a PIN, off the event loop; `store` then writes it (inside a transaction if need be). */
  async hash(pin: string): Promise<HashedPin> {
    const salt = randomBytes(16).toString('hex');
    return { salt, hash: (await hashPin(pin, salt)).toString('hex') };
  }

  /** Stores a hashed PIN and clears a lock; an initial PIN (mustChange) opens only the console, to choose one's own. */
  store(clerk: string, pin: HashedPin, options: { mustChange?: boolean } = {}): void {
    this.db
      .prepare(
        'INSERT INTO clerk_pins (clerk, salt, hash, must_change) VALUES (?, ?, ?, ?) ON CONFLICT (clerk) DO UPDATE SET salt = excluded.salt, hash = excluded.hash, failures = 0, locked_until = 0, must_change = excluded.must_change',
      )
      .run(clerk, pin.salt, pin.hash, options.mustChange ? 1 : 0);
  }

  /** Sets a PIN and clears a lock. */
  async set(clerk: string, pin: string, options: { mustChange?: boolean } = {}): Promise<void> {
    this.store(clerk, await this.hash(pin), options);
  }

  mustChange(clerk: string): boolean {
    return this.db.prepare<[string], { must_change: number }>('SELECT must_change FROM clerk_pins WHERE clerk = ?').get(clerk)?.must_change === 1;
  }

  /** A supervisor lifts a clerk's lock and forgets the clerk's wrong PINs. */
  unlock(clerk: string): boolean {
    return this.db.prepare('UPDATE clerk_pins SET failures = 0, locked_until = 0 WHERE clerk = ?').run(clerk).changes > 0;
  }

  /** A supervisor lets a source (a window) try again at once. */
  unlockSource(source: string): boolean {
    return this.sources.delete(source);
  }

  state(clerk: string, now: number): { hasPin: boolean; mustChange: boolean; lockedUntil?: number } {
    const row = this.db.prepare<[string], { must_change: number; locked_until: number }>('SELECT must_change, locked_until FROM clerk_pins WHERE clerk = ?').get(clerk);
    if (!row) return { hasPin: false, mustChange: false };
    return { hasPin: true, mustChange: row.must_change === 1, ...(row.locked_until > now ? { lockedUntil: row.locked_until } : {}) };
  }

  has(clerk: string): boolean {
    return !!this.db.prepare('SELECT 1 FROM clerk_pins WHERE clerk = ?').get(clerk);
  }

  /**
   * Checks a PIN, the hash computed off the event loop. With a `source` (e.g. "window 3") its wrong
   * PINs are counted too, and a source that sent too many waits before its next try is checked.
   */
  async check(clerk: string, pin: string, now: number, source?: string): Promise<PinCheck> {
    const waiting = source ? this.sourceWait(source, now) : 0;
    if (waiting > 0)
      return { ok: false, code: 'sign-in-paused', message: `${source} sent too many wrong PINs: it may try again in ${Math.ceil(waiting / 1000)} s` };
    const row = this.row(clerk);
    if (!row) {
      if (source) this.sourceFailed(source, now);
      return { ok: false, code: 'unauthorised', message: `clerk ${clerk} has no PIN yet: the administrator sets one` };
    }
    if (row.locked_until > now)
      return { ok: false, code: 'locked', message: `clerk ${clerk} is locked until ${new Date(row.locked_until).toISOString()} after ${PIN_ATTEMPTS} wrong PINs`, lockedUntil: row.locked_until };
    const good = timingSafeEqual(await hashPin(pin, row.salt), Buffer.from(row.hash, 'hex'));
    if (good) {
      this.db.prepare('UPDATE clerk_pins SET failures = 0, locked_until = 0 WHERE clerk = ?').run(clerk);
      return { ok: true, mustChange: row.must_change === 1 };
    }
    if (source) this.sourceFailed(source, now);
    // Read again: other checks of this clerk may have finished while this hash was computed.
    const failures = (this.row(clerk)?.failures ?? 0) + 1;
    const locked = failures >= PIN_ATTEMPTS;
    this.db.prepare('UPDATE clerk_pins SET failures = ?, locked_until = ? WHERE clerk = ?').run(locked ? 0 : failures, locked ? now + PIN_LOCK_MS : 0, clerk);
    return locked
      ? { ok: false, code: 'locked', message: `wrong PIN ${PIN_ATTEMPTS} times: clerk ${clerk} is locked for ${PIN_LOCK_MS / 60_000} minutes`, lockedUntil: now + PIN_LOCK_MS }
      : { ok: false, code: 'unauthorised', message: `wrong PIN for clerk ${clerk} (${PIN_ATTEMPTS - failures} tries left)` };
  }

  /** Clerks with wrong PINs or locked, and sources made to wait, for a supervisor's screen. */
  locks(now: number): SignInLocks {
    const clerks = this.db
      .prepare<[number], { clerk: string; failures: number; locked_until: number }>('SELECT clerk, failures, locked_until FROM clerk_pins WHERE failures > 0 OR locked_until > ? ORDER BY clerk')
      .all(now)
      .map((r) => ({ clerk: r.clerk, failures: r.failures, ...(r.locked_until > now ? { lockedUntil: r.locked_until } : {}) }));
    const sources = [...this.sources]
      .filter(([, s]) => now - s.lastAt < SOURCE_MEMORY_MS)
      .map(([source, s]) => ({ source, failures: s.failures, ...(s.until > now ? { waitUntil: s.until } : {}) }));
    return { clerks, sources };
  }

  private row(clerk: string) {
    return this.db
      .prepare<[string], { salt: string; hash: string; failures: number; locked_until: number; must_change: number }>('SELECT salt, hash, failures, locked_until, must_change FROM clerk_pins WHERE clerk = ?')
      .get(clerk);
  }

  private sourceWait(source: string, now: number): number {
    const s = this.sources.get(source);
    if (!s) return 0;
    if (now - s.lastAt >= SOURCE_MEMORY_MS) {
      this.sources.delete(source);
      return 0;
    }
    return Math.max(0, s.until - now);
  }

  private sourceFailed(source: string, now: number): void {
    const s = this.sources.get(source) ?? { failures: 0, lastAt: now, until: 0 };
    s.failures += 1;
    s.lastAt = now;
    const over = s.failures - SOURCE_FREE_ATTEMPTS;
    if (over >= 0) s.until = now + Math.min(SOURCE_LONGEST_WAIT_MS, SOURCE_FIRST_WAIT_MS * 2 ** over);
    this.sources.set(source, s);
    // Bounded: a flood of sources never grows this map past what a hall has.
    if (this.sources.size > 1000) for (const [key, old] of this.sources) if (now - old.lastAt >= SOURCE_MEMORY_MS || this.sources.size > 1000) this.sources.delete(key);
  }
}
