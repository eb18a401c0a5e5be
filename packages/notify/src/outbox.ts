import type Database from 'better-sqlite3';
import { redactNotice, type Notice, type NoticeKind } from './notices';
import type { OutboxState, Transition } from './policy';
import { maskPhone } from './privacy';
import type { AttemptOutcome } from './providers/types';
import type { Reason } from './strings';

export type Db = Database.Database;

/** The version the hub gives this migration in its MIGRATIONS (packages/hub/src/db.ts). */
export const NOTIFY_MIGRATION_VERSION = 40;

/**
 * The outbox lives in the hall's database so that a notice is queued in the same transaction as the
 * command that raised it: the command and its notices are kept together or lost together.
 */
export const NOTIFY_MIGRATION = {
  version: NOTIFY_MIGRATION_VERSION,
  name: 'notification outbox: notices, their attempts, channel pauses',
  sql: `
    CREATE TABLE notify_outbox (
      id INTEGER PRIMARY KEY,
      key TEXT NOT NULL UNIQUE,
      channel TEXT NOT NULL,
      kind TEXT NOT NULL,
      -- A phone number, kept until the notice is final, then masked (H-19).
      recipient TEXT,
      notice TEXT NOT NULL,
      state TEXT NOT NULL CHECK (state IN ('pending', 'sending', 'delivered', 'dead', 'expired')),
      attempts INTEGER NOT NULL DEFAULT 0,
      failures INTEGER NOT NULL DEFAULT 0,
      created_at INTEGER NOT NULL,
      next_at INTEGER NOT NULL,
      expires_at INTEGER,
      lease_until INTEGER,
      finished_at INTEGER,
      last_reason TEXT,
      last_detail TEXT
    );
    CREATE INDEX notify_outbox_due ON notify_outbox (state, next_at);
    CREATE INDEX notify_outbox_channel ON notify_outbox (channel, state);
    CREATE TABLE notify_attempts (
      id INTEGER PRIMARY KEY,
      outbox_id INTEGER NOT NULL REFERENCES notify_outbox (id),
      channel TEXT NOT NULL,
      started_at INTEGER NOT NULL,
      finished_at INTEGER,
      outcome TEXT NOT NULL,
      reason TEXT,
      -- What was sent, secrets and personal values replaced; the answer as it came.
      request TEXT NOT NULL,
      status INTEGER,
      answer TEXT,
      detail TEXT
    );
    CREATE INDEX notify_attempts_outbox ON notify_attempts (outbox_id);
    CREATE INDEX notify_attempts_channel ON notify_attempts (channel, started_at);
    CREATE TABLE notify_channel_state (channel TEXT PRIMARY KEY, paused_until INTEGER NOT NULL, reason TEXT NOT NULL);
  `,
} as const;

/** The version the hub gives the migration that lets a notice end `unknown` (packages/hub/src/db.ts). */
export const NOTIFY_UNKNOWN_MIGRATION_VERSION = 140;

/**
 * SQLite cannot change a CHECK: the outbox is copied into a table that allows `unknown`, and its
 * attempts with it (they refer to it, and with foreign keys on it cannot be dropped under them).
 */
export const NOTIFY_UNKNOWN_MIGRATION = {
  version: NOTIFY_UNKNOWN_MIGRATION_VERSION,
  name: "notification outbox: a citizen's SMS whose result is unknown (no answer after it was sent) ends 'unknown', not sent again",
  sql: `
    CREATE TABLE notify_outbox_new (
      id INTEGER PRIMARY KEY,
      key TEXT NOT NULL UNIQUE,
      channel TEXT NOT NULL,
      kind TEXT NOT NULL,
      recipient TEXT,
      notice TEXT NOT NULL,
      state TEXT NOT NULL CHECK (state IN ('pending', 'sending', 'delivered', 'dead', 'expired', 'unknown')),
      attempts INTEGER NOT NULL DEFAULT 0,
      failures INTEGER NOT NULL DEFAULT 0,
      created_at INTEGER NOT NULL,
      next_at INTEGER NOT NULL,
      expires_at INTEGER,
      lease_until INTEGER,
      finished_at INTEGER,
      last_reason TEXT,
      last_detail TEXT
    );
    INSERT INTO notify_outbox_new SELECT id, key, channel, kind, recipient, notice, state, attempts, failures, created_at, next_at, expires_at, lease_until, finished_at, last_reason, last_detail FROM notify_outbox;
    CREATE TABLE notify_attempts_new (
      id INTEGER PRIMARY KEY,
      outbox_id INTEGER NOT NULL REFERENCES notify_outbox_new (id),
      channel TEXT NOT NULL,
      started_at INTEGER NOT NULL,
      finished_at INTEGER,
      outcome TEXT NOT NULL,
      reason TEXT,
      request TEXT NOT NULL,
      status INTEGER,
      answer TEXT,
      detail TEXT
    );
    INSERT INTO notify_attempts_new SELECT id, outbox_id, channel, started_at, finished_at, outcome, reason, request, status, answer, detail FROM notify_attempts;
    DROP TABLE notify_attempts;
    DROP TABLE notify_outbox;
    -- Renaming the outbox turns the attempts' reference to it as well.
    ALTER TABLE notify_outbox_new RENAME TO notify_outbox;
    ALTER TABLE notify_attempts_new RENAME TO notify_attempts;
    CREATE INDEX notify_outbox_due ON notify_outbox (state, next_at);
    CREATE INDEX notify_outbox_channel ON notify_outbox (channel, state);
    CREATE INDEX notify_attempts_outbox ON notify_attempts (outbox_id);
    CREATE INDEX notify_attempts_channel ON notify_attempts (channel, started_at);
  `,
} as const;

/** The version the hub gives the migration that stamps each change of a notice (packages/hub/src/db.ts). */
export const NOTIFY_STAMP_MIGRATION_VERSION = 180;

/**
 * A notice's row changes in place (claimed, attempted, finished, its phone masked): 'changed' is the
 * stamp of its last write (Outbox.stamp), by which the standby hub is sent the rows changed since it
 * last heard. The rows there already get stamps in the order of their ids.
 */
export const NOTIFY_STAMP_MIGRATION = {
  version: NOTIFY_STAMP_MIGRATION_VERSION,
  name: "notification outbox stamped at each change of a notice: the standby is sent the notices changed since it last heard, and sends those still pending once it takes charge",
  sql: `
    ALTER TABLE notify_outbox ADD COLUMN changed INTEGER NOT NULL DEFAULT 0;
    UPDATE notify_outbox SET changed = id;
    CREATE INDEX notify_outbox_changed ON notify_outbox (changed);
  `,
} as const;

export interface OutboxEntry {
  id: number;
  key: string;
  channel: string;
  kind: NoticeKind;
  /** E.164 while the notice waits; masked (138****1111) once it is final. */
  recipient: string | null;
  notice: Notice;
  state: OutboxState;
  attempts: number;
  failures: number;
  createdAt: number;
  nextAt: number;
  expiresAt: number | null;
  leaseUntil: number | null;
  finishedAt: number | null;
  lastReason: Reason | null;
  lastDetail: string | null;
}

export interface AttemptRecord {
  id: number;
  outboxId: number;
  channel: string;
  startedAt: number;
  finishedAt: number | null;
  /** `sending` while the request is out; `interrupted` when the hub stopped before its answer; `unknown`: no answer, the SMS not sent again. */
  outcome: AttemptOutcome | 'sending' | 'interrupted' | 'unknown';
  reason: Reason | null;
  /** The request as sent: `{ url, body }` as JSON, with secrets and personal values replaced. */
  request: string;
  status: number | null;
  answer: string | null;
  detail: string | null;
}

interface Row {
  id: number;
  key: string;
  channel: string;
  kind: string;
  recipient: string | null;
  notice: string;
  state: string;
  attempts: number;
  failures: number;
  created_at: number;
  next_at: number;
  expires_at: number | null;
  lease_until: number | null;
  finished_at: number | null;
  last_reason: string | null;
  last_detail: string | null;
}

const toEntry = (r: Row): OutboxEntry => ({
  id: r.id,
  key: r.key,
  channel: r.channel,
  kind: r.kind as NoticeKind,
  recipient: r.recipient,
  notice: JSON.parse(r.notice) as Notice,
  state: r.state as OutboxState,
  attempts: r.attempts,
  failures: r.failures,
  createdAt: r.created_at,
  nextAt: r.next_at,
  expiresAt: r.expires_at,
  leaseUntil: r.lease_until,
  finishedAt: r.finished_at,
  lastReason: r.last_reason as Reason | null,
  lastDetail: r.last_detail,
});

const FINAL: readonly OutboxState[] = ['delivered', 'dead', 'expired', 'unknown'];

/**
 * The notices waiting to go out and the record of every attempt. All calls are synchronous
 * statements on the hall's database connection, so `add` inside the hub's command transaction
 * commits or rolls back with it.
 */
export class Outbox {
  private readonly st;

  constructor(private readonly db: Db) {
    this.st = {
      add: db.prepare(
        `INSERT INTO notify_outbox (key, channel, kind, recipient, notice, state, created_at, next_at, expires_at, changed)
         VALUES (@key, @channel, @kind, @recipient, @notice, 'pending', @at, @at, @expiresAt, @stamp) ON CONFLICT (key) DO NOTHING`,
      ),
      byKey: db.prepare<[string], { id: number }>('SELECT id FROM notify_outbox WHERE key = ?'),
      pendingUnder: db.prepare<[string, string], Row>("SELECT * FROM notify_outbox WHERE key >= ? AND key < ? AND state = 'pending'"),
      get: db.prepare<[number], Row>('SELECT * FROM notify_outbox WHERE id = ?'),
      due: db.prepare<[number, number], Row>("SELECT * FROM notify_outbox WHERE state = 'pending' AND next_at <= ? ORDER BY next_at, id LIMIT ?"),
      nextDue: db.prepare<[], { at: number | null }>(
        "SELECT MIN(at) AS at FROM (SELECT MIN(next_at) AS at FROM notify_outbox WHERE state = 'pending' UNION ALL SELECT MIN(lease_until) FROM notify_outbox WHERE state = 'sending')",
      ),
      lastStamp: db.prepare<[], { n: number }>('SELECT COALESCE(MAX(changed), 0) AS n FROM notify_outbox'),
      claim: db.prepare("UPDATE notify_outbox SET state = 'sending', attempts = attempts + 1, lease_until = ?, changed = ? WHERE id = ? AND state = 'pending'"),
      startAttempt: db.prepare("INSERT INTO notify_attempts (outbox_id, channel, started_at, outcome, request) VALUES (?, ?, ?, 'sending', ?)"),
      endAttempt: db.prepare('UPDATE notify_attempts SET finished_at = ?, outcome = ?, reason = ?, status = ?, answer = ?, detail = ? WHERE id = ?'),
      interruptAttempts: db.prepare(
        "UPDATE notify_attempts SET finished_at = ?, outcome = 'interrupted', reason = 'interrupted', detail = ? WHERE outbox_id = ? AND outcome = 'sending'",
      ),
      update: db.prepare(
        'UPDATE notify_outbox SET state = @state, failures = @failures, next_at = @nextAt, lease_until = NULL, finished_at = @finishedAt, last_reason = @reason, last_detail = @detail, recipient = @recipient, notice = @notice, changed = @stamp WHERE id = @id',
      ),
      leaseExpired: db.prepare<[number], Row>("SELECT * FROM notify_outbox WHERE state = 'sending' AND lease_until <= ? ORDER BY id"),
      expiring: db.prepare<[number], Row>("SELECT * FROM notify_outbox WHERE state = 'pending' AND expires_at IS NOT NULL AND expires_at <= ? ORDER BY id"),
      // Each row its own stamp (the standby is sent the rows in pages by their stamps: rows sharing one could be cut apart).
      postpone: db.prepare<[{ until: number; channel: string; before: number }]>(
        "UPDATE notify_outbox SET next_at = @until, changed = @before + n FROM (SELECT id AS r, row_number() OVER (ORDER BY id) AS n FROM notify_outbox WHERE channel = @channel AND state = 'pending' AND next_at < @until) WHERE notify_outbox.id = r",
      ),
      pausedUntil: db.prepare<[string], { paused_until: number }>('SELECT paused_until FROM notify_channel_state WHERE channel = ?'),
      pauses: db.prepare<[number], { channel: string; paused_until: number; reason: string }>('SELECT channel, paused_until, reason FROM notify_channel_state WHERE paused_until > ?'),
      lastOutcomes: db.prepare<[string, number], { outcome: string }>('SELECT outcome FROM notify_attempts WHERE channel = ? ORDER BY started_at DESC, id DESC LIMIT ?'),
      pause: db.prepare(
        'INSERT INTO notify_channel_state (channel, paused_until, reason) VALUES (?, ?, ?) ON CONFLICT (channel) DO UPDATE SET paused_until = MAX(paused_until, excluded.paused_until), reason = excluded.reason',
      ),
      recentSends: db.prepare<[string, number], { started_at: number }>('SELECT started_at FROM notify_attempts WHERE channel = ? AND started_at > ? ORDER BY started_at'),
      attempts: db.prepare<[number], Record<string, unknown>>('SELECT * FROM notify_attempts WHERE outbox_id = ? ORDER BY id'),
      requeue: db.prepare(
        "UPDATE notify_outbox SET state = 'pending', failures = 0, next_at = ?, finished_at = NULL, expires_at = NULL, changed = ? WHERE id = ? AND state IN ('dead', 'expired') AND recipient IS NULL",
      ),
      counts: db.prepare<[], { state: string; n: number }>('SELECT state, COUNT(*) AS n FROM notify_outbox GROUP BY state'),
      backlog: db.prepare<[], { channel: string; state: string; n: number }>(
        "SELECT channel, state, COUNT(*) AS n FROM notify_outbox WHERE state IN ('pending', 'sending', 'dead', 'unknown') GROUP BY channel, state",
      ),
    };
  }

  /**
   * Queues one notice for one channel under an idempotency key: a key seen before changes nothing
   * and answers the first entry's id. Call it inside the command's transaction.
   */
  add(entry: { key: string; channel: string; notice: Notice; recipient?: string; at: number; expiresAt?: number }): { id: number; repeated: boolean } {
    const result = this.st.add.run({
      key: entry.key,
      channel: entry.channel,
      kind: entry.notice.kind,
      recipient: entry.recipient ?? null,
      notice: JSON.stringify(entry.notice),
      at: entry.at,
      expiresAt: entry.expiresAt ?? null,
      stamp: this.stamp(),
    });
    if (result.changes === 1) return { id: Number(result.lastInsertRowid), repeated: false };
    return { id: this.st.byKey.get(entry.key)!.id, repeated: true };
  }

  get(id: number): OutboxEntry | undefined {
    const row = this.st.get.get(id);
    return row ? toEntry(row) : undefined;
  }

  byKey(key: string): OutboxEntry | undefined {
    const found = this.st.byKey.get(key);
    return found ? this.get(found.id) : undefined;
  }

  /** Pending notices whose time has come, oldest first. */
  due(now: number, limit = 100): OutboxEntry[] {
    return this.st.due.all(now, limit).map(toEntry);
  }

  /** The earliest moment something will be due (a pending notice, or a lease running out), if any. */
  nextDueAt(): number | undefined {
    return this.st.nextDue.get()?.at ?? undefined;
  }

  /**
   * Claims a notice for one attempt and records what is about to be sent, in one transaction that
   * commits before the request leaves: a hub that dies mid-request leaves the evidence behind.
   */
  begin(id: number, channel: string, now: number, leaseMs: number, request: string): number | undefined {
    return this.db.transaction(() => {
      if (this.st.claim.run(now + leaseMs, this.stamp(), id).changes !== 1) return undefined;
      return Number(this.st.startAttempt.run(id, channel, now, request).lastInsertRowid);
    })();
  }

  /** Records an attempt's answer and the notice's next state together. */
  finish(
    id: number,
    attemptId: number | undefined,
    answer: { outcome: AttemptOutcome | 'unknown'; reason: Reason; status?: number; answer?: string; detail: string },
    transition: Transition,
    now: number,
  ): void {
    this.db.transaction(() => {
      const row = this.st.get.get(id);
      if (!row) return;
      if (attemptId !== undefined)
        this.st.endAttempt.run(now, answer.outcome, answer.reason, answer.status ?? null, answer.answer ?? null, answer.detail, attemptId);
      this.settle(row, transition, answer.detail, now);
      if (transition.pauseChannelUntil !== undefined) this.st.pause.run(row.channel, transition.pauseChannelUntil, answer.reason);
    })();
  }

  /**
   * Withdraws what is still pending of the notice queued under `key` (its row on each channel): a
   * newer notice makes it useless. One being sent is left to its answer. Answers how many.
   */
  withdraw(key: string, now: number, detail: string): number {
    return this.db.transaction(() => {
      // The rows' keys are the notice's key, '|', the channel ('}' follows '|').
      const rows = this.st.pendingUnder.all(`${key}|`, `${key}}`);
      for (const row of rows) this.settle(row, { state: 'expired', failures: row.failures, nextAt: now, reason: 'expired' }, detail, now);
      return rows.length;
    })();
  }

  /** A notice ends without an attempt: its channel is gone, or it cannot be prepared. */
  settleWithoutAttempt(id: number, transition: Transition, detail: string, now: number): void {
    this.db.transaction(() => {
      const row = this.st.get.get(id);
      if (row) this.settle(row, transition, detail, now);
    })();
  }

  private settle(row: Row, t: Transition, detail: string, now: number): void {
    const final = FINAL.includes(t.state);
    this.st.update.run({
      id: row.id,
      state: t.state,
      failures: t.failures,
      nextAt: t.nextAt,
      finishedAt: final ? now : null,
      reason: t.reason,
      detail,
      recipient: final && row.recipient ? maskPhone(row.recipient) : row.recipient,
      notice: final ? JSON.stringify(redactNotice(JSON.parse(row.notice) as Notice)) : row.notice,
      stamp: this.stamp(),
    });
  }

  /**
   * The stamp of a write of a notice's row (migration 180), by which the standby is sent the rows
   * changed since it last heard: above every row's. No notice's row is ever deleted, so the stamps
   * only grow, across restarts too.
   */
  private stamp(): number {
    return this.st.lastStamp.get()!.n + 1;
  }

  /** Notices claimed by a loop that stopped before their answer (lease run out). */
  interrupted(now: number): OutboxEntry[] {
    return this.st.leaseExpired.all(now).map(toEntry);
  }

  markInterrupted(id: number, transition: Transition, now: number, detail: string): void {
    this.db.transaction(() => {
      const row = this.st.get.get(id);
      if (!row || row.state !== 'sending') return;
      this.st.interruptAttempts.run(now, detail, id);
      this.settle(row, transition, detail, now);
    })();
  }

  /** Pending notices past their time. */
  expiring(now: number): OutboxEntry[] {
    return this.st.expiring.all(now).map(toEntry);
  }

  /** Moves a channel's pending notices to `until` (its rate limit or pause), without counting an attempt. */
  postponeChannel(channel: string, until: number): void {
    this.st.postpone.run({ until, channel, before: this.stamp() - 1 });
  }

  /** Pauses a channel until `until` (a pause already longer stays), saying why, and moves its pending notices there. */
  pauseChannel(channel: string, until: number, reason: Reason): void {
    this.db.transaction(() => {
      this.st.pause.run(channel, until, reason);
      this.st.postpone.run({ until, channel, before: this.stamp() - 1 });
    })();
  }

  pausedUntil(channel: string): number {
    return this.st.pausedUntil.get(channel)?.paused_until ?? 0;
  }

  /** The channels paused beyond `now`: until when, and why (a Reason). */
  pauses(now: number): { channel: string; until: number; reason: string }[] {
    return this.st.pauses.all(now).map((r) => ({ channel: r.channel, until: r.paused_until, reason: r.reason }));
  }

  /**
   * The channel's results of unknown outcome since its last delivery, among its last `lookBack`
   * attempts: how many times in a row, as far as its back-off can grow, a request went and no answer came.
   */
  unknownsSinceDelivered(channel: string, lookBack = 64): number {
    let n = 0;
    for (const { outcome } of this.st.lastOutcomes.all(channel, lookBack)) {
      if (outcome === 'delivered') break;
      if (outcome === 'unknown') n++;
    }
    return n;
  }

  /** When the channel's requests went out since `since` (attempts survive a restart, and so does the limit). */
  recentSends(channel: string, since: number): number[] {
    return this.st.recentSends.all(channel, since).map((r) => r.started_at);
  }

  attempts(outboxId: number): AttemptRecord[] {
    return this.st.attempts.all(outboxId).map((r) => ({
      id: r.id as number,
      outboxId: r.outbox_id as number,
      channel: r.channel as string,
      startedAt: r.started_at as number,
      finishedAt: r.finished_at as number | null,
      outcome: r.outcome as AttemptRecord['outcome'],
      reason: r.reason as Reason | null,
      request: r.request as string,
      status: r.status as number | null,
      answer: r.answer as string | null,
      detail: r.detail as string | null,
    }));
  }

  /**
   * The audit page's list, newest first. Phone numbers come masked even while a notice waits.
   */
  list(filter: { state?: OutboxState; channel?: string; limit?: number; beforeId?: number } = {}): OutboxEntry[] {
    const conditions: [string, string | number | undefined][] = [
      ['state = ?', filter.state],
      ['channel = ?', filter.channel],
      ['id < ?', filter.beforeId],
    ];
    const used = conditions.filter(([, value]) => value !== undefined);
    const where = used.map(([sql]) => sql);
    const args: (string | number)[] = used.map(([, value]) => value!);
    const sql = `SELECT * FROM notify_outbox ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ?`;
    args.push(Math.min(filter.limit ?? 100, 1000));
    return (this.db.prepare(sql).all(...args) as Row[]).map((r) => {
      const e = toEntry(r);
      return { ...e, recipient: e.recipient && !FINAL.includes(e.state) ? maskPhone(e.recipient) : e.recipient, notice: redactNotice(e.notice) };
    });
  }

  /**
   * Sends a dead or expired staff alert again (the audit page's button, once the channel is fixed).
   * A citizen's SMS cannot be: its number is gone by then.
   */
  requeue(id: number, now: number): boolean {
    return this.st.requeue.run(now, this.stamp(), id).changes === 1;
  }

  /** What still waits to go out, the dead letters and the SMS of unknown result, per channel: read from the index, for the hub's metrics. */
  backlog(): { channel: string; state: 'pending' | 'sending' | 'dead' | 'unknown'; count: number }[] {
    return this.st.backlog.all().map((r) => ({ channel: r.channel, state: r.state as 'pending' | 'sending' | 'dead' | 'unknown', count: r.n }));
  }

  counts(): Record<OutboxState, number> {
    const out: Record<OutboxState, number> = { pending: 0, sending: 0, delivered: 0, dead: 0, expired: 0, unknown: 0 };
    for (const r of this.st.counts.all()) out[r.state as OutboxState] = r.n;
    return out;
  }
}
