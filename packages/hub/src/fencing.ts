import type { Answer } from '@servicehall/protocol';
import { createHmac } from 'node:crypto';
import type { Db } from './db';
import { branchLineage, readLineage, type Lineage } from './lineage';
import { log } from './log';
import { opsText, type Bilingual } from './ops-strings';

/**
 * Fencing between a hall's primary hub and its standby: the epoch of the hub in charge is kept in
 * the database and written into every event; a promoted standby takes the next epoch. A hub takes
 * commands only while it is in charge and has seen no higher epoch than its own: one that learns of
 * a higher one (from its peer, or from a terminal that carries the epoch it last saw) steps down and
 * follows, so that two hubs never both accept commands.
 */
export const FENCING_MIGRATION = {
  version: 85,
  name: 'fencing: the epoch of the hub in charge, in every event; whether this hub leads or follows',
  sql: `
    ALTER TABLE events ADD COLUMN epoch INTEGER;
    INSERT OR IGNORE INTO hall (key, value) VALUES ('epoch', '1');
  `,
};

export type HubPart = 'primary' | 'follower';

/**
 * What a hub in charge gives its terminals with its epoch, and what a terminal carries back with it:
 * a MAC under the hall token, which both hubs hold and an enrolled terminal does not. A hub steps down
 * for a terminal's epoch only with its proof, so that a terminal's credential (a rating pad's, taken
 * from its tablet) cannot make a hub step down by naming a large epoch.
 */
export function epochProof(hallToken: string, epoch: number): string {
  return createHmac('sha256', hallToken).update(`servicehall epoch ${epoch}`).digest('base64url');
}

const NOT_IN_CHARGE: Answer = {
  ok: false,
  code: 'not-in-charge',
  message: 'this hub is not the one in charge of the hall (it is the standby, or another hub took over): send to the hub in charge',
};

/** What this hub is now: its epoch, whether it leads, and the identity of its log (which a promotion branches). */
export class HubRole {
  private epochNow: number;
  private partNow: HubPart;
  /** A primary that started without reaching its peer, not taking commands yet (see Replication's hold). */
  private heldNow = false;
  private lineageNow: Lineage;
  private readonly listeners = new Set<() => void>();
  private readonly put;
  private readonly get;

  constructor(private readonly db: Db) {
    const get = (this.get = db.prepare<[string], { value: string }>('SELECT value FROM hall WHERE key = ?'));
    this.put = db.prepare('INSERT INTO hall (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value');
    this.epochNow = Number(get.get('epoch')?.value ?? '1');
    this.partNow = get.get('part')?.value === 'follower' ? 'follower' : 'primary';
    this.lineageNow = readLineage(db);
  }

  get epoch(): number {
    return this.epochNow;
  }

  get part(): HubPart {
    return this.partNow;
  }

  get inCharge(): boolean {
    return this.partNow === 'primary' && !this.heldNow;
  }

  /**
   * Whether this hub is the primary but takes no command yet: it started and could not reach its
   * peer, which may have taken charge while this one was down (Replication.askPeerWhileHeld).
   */
  get held(): boolean {
    return this.heldNow;
  }

  /**
   * Whether a standby has ever followed this hub (this database): only then can the peer have taken
   * charge of this hall's log while this hub was down. A primary whose standby was never linked does
   * not hold at start.
   */
  get followedOnce(): boolean {
    return this.get.get('followed')?.value === '1';
  }

  markFollowed(): void {
    if (!this.followedOnce) this.put.run('followed', '1');
  }

  /** Takes no command until `release` (or a higher epoch learnt, or `follow`). Kept in memory only: each start asks again. */
  hold(): void {
    if (!this.inCharge) return;
    this.heldNow = true;
    this.changed();
  }

  release(): void {
    if (!this.heldNow) return;
    this.heldNow = false;
    this.changed();
  }

  get lineage(): Lineage {
    return this.lineageNow;
  }

  /** The refusal of a command while this hub is not in charge, or undefined. */
  refusal(): Answer | undefined {
    return this.inCharge ? undefined : NOT_IN_CHARGE;
  }

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Hears of an epoch seen elsewhere (the peer, a terminal). A higher one than this hub's means
   * another hub was promoted since: this one steps down (said once, loudly) and follows. Returns
   * whether it stepped down now. `from` names who told it, in each language (the operator's log says it).
   */
  learn(epoch: number, from: Bilingual): boolean {
    if (epoch <= this.epochNow) return false;
    // A held primary steps down too (said as loudly: it would have taken charge).
    const wasInCharge = this.partNow === 'primary';
    this.db.transaction(() => {
      this.put.run('epoch', String(epoch));
      this.put.run('part', 'follower');
    })();
    this.epochNow = epoch;
    this.partNow = 'follower';
    this.heldNow = false;
    if (wasInCharge) log.error({ epoch, from: from.en }, opsText('steppedDown', { epoch, from }));
    this.changed();
    return wasInCharge;
  }

  /** Becomes a follower of the peer (a standby's first start, or an operator's choice), keeping its epoch. */
  follow(): void {
    if (this.partNow === 'follower') return;
    this.put.run('part', 'follower');
    this.partNow = 'follower';
    this.heldNow = false;
    this.changed();
  }

  /** The log a follower follows is its leader's (a leader that was promoted branched it). */
  adoptLineage(lineage: Lineage): void {
    if (lineage.log === this.lineageNow.log) return;
    this.db.transaction(() => {
      this.put.run('log', lineage.log);
      if (lineage.parent) this.put.run('log_parent', JSON.stringify(lineage.parent));
    })();
    this.lineageNow = lineage;
  }

  /**
   * Takes charge: the next epoch (above any seen), and a new log branching from the last event
   * held, so that a terminal that saw events the old primary never handed over takes a snapshot.
   */
  promote(seenEpoch = 0): number {
    if (this.inCharge) return this.epochNow;
    const epoch = Math.max(this.epochNow, seenEpoch) + 1;
    this.db.transaction(() => {
      this.put.run('epoch', String(epoch));
      this.put.run('part', 'primary');
      this.lineageNow = branchLineage(this.db);
    })();
    this.epochNow = epoch;
    this.partNow = 'primary';
    log.warn({ epoch, log: this.lineageNow.log }, opsText('nowInCharge', { epoch }));
    this.changed();
    return epoch;
  }

  private changed(): void {
    for (const l of this.listeners) l();
  }
}
