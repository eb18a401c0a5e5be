import { randomBytes, scryptSync, timingSafeEqual } from 'node:crypto';
import type { Db } from './db';

/** Wrong PINs in a row before a clerk's sign-in is locked, and for how long (H-18). */
export const PIN_ATTEMPTS = 5;
export const PIN_LOCK_MS = 5 * 60_000;

const hashPin = (pin: string, salt: string) => scryptSync(pin, salt, 32).toString('hex');

export type PinCheck = { ok: true; mustChange: boolean } | { ok: false; code: 'unauthorised' | 'locked'; message: string };

/** Clerks' PINs, stored as salted scrypt hashes; repeated failures lock the clerk out for a while. */
export class ClerkPins {
  constructor(private readonly db: Db) {}

  /** Sets a PIN and clears a lock; an initial PIN (mustChange) opens only the console, to choose one's own. */
  set(clerk: string, pin: string, options: { mustChange?: boolean } = {}): void {
    const salt = randomBytes(16).toString('hex');
    this.db
      .prepare(
        'INSERT INTO clerk_pins (clerk, salt, hash, must_change) VALUES (?, ?, ?, ?) ON CONFLICT (clerk) DO UPDATE SET salt = excluded.salt, hash = excluded.hash, failures = 0, locked_until = 0, must_change = excluded.must_change',
      )
      .run(clerk, salt, hashPin(pin, salt), options.mustChange ? 1 : 0);
  }

  mustChange(clerk: string): boolean {
    return this.db.prepare<[string], { must_change: number }>('SELECT must_change FROM clerk_pins WHERE clerk = ?').get(clerk)?.must_change === 1;
  }

  unlock(clerk: string): void {
    this.db.prepare('UPDATE clerk_pins SET failures = 0, locked_until = 0 WHERE clerk = ?').run(clerk);
  }

  state(clerk: string, now: number): { hasPin: boolean; mustChange: boolean; lockedUntil?: number } {
    const row = this.db.prepare<[string], { must_change: number; locked_until: number }>('SELECT must_change, locked_until FROM clerk_pins WHERE clerk = ?').get(clerk);
    if (!row) return { hasPin: false, mustChange: false };
    return { hasPin: true, mustChange: row.must_change === 1, ...(row.locked_until > now ? { lockedUntil: row.locked_until } : {}) };
  }

  has(clerk: string): boolean {
    return !!this.db.prepare('SELECT 1 FROM clerk_pins WHERE clerk = ?').get(clerk);
  }

  check(clerk: string, pin: string, now: number): PinCheck {
    const row = this.db
      .prepare<[string], { salt: string; hash: string; failures: number; locked_until: number; must_change: number }>('SELECT salt, hash, failures, locked_until, must_change FROM clerk_pins WHERE clerk = ?')
      .get(clerk);
    if (!row) return { ok: false, code: 'unauthorised', message: `clerk ${clerk} has no PIN yet: the administrator sets one` };
    if (row.locked_until > now) return { ok: false, code: 'locked', message: `clerk ${clerk} is locked until ${new Date(row.locked_until).toISOString()} after ${PIN_ATTEMPTS} wrong PINs` };
    const good = timingSafeEqual(Buffer.from(hashPin(pin, row.salt), 'hex'), Buffer.from(row.hash, 'hex'));
    if (good) {
      this.db.prepare('UPDATE clerk_pins SET failures = 0, locked_until = 0 WHERE clerk = ?').run(clerk);
      return { ok: true, mustChange: row.must_change === 1 };
    }
    const failures = row.failures + 1;
    const locked = failures >= PIN_ATTEMPTS;
    this.db.prepare('UPDATE clerk_pins SET failures = ?, locked_until = ? WHERE clerk = ?').run(locked ? 0 : failures, locked ? now + PIN_LOCK_MS : 0, clerk);
    return locked
      ? { ok: false, code: 'locked', message: `wrong PIN ${PIN_ATTEMPTS} times: clerk ${clerk} is locked for ${PIN_LOCK_MS / 60_000} minutes` }
      : { ok: false, code: 'unauthorised', message: `wrong PIN for clerk ${clerk} (${PIN_ATTEMPTS - failures} tries left)` };
  }
}
