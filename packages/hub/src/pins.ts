import { randomBytes, scryptSync, timingSafeEqual } from 'node:crypto';
import type { Db } from './db';

/** Wrong PINs in a row before a clerk's sign-in is locked, and for how long (H-18). */
export const PIN_ATTEMPTS = 5;
export const PIN_LOCK_MS = 5 * 60_000;

const hashPin = (pin: string, salt: string) => scryptSync(pin, salt, 32).toString('hex');

export type PinCheck = { ok: true } | { ok: false; code: 'unauthorised' | 'locked'; message: string };

/** Clerks' PINs, stored as salted scrypt hashes; repeated failures lock the clerk out for a while. */
export class ClerkPins {
  constructor(private readonly db: Db) {}

  set(clerk: string, pin: string): void {
    const salt = randomBytes(16).toString('hex');
    this.db
      .prepare('INSERT INTO clerk_pins (clerk, salt, hash) VALUES (?, ?, ?) ON CONFLICT (clerk) DO UPDATE SET salt = excluded.salt, hash = excluded.hash, failures = 0, locked_until = 0')
      .run(clerk, salt, hashPin(pin, salt));
  }

  has(clerk: string): boolean {
    return !!this.db.prepare('SELECT 1 FROM clerk_pins WHERE clerk = ?').get(clerk);
  }

  check(clerk: string, pin: string, now: number): PinCheck {
    const row = this.db.prepare<[string], { salt: string; hash: string; failures: number; locked_until: number }>('SELECT salt, hash, failures, locked_until FROM clerk_pins WHERE clerk = ?').get(clerk);
    if (!row) return { ok: false, code: 'unauthorised', message: `clerk ${clerk} has no PIN yet: the administrator sets one` };
    if (row.locked_until > now) return { ok: false, code: 'locked', message: `clerk ${clerk} is locked until ${new Date(row.locked_until).toISOString()} after ${PIN_ATTEMPTS} wrong PINs` };
    const good = timingSafeEqual(Buffer.from(hashPin(pin, row.salt), 'hex'), Buffer.from(row.hash, 'hex'));
    if (good) {
      this.db.prepare('UPDATE clerk_pins SET failures = 0, locked_until = 0 WHERE clerk = ?').run(clerk);
      return { ok: true };
    }
    const failures = row.failures + 1;
    const locked = failures >= PIN_ATTEMPTS;
    this.db.prepare('UPDATE clerk_pins SET failures = ?, locked_until = ? WHERE clerk = ?').run(locked ? 0 : failures, locked ? now + PIN_LOCK_MS : 0, clerk);
    return locked
      ? { ok: false, code: 'locked', message: `wrong PIN ${PIN_ATTEMPTS} times: clerk ${clerk} is locked for ${PIN_LOCK_MS / 60_000} minutes` }
      : { ok: false, code: 'unauthorised', message: `wrong PIN for clerk ${clerk} (${PIN_ATTEMPTS - failures} tries left)` };
  }
}
