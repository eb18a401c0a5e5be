import type { StaffRef } from '@servicehall/core';
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Db } from '../db';

/** A console session ends after this long without a request, and in any case after a working day. */
export const IDLE_TIMEOUT_MS = 30 * 60_000;
export const LONGEST_SESSION_MS = 12 * 60 * 60_000;
export const SESSION_COOKIE = 'servicehall_session';

export interface Session {
  staff: StaffRef & { department?: string; mustChange: boolean };
  csrf: string;
  createdAt: number;
}

const digest = (secret: string) => createHash('sha256').update(secret).digest('hex');

/**
 * Console sessions: a random secret in an HttpOnly, SameSite=Strict cookie; the database keeps
 * only its hash. Each session has its own CSRF token, which every change must echo in a header.
 */
export class StaffSessions {
  private readonly st;
  /** Told when sessions are ended (signed out, a password changed or reset, an account disabled): a live feed ends with its session at once. */
  private readonly ended = new Set<() => void>();

  constructor(
    db: Db,
    private readonly who: (id: string, role: StaffRef['role']) => Session['staff'] | undefined,
  ) {
    this.st = {
      add: db.prepare('INSERT INTO staff_sessions (id_hash, staff_id, role, csrf, created_at, last_seen, address) VALUES (?, ?, ?, ?, ?, ?, ?)'),
      get: db.prepare<[string], { staff_id: string; role: StaffRef['role']; csrf: string; created_at: number; last_seen: number }>(
        'SELECT staff_id, role, csrf, created_at, last_seen FROM staff_sessions WHERE id_hash = ?',
      ),
      touch: db.prepare('UPDATE staff_sessions SET last_seen = ? WHERE id_hash = ?'),
      drop: db.prepare('DELETE FROM staff_sessions WHERE id_hash = ?'),
      // A clerk's sessions are not a staff account's, though a clerk number may be an account's id too.
      dropStaff: db.prepare("DELETE FROM staff_sessions WHERE staff_id = ? AND role <> 'clerk'"),
      // The others of one person (by role: a clerk and a staff account may share an id), all but the session that asks.
      dropOthers: db.prepare<[string, string, string]>("DELETE FROM staff_sessions WHERE staff_id = ? AND (role = 'clerk') = (? = 'clerk') AND id_hash <> ?"),
      dropStale: db.prepare('DELETE FROM staff_sessions WHERE last_seen < ? OR created_at < ?'),
    };
  }

  /** Starts a session; the secret goes into the cookie and nowhere else. */
  start(staff: StaffRef, now: number, address: string | undefined): { secret: string; csrf: string } {
    this.st.dropStale.run(now - IDLE_TIMEOUT_MS, now - LONGEST_SESSION_MS);
    const secret = randomBytes(32).toString('base64url');
    const csrf = randomBytes(24).toString('base64url');
    this.st.add.run(digest(secret), staff.id, staff.role, csrf, now, now, address ?? null);
    return { secret, csrf };
  }

  /** The session a cookie's secret opens, if it is still alive; each use keeps it alive. */
  open(secret: string | undefined, now: number): Session | undefined {
    if (!secret) return undefined;
    const key = digest(secret);
    const row = this.st.get.get(key);
    if (!row) return undefined;
    if (now - row.last_seen > IDLE_TIMEOUT_MS || now - row.created_at > LONGEST_SESSION_MS) {
      this.st.drop.run(key);
      return undefined;
    }
    const staff = this.who(row.staff_id, row.role);
    if (!staff) {
      this.st.drop.run(key);
      return undefined;
    }
    // One write a minute is enough to keep the idle clock.
    if (now - row.last_seen > 60_000) this.st.touch.run(now, key);
    return { staff, csrf: row.csrf, createdAt: row.created_at };
  }

  /**
   * Whether a session is still alive, without keeping it alive (a live feed must not stop the idle clock): its owner
   * still there too (a clerk the hall's setup no longer has, whose feed would else go on while nothing else is asked).
   */
  peek(secret: string, now: number): boolean {
    const row = this.st.get.get(digest(secret));
    return !!row && now - row.last_seen <= IDLE_TIMEOUT_MS && now - row.created_at <= LONGEST_SESSION_MS && this.who(row.staff_id, row.role) !== undefined;
  }

  end(secret: string | undefined): void {
    if (secret && this.st.drop.run(digest(secret)).changes > 0) this.tell();
  }

  /** Listens for sessions ended; gives back the way to stop. */
  onEnded(listener: () => void): () => void {
    this.ended.add(listener);
    return () => this.ended.delete(listener);
  }

  private tell(): void {
    for (const listener of [...this.ended]) listener();
  }

  /** Ends every session of this person but the one whose secret is `keep` (their own password changed). */
  endOthers(staffId: string, role: StaffRef['role'], keep: string | undefined): void {
    if (this.st.dropOthers.run(staffId, role, keep ? digest(keep) : '').changes > 0) this.tell();
  }

  /** Ends every session of a staff member (password reset, account disabled). */
  endAll(staffId: string): void {
    if (this.st.dropStaff.run(staffId).changes > 0) this.tell();
  }
}

export function csrfMatches(given: string | undefined, expected: string): boolean {
  if (!given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The cookies of a request, by name. */
export function cookies(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (header ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i > 0) out[part.slice(0, i).trim()] = part.slice(i + 1).trim();
  }
  return out;
}

export function sessionCookie(secret: string, secure: boolean): string {
  return `${SESSION_COOKIE}=${secret}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${LONGEST_SESSION_MS / 1000}${secure ? '; Secure' : ''}`;
}

export function clearedCookie(secure: boolean): string {
  return `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0${secure ? '; Secure' : ''}`;
}
