import type { TerminalIdentity } from '@servicehall/protocol/node';
import { createHash, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';
import type { Db } from './db';

/** A terminal's credential lasts this long unless the administrator says otherwise at enrolment. */
export const DEFAULT_CREDENTIAL_DAYS = 365;
/** A terminal linked with the hall token itself is remembered this long after it was last heard, shown offline meanwhile (H-04). */
export const HALL_TOKEN_KEPT_DAYS = 30;
/** A pairing code shown on a terminal's screen is good for this long. */
export const PAIRING_MS = 10 * 60_000;

export interface TerminalCredential extends TerminalIdentity {
  id: string;
  createdAt: number;
  createdBy: string;
  expiresAt: number;
  revokedAt?: number;
  revokedBy?: string;
  lastSeen?: number;
  version?: string;
  address?: string;
}

type Row = {
  id: string;
  role: TerminalIdentity['role'];
  terminal: string;
  window: number | null;
  secret_hash: string;
  created_at: number;
  created_by: string;
  expires_at: number;
  revoked_at: number | null;
  revoked_by: string | null;
  last_seen: number | null;
  version: string | null;
  address: string | null;
};

const digest = (secret: string) => createHash('sha256').update(secret).digest();

function credential(r: Row): TerminalCredential {
  return {
    id: r.id,
    role: r.role,
    terminal: r.terminal,
    ...(r.window !== null ? { window: r.window } : {}),
    createdAt: r.created_at,
    createdBy: r.created_by,
    expiresAt: r.expires_at,
    ...(r.revoked_at !== null ? { revokedAt: r.revoked_at, revokedBy: r.revoked_by ?? undefined } : {}),
    ...(r.last_seen !== null ? { lastSeen: r.last_seen } : {}),
    ...(r.version !== null ? { version: r.version } : {}),
    ...(r.address !== null ? { address: r.address } : {}),
  };
}

export type CredentialCheck = { ok: true; credential: TerminalCredential } | { ok: false; reason: 'unknown' | 'revoked' | 'expired' | 'other-terminal' };

/**
 * Each terminal's own credential: a random secret the hub keeps only as a hash, bound to the
 * terminal's role, id and window, with an expiry; listed, and revoked one at a time.
 * Its text is `tc1.<id>.<secret>`.
 */
export class TerminalCredentials {
  private readonly listeners = new Set<() => void>();
  private telling = false;

  constructor(private readonly db: Db) {}

  /**
   * `listener` is told after a credential is issued or revoked, by whichever way (the console, an installer's
   * POST /api/terminal-tokens): once, after the transaction it was made in (a look again, not the change itself).
   */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }

  private changed(): void {
    if (this.telling || this.listeners.size === 0) return;
    this.telling = true;
    queueMicrotask(() => {
      this.telling = false;
      for (const l of this.listeners) l();
    });
  }

  /** A new credential for a terminal; earlier ones of the same terminal id are revoked. */
  issue(who: TerminalIdentity, by: string, now: number, days = DEFAULT_CREDENTIAL_DAYS): { credential: TerminalCredential; token: string; replaced: string[] } {
    const id = randomBytes(6).toString('hex');
    const secret = randomBytes(32).toString('base64url');
    const replaced = this.db
      .prepare<[string, number], { id: string }>('SELECT id FROM terminal_credentials WHERE terminal = ? AND revoked_at IS NULL AND expires_at > ?')
      .all(who.terminal, now)
      .map((r) => r.id);
    for (const old of replaced) this.revoke(old, by, now);
    // Enrolled now, by the console or an installer's script: no longer one the hub remembers as linked with the hall token.
    this.db.prepare('DELETE FROM hall_token_terminals WHERE terminal = ?').run(who.terminal);
    this.db
      .prepare('INSERT INTO terminal_credentials (id, role, terminal, window, secret_hash, created_at, created_by, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
      .run(id, who.role, who.terminal, who.window ?? null, digest(secret).toString('hex'), now, by, now + days * 86_400_000);
    this.changed();
    return { credential: this.get(id)!, token: `tc1.${id}.${secret}`, replaced };
  }

  get(id: string): TerminalCredential | undefined {
    const r = this.db.prepare<[string], Row>('SELECT * FROM terminal_credentials WHERE id = ?').get(id);
    return r ? credential(r) : undefined;
  }

  /** Whether `token` is a live credential, and (when `claimed` is given) of that very terminal. */
  verify(token: string, claimed: TerminalIdentity | undefined, now: number): CredentialCheck {
    const m = /^tc1\.([0-9a-f]{12})\.([A-Za-z0-9_-]{43})$/.exec(token);
    if (!m) return { ok: false, reason: 'unknown' };
    const r = this.db.prepare<[string], Row>('SELECT * FROM terminal_credentials WHERE id = ?').get(m[1]!);
    if (!r) return { ok: false, reason: 'unknown' };
    const expected = Buffer.from(r.secret_hash, 'hex');
    const given = digest(m[2]!);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return { ok: false, reason: 'unknown' };
    if (r.revoked_at !== null) return { ok: false, reason: 'revoked' };
    if (r.expires_at <= now) return { ok: false, reason: 'expired' };
    if (claimed && (claimed.role !== r.role || claimed.terminal !== r.terminal || (claimed.window ?? null) !== r.window)) return { ok: false, reason: 'other-terminal' };
    return { ok: true, credential: credential(r) };
  }

  seen(id: string, now: number, details: { version?: string; address?: string } = {}): void {
    this.db
      .prepare('UPDATE terminal_credentials SET last_seen = ?, version = COALESCE(?, version), address = COALESCE(?, address) WHERE id = ?')
      .run(now, details.version ?? null, details.address ?? null, id);
  }

  revoke(id: string, by: string, now: number): TerminalCredential | undefined {
    if (this.db.prepare('UPDATE terminal_credentials SET revoked_at = ?, revoked_by = ? WHERE id = ? AND revoked_at IS NULL').run(now, by, id).changes > 0) this.changed();
    return this.get(id);
  }

  /** Every credential, newest first; with `live`, only those neither revoked nor expired. */
  list(now: number, live = false): TerminalCredential[] {
    const rows = live
      ? this.db.prepare<[number], Row>('SELECT * FROM terminal_credentials WHERE revoked_at IS NULL AND expires_at > ? ORDER BY created_at DESC').all(now)
      : this.db.prepare<[], Row>('SELECT * FROM terminal_credentials ORDER BY created_at DESC').all();
    return rows.map(credential);
  }
}

/** A terminal that links with the hall token itself, as the hub last heard it. */
export interface HallTokenTerminal extends TerminalIdentity {
  firstSeen: number;
  lastSeen: number;
}

/**
 * The terminals that link with the hall token itself (older installations, no credential of their own),
 * remembered once heard so that one that drops off the network shows offline on the board and alerts
 * (H-04), also after a restart of the hub and at a standby that takes charge (replication.ts sends the
 * table whole). Forgotten when the administrator removes one, when it is enrolled with a credential, or
 * HALL_TOKEN_KEPT_DAYS after it was last heard.
 */
export class HallTokenTerminals {
  constructor(private readonly db: Db) {}

  /** Heard now (linked, or its link ended): its identity as it said hello. */
  seen(who: TerminalIdentity, now: number): void {
    // A link that ends as the hub closes may be told after its database is shut: nothing to remember then.
    if (!this.db.open) return;
    try {
      this.db
        .prepare(
          `INSERT INTO hall_token_terminals (terminal, role, window, first_seen, last_seen) VALUES (?, ?, ?, ?, ?)
           ON CONFLICT (terminal) DO UPDATE SET role = excluded.role, window = excluded.window, last_seen = MAX(last_seen, excluded.last_seen)`,
        )
        .run(who.terminal, who.role, who.window ?? null, now, now);
    } catch {
      // A full disk (said by the hub as such) never keeps a terminal from linking: it is remembered at its next hello or goodbye.
    }
  }

  /** Those heard within HALL_TOKEN_KEPT_DAYS, by id. */
  list(now: number): HallTokenTerminal[] {
    return this.db
      .prepare<[number], { terminal: string; role: TerminalIdentity['role']; window: number | null; first_seen: number; last_seen: number }>(
        'SELECT * FROM hall_token_terminals WHERE last_seen > ? ORDER BY terminal',
      )
      .all(now - HALL_TOKEN_KEPT_DAYS * 86_400_000)
      .map((r) => ({ terminal: r.terminal, role: r.role, ...(r.window !== null ? { window: r.window } : {}), firstSeen: r.first_seen, lastSeen: r.last_seen }));
  }

  /** No longer the hall's, or enrolled with a credential now: says whether it was remembered. */
  forget(terminal: string): boolean {
    return this.db.prepare('DELETE FROM hall_token_terminals WHERE terminal = ?').run(terminal).changes > 0;
  }
}

export interface PairingRequest extends TerminalIdentity {
  code: string;
  at: number;
  expiresAt: number;
  address?: string;
  version?: string;
  /** Hands the credential to the terminal waiting on its link. */
  deliver(token: string, credential: TerminalCredential): void;
}

/**
 * Terminals waiting to be enrolled: each shows a six-digit code on its screen; an administrator
 * who reads it there and types it in the console confirms that this terminal is the hall's.
 * Kept in memory: a restart of the hub makes the terminal ask again.
 */
export class Pairings {
  private readonly waiting = new Map<string, PairingRequest>();

  request(r: Omit<PairingRequest, 'code' | 'expiresAt'>): PairingRequest {
    this.sweep(r.at);
    // Another link's request under the same terminal id stands beside it: anyone on the hall's network may
    // ask in any name, and would else replace the code on the terminal's screen as often as it liked.
    // A link asking again withdraws its own earlier request first (terminals.ts).
    let code: string;
    do code = String(randomInt(0, 1_000_000)).padStart(6, '0');
    while (this.waiting.has(code));
    const request = { ...r, code, expiresAt: r.at + PAIRING_MS };
    this.waiting.set(code, request);
    return request;
  }

  /** The request a code names, taken out of the waiting list. */
  take(code: string, now: number): PairingRequest | undefined {
    this.sweep(now);
    const r = this.waiting.get(code);
    if (r) this.waiting.delete(code);
    return r;
  }

  withdraw(request: PairingRequest): void {
    if (this.waiting.get(request.code) === request) this.waiting.delete(request.code);
  }

  /**
   * What the console shows of the waiting terminals: each name once, its newest request, and how many
   * links ask under it (anyone on the hall's network may ask in a terminal's name); never the code
   * (that is read off the terminal's screen).
   */
  list(now: number): (Omit<PairingRequest, 'code' | 'deliver'> & { links: number })[] {
    this.sweep(now);
    const names = new Map<string, { request: PairingRequest; links: number }>();
    for (const r of this.waiting.values()) {
      const seen = names.get(r.terminal);
      if (!seen) names.set(r.terminal, { request: r, links: 1 });
      else names.set(r.terminal, { request: r.at >= seen.request.at ? r : seen.request, links: seen.links + 1 });
    }
    return [...names.values()].map(({ request: { code: _, deliver: __, ...rest }, links }) => ({ ...rest, links }));
  }

  private sweep(now: number): void {
    for (const [code, r] of this.waiting) if (r.expiresAt <= now) this.waiting.delete(code);
  }
}
