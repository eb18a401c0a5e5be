import { hash, verify } from '@node-rs/argon2';
import { FORGET_MS, lockMs } from '@servicehall/hub/lockout';
import { LONGEST_SESSION_MS } from '@servicehall/hub/sessions';
import { createHash, randomBytes } from 'node:crypto';
import type pg from 'pg';

/** Who signed in to the city view: the city's supervisors see every hall, a hall's administrator that hall only. */
export interface CityAccount {
  id: string;
  name: string;
  role: 'city' | 'hall';
  hall?: string;
}

const sessionHash = (secret: string) => createHash('sha256').update(secret).digest('hex');

/** Sessions end after this long without a request. */
export const CITY_IDLE_MS = 30 * 60_000;

/**
 * And in any case this long after sign-in, as the hall's console's do (12 hours, a working day): the city view asks
 * every 30 s while a tab is open, which would keep a session of an idle limit alone alive for ever.
 */
export const CITY_LONGEST_SESSION_MS = LONGEST_SESSION_MS;

/** The shortest password a city account may have. */
export const MIN_PASSWORD = 10;

/** An account that was not made, and why: its password too short, or its id taken already. Nothing was written. */
export class AccountRefused extends Error {
  constructor(readonly code: 'short-password' | 'id-taken') {
    super(code === 'short-password' ? `a city account needs a password of at least ${MIN_PASSWORD} characters` : 'there is a city account with that id already');
  }
}

/** Refuses (AccountRefused) a password a city account may not have: one shorter than MIN_PASSWORD characters. */
export function checkPassword(password: string): void {
  if ([...password].length < MIN_PASSWORD) throw new AccountRefused('short-password');
}

export async function createAccount(db: pg.Pool | pg.ClientBase, account: CityAccount, password: string): Promise<void> {
  checkPassword(password);
  try {
    await db.query('INSERT INTO city_accounts (id, name, role, hall, password_hash) VALUES ($1, $2, $3, $4, $5)', [account.id, account.name, account.role, account.hall ?? null, await hash(password)]);
  } catch (error) {
    // 23505: unique_violation (the id is the table's key).
    if ((error as { code?: string }).code === '23505') throw new AccountRefused('id-taken');
    throw error;
  }
}

/** A new session for the account whose password this is; undefined for a wrong id or password (which are not told apart). */
export async function signIn(db: pg.Pool, id: string, password: string): Promise<{ secret: string; account: CityAccount } | undefined> {
  const { rows } = await db.query<{ id: string; name: string; role: 'city' | 'hall'; hall: string | null; password_hash: string }>(
    'SELECT id, name, role, hall, password_hash FROM city_accounts WHERE id = $1 AND NOT disabled',
    [id],
  );
  const row = rows[0];
  // A wrong id costs the same as a wrong password.
  const ok = await verify(row?.password_hash ?? '$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$YqvqJ9Wz1CqJmv9oW1iLsnEqYy0VQW2yQb8Hk5d4m8Q', password).catch(() => false);
  if (!row || !ok) return undefined;
  const secret = randomBytes(32).toString('base64url');
  await db.query('INSERT INTO city_sessions (id_hash, account) VALUES ($1, $2)', [sessionHash(secret), row.id]);
  return { secret, account: { id: row.id, name: row.name, role: row.role, ...(row.hall ? { hall: row.hall } : {}) } };
}

export async function sessionAccount(db: pg.Pool, secret: string | undefined): Promise<CityAccount | undefined> {
  if (!secret) return undefined;
  const { rows } = await db.query<{ id: string; name: string; role: 'city' | 'hall'; hall: string | null }>(
    `UPDATE city_sessions s SET last_seen = now() FROM city_accounts a
     WHERE s.id_hash = $1 AND a.id = s.account AND NOT a.disabled AND s.last_seen > now() - make_interval(secs => $2)
       AND s.created_at > now() - make_interval(secs => $3)
     RETURNING a.id, a.name, a.role, a.hall`,
    [sessionHash(secret), CITY_IDLE_MS / 1000, CITY_LONGEST_SESSION_MS / 1000],
  );
  const r = rows[0];
  return r ? { id: r.id, name: r.name, role: r.role, ...(r.hall ? { hall: r.hall } : {}) } : undefined;
}

export async function signOut(db: pg.Pool, secret: string | undefined): Promise<void> {
  if (secret) await db.query('DELETE FROM city_sessions WHERE id_hash = $1', [sessionHash(secret)]);
}

/** Accounts' failed sign-ins kept at most (the oldest forgotten first): guesses under random ids do not grow the server's memory for ever. */
const LOCKOUT_KEYS = 10_000;

/**
 * Failed sign-ins to the city view, counted per account id, as the hall's console counts them (the hub's
 * lockout: three free, then 30 s doubling up to 15 min, forgotten after an hour without one). Kept in the
 * server's memory: a restart forgets them. Per account, not per address: behind the city's TLS proxy every
 * request comes from the proxy's address.
 */
export class CityLockout {
  private readonly failures = new Map<string, { failures: number; lockedUntil: number; lastAt: number }>();

  /** Until when `id` is locked, or undefined. */
  lockedUntil(id: string, now: number): number | undefined {
    const f = this.failures.get(id);
    return f && f.lockedUntil > now ? f.lockedUntil : undefined;
  }

  fail(id: string, now: number): void {
    const f = this.failures.get(id);
    const failures = (f && now - f.lastAt < FORGET_MS ? f.failures : 0) + 1;
    const lock = lockMs('account', failures);
    // Deleted and set again: the map's order is the order of the last failures, the oldest first.
    this.failures.delete(id);
    this.failures.set(id, { failures, lockedUntil: lock > 0 ? now + lock : 0, lastAt: now });
    for (const [key, v] of this.failures) {
      if (this.failures.size <= LOCKOUT_KEYS && now - v.lastAt < FORGET_MS) break;
      this.failures.delete(key);
    }
  }

  clear(id: string): void {
    this.failures.delete(id);
  }
}
