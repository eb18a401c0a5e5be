import { createHash } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import Database from 'better-sqlite3';
import WebSocket, { type WebSocketServer } from 'ws';
import { z } from 'zod';
import { takeBackup } from './backup';
import { SCHEMA_VERSION, type Db } from './db';
import type { HubRole } from './fencing';
import { DATABASE_FILE, HubRefusal, makeDataFolder } from './files';
import { continuesLog, type Lineage } from './lineage';
import { log } from './log';
import { formatBytes, opsText, type Bilingual } from './ops-strings';
import { isDiskFull, type HallStore, type ReplicatedEvent } from './store';
import { limitMessages, SERVED_RECENTLY_MS, tokensMatch } from './terminals';

/**
 * A hall's standby hub follows its primary's event log into its own SQLite over an authenticated
 * WebSocket (/replication, the hall token): the events as they were appended (with their epoch),
 * the command answers (so that a terminal retrying against the new primary gets the first answer),
 * the audit and personal-data rows of those commands, and the small tables a terminal or a clerk
 * needs at the standby (staff, terminal credentials, clerk PINs), whole whenever they change.
 *
 * Semi-synchronous: with a follower in step, the primary answers a batch of commands only once the
 * follower holds it. A follower that does not acknowledge within `semiSyncTimeoutMs` is marked
 * behind and the primary goes on alone (a hall keeps serving), saying so on /metrics and in its
 * log, until the follower has caught up again.
 */

export const DEFAULT_SEMI_SYNC_TIMEOUT_MS = 1_000;
/** How often a follower hears its leader when nothing happens, and a leader without a follower asks its peer who is in charge. */
const BEAT_MS = 250;

/**
 * The time the link's silences and lags are measured by: the machine's steady clock, which NTP or a
 * person setting the PC's clock does not step. By the PC's clock, a standby whose clock was set back
 * an hour did not take charge for that hour after its leader died, and one set forward took charge
 * from a leader that was there.
 */
const steadyNow = (): number => performance.now();
const PEER_POLL_MS = 1_000;
/** The other hub of the pair, as the operator's log names who told this one of a higher epoch. */
const PEER_HUB: Bilingual = { 'zh-CN': '另一台主机', en: 'the peer hub' };
const PEER_ANSWERED: Bilingual = { 'zh-CN': '另一台主机答复了，它不是当前主机', en: 'the peer hub answered and is not in charge' };
/** A follower that has acknowledged nothing for this long while messages wait (a frozen PC) is cut off; it links again when it wakes. */
const FROZEN_FOLLOWER_MS = 30_000;
/** How often a standby asks again a hub in charge that refuses it (another release, another hall token). */
const REFUSED_RETRY_MS = 5_000;
/** At most this many events in one message of a catch-up. */
const CATCH_UP_EVENTS = 2_000;

/**
 * What a link to /replication may send in one message before its follow: the largest follow the
 * schema admits (a 200-character token, an 80-character name, a 64-character log, each character
 * escaped by JSON to 6 bytes) is about 2.2 KB, a standby's own under 1 KB (its stamps held, five
 * tables, about 0.2 KB of it). Without it a stranger on
 * the hall's LAN had the hub hold 2 MB per connection for the 5 s the follow is awaited.
 */
export const MAX_MESSAGE_BEFORE_FOLLOW_BYTES = 8 * 1024;

/**
 * Tables whose new rows follow the events: each with how to find where a follower at some time
 * starts. The citizens' one-time codes, the day's counts of codes by address, the verified phones'
 * sessions and the phone behind each number and booking are changed in place (a wrong try, a code
 * spent, a count, a link's alerts marked or its phone forgotten): they follow by the stamp of their
 * last change (migrations 160, 170; PhoneBook.stamp), and a new link is sent them all (`at` null),
 * so that a standby that takes charge knows the codes sent, the day's bounds, the phones verified,
 * and whose number is whose with the alerts already sent; a standby that links again says the last
 * stamp of each it was sent (StampsHeld) and is sent only the rows changed since. The notification outbox follows the same
 * way (migration 180, Outbox.stamp: a notice queued, claimed, finished, its phone masked): a standby
 * that takes charge sends what is still pending (once its time holds), and a notice it holds as
 * `sending` ends as one whose hub stopped mid-request (DeliveryLoop: a citizen's SMS `unknown`, not
 * sent twice). A link or a notice written by a command is in its transaction: like the answers, it
 * waits for the batch's flush (durableRowsMark).
 */
const TAILS = [
  { table: 'commands', key: 'rowid', at: 'at', mode: 'REPLACE' },
  { table: 'audit', key: 'id', at: 'at', mode: 'IGNORE' },
  { table: 'personal_data', key: 'rowid', at: 'stored_at', mode: 'REPLACE' },
  { table: 'phone_codes', key: 'changed', at: null, mode: 'REPLACE' },
  { table: 'phone_code_addresses', key: 'changed', at: null, mode: 'REPLACE' },
  { table: 'phone_sessions', key: 'changed', at: null, mode: 'REPLACE' },
  { table: 'phone_links', key: 'changed', at: null, mode: 'REPLACE' },
  { table: 'notify_outbox', key: 'changed', at: null, mode: 'REPLACE' },
] as const;
type TailTable = (typeof TAILS)[number]['table'];
/** Small tables sent whole whenever they change: a notification channel's pause holds at the standby that takes charge. */
const WHOLE = ['staff', 'terminal_credentials', 'hall_token_terminals', 'clerk_pins', 'notify_channel_state'] as const;
type WholeTable = (typeof WHOLE)[number];
/** Rows older than this before the follower's last event are sent again at a new link (answers are kept by id: no harm). */
const TAIL_OVERLAP_MS = 60_000;
/** The tables that follow by stamps, sent from what the follower says it holds of them (StampsHeld). */
const STAMPED = TAILS.filter((t) => t.at === null).map((t) => t.table);
/**
 * Where the follower kept, in its hall table, the last stamp of each stamped table it was sent, and
 * by the leader of which epoch: one hub is in charge at an epoch, so only that hub's stamps count
 * (another's, before a failover, count from other rows). Its own MAX(changed) would not do: rows it
 * wrote itself while it was in charge may hold stamps the new leader gave to other rows.
 */
const STAMPS_HELD_KEY = 'standby_stamps';
/**
 * Where a hub keeps, in its hall table, the terminals the hub in charge at its epoch serves
 * (TerminalLinks.servedRecently), with that epoch and the PC's time: the hub in charge its own list,
 * a standby its leader's as last told. Held after a restart, a primary takes charge on their looks
 * (see heldTerminalLooked); a standby restarted while its leader is out of reach counts them on its
 * leader's silence (FollowerSide.checkSilence). Written when the list changes, and when unchanged
 * every SERVED_REWRITE_MS so that its time says when it was last served (or told).
 */
const SERVED_KEY = 'served_terminals';
const SERVED_REWRITE_MS = 10 * 60_000;
/**
 * A list kept longer ago than this (the PC was off for days) binds no hold: the hall's terminals may
 * have changed since, and the first terminal's two looks suffice, as before the list was kept.
 */
export const SERVED_KEPT_FOR_MS = 24 * 3_600_000;
/**
 * A value this hub kept in its hall table as JSON, read back: one that is not what it should be (a
 * database mended by hand, a release's other shape) is taken as none, never a stop of the hub.
 */
function keptValue<T>(schema: z.ZodType<T>, value: string | undefined): T | undefined {
  if (value === undefined) return undefined;
  try {
    const parsed = schema.safeParse(JSON.parse(value));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

const ServedKeptSchema = z.object({ epoch: z.number().int(), at: z.number(), terminals: z.array(z.string()) });
type ServedKept = z.infer<typeof ServedKeptSchema>;

type Row = Record<string, unknown>;

const LineageSchema = z.object({ log: z.string(), parent: z.object({ log: z.string().nullable(), seq: z.number().int() }).optional() });
const EventRowSchema = z.object({ seq: z.number().int(), at: z.number(), type: z.string(), command_id: z.string().nullable(), body: z.string(), epoch: z.number().int() });
const RowSchema = z.record(z.string().regex(/^[a-z_]{1,40}$/), z.unknown());
/** What a follower holds of the stamped tables: the last stamp it was sent of each, by the leader of `epoch`. */
const StampsHeldSchema = z.object({ epoch: z.number().int(), at: z.record(z.string().regex(/^[a-z_]{1,40}$/), z.number().int().min(0)) });
type StampsHeld = z.infer<typeof StampsHeldSchema>;

const FollowerMessageSchema = z.discriminatedUnion('type', [
  // `schema`: the release's (SCHEMA_VERSION); a hub of a release before it sends none. `stamps`: what it
  // holds of the stamped tables (none: a new standby, or a release before: it is sent them all).
  z.object({
    type: z.literal('follow'),
    token: z.string().min(1).max(200),
    hub: z.string().max(80),
    seq: z.number().int().min(0),
    log: z.string().max(64),
    epoch: z.number().int().min(1),
    schema: z.number().int().optional(),
    stamps: StampsHeldSchema.optional(),
  }),
  z.object({ type: z.literal('ack'), n: z.number().int(), seq: z.number().int() }),
]);

/** The terminals the leader serves (TerminalLinks.servedRecently), by id: a leader of a release before it sends none. */
const ServedSchema = z.array(z.string().max(40)).max(10_000).optional();
/** The years the leader moved out of its database (`archive YEAR`), each with the last event moved: a leader of a release before it sends none. */
const ArchivedSchema = z.array(z.object({ year: z.number().int(), lastSeq: z.number().int() })).max(1_000).optional();
type ArchivedYears = NonNullable<z.infer<typeof ArchivedSchema>>;

const LeaderMessageSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('following'), epoch: z.number().int(), lineage: LineageSchema, seq: z.number().int(), schema: z.number().int().optional(), terminals: ServedSchema, archived: ArchivedSchema }),
  z.object({
    type: z.literal('rows'),
    n: z.number().int(),
    epoch: z.number().int(),
    seq: z.number().int(),
    events: z.array(EventRowSchema),
    tails: z.record(z.string(), z.array(RowSchema)),
    whole: z.record(z.string(), z.array(RowSchema)).optional(),
  }),
  // `terminals` only when the list changed since the last one this link was sent.
  z.object({ type: z.literal('beat'), epoch: z.number().int(), seq: z.number().int(), terminals: ServedSchema }),
  z.object({ type: z.literal('rebuild'), message: z.string() }),
  z.object({ type: z.literal('refused'), code: z.string(), message: z.string(), epoch: z.number().int().optional() }),
]);
type LeaderMessage = z.infer<typeof LeaderMessageSchema>;

/** What the peer says of itself (GET /replication/status). */
export interface PeerStatus {
  inCharge: boolean;
  epoch: number;
  seq: number;
  log: string;
}

/** Where the other hub of the hall is, and how this one proves it belongs to the hall. */
export interface Peer {
  /** Its address, http(s)://host:port */
  url: string;
  token: string;
  /** The hall's CA (PEM) when the peer serves HTTPS. */
  ca?: string;
}

interface FollowerLink {
  ws: WebSocket;
  hub: string;
  seq: number;
  positions: Record<TailTable, number>;
  whole: Partial<Record<WholeTable, string>>;
  /** The last message number sent, the last acknowledged, and the events it held by then. */
  sent: number;
  acked: number;
  ackedSeq: number;
  sentAt: Map<number, number>;
  waiters: Map<number, (() => void)[]>;
  /** Did not acknowledge in time: the primary does not wait for it until it has caught up. */
  behind: boolean;
  /** The terminals served, as last sent to it (joined). */
  served: string;
}

export interface ReplicationStatus {
  part: 'primary' | 'follower';
  epoch: number;
  seq: number;
  /** For a primary: whether a follower is linked and in step (semi-synchronous), behind (the primary goes on alone), or none. */
  standby: 'in-step' | 'behind' | 'none';
  /** Events the follower does not hold yet (primary: by its acknowledgements; follower: by what the leader last said). */
  lagEvents: number;
  /** Seconds since the oldest unacknowledged message (primary), or since the leader was last heard (follower). */
  lagSeconds: number;
  /** A follower: whether its leader is linked now. */
  leaderLinked?: boolean;
  /** A follower: how many terminals its leader last said it served (see FollowerSide.checkSilence); absent from a leader that does not say. */
  leaderTerminals?: number;
  /** Batches answered without the follower's acknowledgement since the hub started. */
  unacknowledged: number;
  /** A primary that started without reaching its peer and takes no command yet (see Replication.askPeerWhileHeld). */
  held?: boolean;
}

/**
 * The replication of one hub: the leader's side while it is in charge (followers link to it) and
 * the follower's side while it is not (it links to its peer), switching as its role changes.
 */
export class Replication {
  private readonly followers = new Set<FollowerLink>();
  private readonly st;
  private peerTimer: NodeJS.Timeout | undefined;
  private beatTimer: NodeJS.Timeout | undefined;
  /** Writing the list of terminals served failed, and was said (once until a write works again). */
  private servedNotKeptSaid = false;
  private follower: FollowerSide | undefined;
  private unacknowledged = 0;
  /** Set while the primary, its standby just gone, asks the peer whether it took charge. */
  private doubt: Promise<void> | undefined;
  private closed = false;
  private readonly stopRole: () => void;
  /**
   * While held (see askPeerWhileHeld): the terminals' looks since the hold began, whether the peer is
   * being asked now, the terminals this hub served before it stopped (undefined: none, or no list
   * kept of this epoch within SERVED_KEPT_FOR_MS), and how many of them came, as last said in the log.
   */
  private held: { looked: Map<string, number[]>; asking: boolean; served: Set<string> | undefined; said?: number } | undefined;
  /** The list of terminals served as last kept on disk (see keepServed), and when this hub last took charge (steady clock). */
  private servedKept: ServedKept | undefined;
  private inChargeSince = 0;
  /** Terminals come looking that never try the other hub, said once each (see terminalLooked). */
  private readonly knowsOneHub = new Set<string>();

  constructor(
    private readonly store: HallStore,
    private readonly db: Db,
    private readonly token: string,
    private readonly options: {
      peer?: Peer;
      /** This hub's name in the peer's log. */
      name: string;
      semiSyncTimeoutMs?: number;
      /** A follower that has not heard its leader for this long takes charge by itself (undefined: only by `promote`). */
      promoteAfterMs?: number;
      /** This hub's database has parted from the leader's: it must be copied again (the command line does it). */
      onRebuild?: (why: string) => void;
      /** It took charge (start the work only the hub in charge does: notifications). */
      onPromoted?: () => void;
      /** The terminals this hub serves, told to its standby (TerminalLinks.servedRecently). */
      served?: () => string[];
    },
  ) {
    this.st = {
      atOf: db.prepare<[number], { at: number }>('SELECT at FROM events WHERE seq = ?'),
      stampsHeld: db.prepare<[], { value: string }>(`SELECT value FROM hall WHERE key = '${STAMPS_HELD_KEY}'`),
      holdStamps: db.prepare<[string]>(`INSERT INTO hall (key, value) VALUES ('${STAMPS_HELD_KEY}', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`),
      keepServed: db.prepare<[string]>(`INSERT INTO hall (key, value) VALUES ('${SERVED_KEY}', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`),
      archived: db.prepare<[], { key: string; value: string }>("SELECT key, value FROM hall WHERE key LIKE 'archived:%'"),
      firstSeq: db.prepare<[], { seq: number | null }>('SELECT MIN(seq) AS seq FROM events'),
    };
    this.servedKept = keptValue(ServedKeptSchema, db.prepare<[], { value: string }>(`SELECT value FROM hall WHERE key = '${SERVED_KEY}'`).get()?.value);
    // The tables' last keys before each batch: a follower gets a batch's answers with its events, once they are on the disk.
    const lastKeys = db.prepare<[], Record<TailTable, number>>(`SELECT ${TAILS.map((t) => `COALESCE((SELECT MAX(${t.key}) FROM ${t.table}), 0) AS ${t.table}`).join(', ')}`);
    store.markRows = () => lastKeys.get()!;
    this.stopRole = store.role.onChange(() => this.roleChanged());
    this.beatTimer = setInterval(() => this.beat(), BEAT_MS);
    this.beatTimer.unref();
    this.roleChanged();
  }

  get role(): HubRole {
    return this.store.role;
  }

  /** The leader's endpoint: a follower says hello with the hall token and where it stands. */
  serve(wss: WebSocketServer): void {
    wss.on('connection', (ws) => {
      let link: FollowerLink | undefined;
      // Checked by ws as each frame's head arrives (see limitMessages), and given back once the follow is taken.
      const full = limitMessages(ws, MAX_MESSAGE_BEFORE_FOLLOW_BYTES);
      const hello = setTimeout(() => ws.terminate(), 5_000);
      hello.unref();
      ws.on('error', () => ws.terminate());
      ws.on('close', () => {
        clearTimeout(hello);
        if (!link || this.closed) return;
        const gone = link;
        this.followers.delete(gone);
        // Its standby gone, the primary asks its peer before it answers alone: a standby that took
        // charge (after a silence of this hub's) must not see this one acknowledge what it lacks.
        this.doubt = this.askPeer().finally(() => {
          this.doubt = undefined;
          for (const list of gone.waiters.values()) for (const w of list) w();
          if (this.role.inCharge) log.warn({ follower: gone.hub }, opsText('standbyGone', { standby: gone.hub }));
        });
      });
      ws.on('message', (data) => {
        const size = Array.isArray(data) ? data.reduce((n, b) => n + b.length, 0) : (data as Buffer).byteLength;
        // Were ws's receiver ever to keep its limit elsewhere, a whole message too large still closes a link that has not followed.
        if (!link && size > MAX_MESSAGE_BEFORE_FOLLOW_BYTES) return void ws.close(1009, 'too large before follow');
        let message;
        try {
          message = FollowerMessageSchema.parse(JSON.parse(data.toString()));
        } catch {
          return void ws.close(1008, 'not a replication message');
        }
        if (message.type === 'follow') {
          clearTimeout(hello);
          if (!tokensMatch(message.token, this.token)) return refuse(ws, 'unauthorised', 'the token is not this hall’s');
          if (message.epoch > this.role.epoch) {
            this.role.learn(message.epoch, { 'zh-CN': `跟随本主机的 ${message.hub}`, en: `follower ${message.hub}` });
            return refuse(ws, 'not-in-charge', 'this hub has seen a higher epoch and is not in charge', this.role.epoch);
          }
          // Held, the peer comes to follow this hub: it did not take charge (its epoch is not higher).
          if (this.role.held) this.releaseHold({ 'zh-CN': `另一台主机 ${message.hub} 来跟随本主机`, en: `the peer hub ${message.hub} came to follow this one` });
          if (!this.role.inCharge) return refuse(ws, 'not-in-charge', 'this hub is not in charge', this.role.epoch);
          // The rows go as this release keeps them (the answers' keys changed in migration 120): a hub of
          // another release would hold what it cannot read.
          if (message.schema !== SCHEMA_VERSION)
            return refuse(ws, 'other-release', `the standby's release writes schema ${message.schema ?? 'before 120'}, this hub's ${SCHEMA_VERSION}: both hubs must run the same release`);
          const lineage = this.role.lineage;
          if (message.seq > this.store.seq || !continuesLog(lineage, message.log, message.seq))
            return void send(ws, { type: 'rebuild', message: `the follower holds event ${message.seq} of log ${message.log}, which is not this hub's history (log ${lineage.log} at ${this.store.seq}): it must be copied again` });
          this.role.markFollowed();
          link = this.link(ws, message.hub, message.seq, message.stamps);
          limitMessages(ws, full);
          const terminals = this.options.served?.() ?? [];
          link.served = terminals.join('\n');
          send(ws, { type: 'following', epoch: this.role.epoch, lineage, seq: this.store.seq, schema: SCHEMA_VERSION, terminals, archived: this.archivedYears() });
          log.info({ follower: message.hub, from: message.seq, to: this.store.seq }, opsText('standbyFollows', { standby: message.hub, from: message.seq, to: this.store.seq }));
          this.followers.add(link);
          this.push(link, true);
          return;
        }
        if (!link) return;
        link.acked = Math.max(link.acked, message.n);
        link.ackedSeq = Math.max(link.ackedSeq, message.seq);
        for (const [n, list] of link.waiters)
          if (n <= message.n) {
            link.waiters.delete(n);
            for (const w of list) w();
          }
        for (const n of link.sentAt.keys()) if (n <= message.n) link.sentAt.delete(n);
        if (link.behind && link.acked >= link.sent) {
          link.behind = false;
          log.info({ follower: link.hub }, opsText('standbyCaughtUp', { standby: link.hub }));
        }
      });
    });
  }

  private link(ws: WebSocket, hub: string, seq: number, stamps: StampsHeld | undefined): FollowerLink {
    const since = (this.st.atOf.get(seq)?.at ?? 0) - TAIL_OVERLAP_MS;
    const positions = {} as Record<TailTable, number>;
    // Stamps this hub gave in its epoch: a follower is sent what changed since (a new one, or one that held another leader's, all).
    const held = stamps?.epoch === this.role.epoch ? stamps.at : {};
    for (const t of TAILS) {
      if (t.at === null) {
        positions[t.table] = held[t.table] ?? 0;
        continue;
      }
      const first = this.db.prepare<[number], { k: number | null }>(`SELECT MIN(${t.key}) AS k FROM ${t.table} WHERE ${t.at} >= ?`).get(since)?.k;
      const last = this.db.prepare<[], { k: number | null }>(`SELECT MAX(${t.key}) AS k FROM ${t.table}`).get()?.k ?? 0;
      positions[t.table] = first === null || first === undefined ? last : first - 1;
    }
    return { ws, hub, seq, positions, whole: {}, sent: 0, acked: 0, ackedSeq: seq, sentAt: new Map(), waiters: new Map(), behind: false, served: '' };
  }

  /** Sends a follower what it does not have yet; returns the number of the message that holds the newest (or undefined: it has all). */
  private push(link: FollowerLink, withWhole = false): number | undefined {
    if (link.ws.readyState !== WebSocket.OPEN) return undefined;
    let last: number | undefined;
    for (;;) {
      const events = this.store.eventRowsSince(link.seq, CATCH_UP_EVENTS);
      // Not the rows of a batch whose flush has not ended: a follower that took charge would answer a
      // retried command "done" with none of its events (a ticket acknowledged that no hub holds).
      const durable = this.store.durableRowsMark;
      const tails: Record<string, Row[]> = {};
      let any = events.length > 0;
      for (const t of TAILS) {
        const upTo = durable?.[t.table] ?? Number.MAX_SAFE_INTEGER;
        const rows = this.db.prepare<[number, number], Row>(`SELECT ${t.key} AS _key, * FROM ${t.table} WHERE ${t.key} > ? AND ${t.key} <= ? ORDER BY ${t.key} LIMIT 5000`).all(link.positions[t.table], upTo);
        if (rows.length === 0) continue;
        link.positions[t.table] = rows[rows.length - 1]!._key as number;
        tails[t.table] = rows.map(({ _key, ...r }) => r);
        any = true;
      }
      const whole = withWhole ? this.wholeChanges(link) : undefined;
      if (whole) any = true;
      if (!any) break;
      if (events.length > 0) link.seq = events[events.length - 1]!.seq;
      const n = ++link.sent;
      link.sentAt.set(n, steadyNow());
      send(link.ws, { type: 'rows', n, epoch: this.role.epoch, seq: this.store.seq, events, tails, ...(whole ? { whole } : {}) });
      last = n;
      withWhole = false;
      if (events.length < CATCH_UP_EVENTS) break;
    }
    if (last !== undefined) return last;
    return link.acked < link.sent ? link.sent : undefined;
  }

  private wholeChanges(link: FollowerLink): Record<string, Row[]> | undefined {
    let out: Record<string, Row[]> | undefined;
    for (const table of WHOLE) {
      const rows = this.db.prepare<[], Row>(`SELECT * FROM ${table} ORDER BY rowid`).all();
      const hash = createHash('sha256').update(JSON.stringify(rows)).digest('base64');
      if (link.whole[table] === hash) continue;
      link.whole[table] = hash;
      (out ??= {})[table] = rows;
    }
    return out;
  }

  /**
   * After a batch of commands is durable here: sends it to the followers and resolves once one in
   * step holds it (semi-synchronous), or at once with none in step, or after the timeout (the
   * follower is then marked behind and not waited for until it catches up).
   */
  ship(): Promise<void> {
    if (this.doubt) return this.doubt.then(() => this.ship());
    if (!this.role.inCharge || this.followers.size === 0) return Promise.resolve();
    const waits: Promise<boolean>[] = [];
    for (const link of this.followers) {
      const n = this.push(link);
      if (n === undefined || link.behind) continue;
      waits.push(
        new Promise<boolean>((resolve) => {
          const list = link.waiters.get(n) ?? [];
          list.push(() => resolve(true));
          link.waiters.set(n, list);
        }),
      );
    }
    if (waits.length === 0) return Promise.resolve();
    const timeoutMs = this.options.semiSyncTimeoutMs ?? DEFAULT_SEMI_SYNC_TIMEOUT_MS;
    let timer: NodeJS.Timeout | undefined;
    return Promise.race([Promise.any(waits), new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs)))]).then((acknowledged) => {
      clearTimeout(timer);
      if (acknowledged) return;
      this.unacknowledged += 1;
      for (const link of this.followers)
        if (!link.behind && link.acked < link.sent) {
          link.behind = true;
          log.error({ follower: link.hub, timeoutMs }, opsText('standbyLate', { standby: link.hub, ms: timeoutMs }));
        }
    });
  }

  status(): ReplicationStatus {
    const now = steadyNow();
    if (this.role.inCharge || this.role.held) {
      let standby: ReplicationStatus['standby'] = 'none';
      let lagEvents = 0;
      let oldest = now;
      for (const link of this.followers) {
        standby = link.behind ? (standby === 'in-step' ? standby : 'behind') : 'in-step';
        lagEvents = Math.max(lagEvents, this.store.seq - link.ackedSeq);
        for (const at of link.sentAt.values()) oldest = Math.min(oldest, at);
      }
      return { part: 'primary', epoch: this.role.epoch, seq: this.store.seq, standby, lagEvents, lagSeconds: (now - oldest) / 1000, unacknowledged: this.unacknowledged, ...(this.role.held ? { held: true } : {}) };
    }
    const f = this.follower;
    return {
      part: 'follower',
      epoch: this.role.epoch,
      seq: this.store.seq,
      standby: 'none',
      lagEvents: Math.max(0, (f?.leaderSeq ?? this.store.seq) - this.store.seq),
      lagSeconds: f ? (now - f.lastHeard) / 1000 : 0,
      leaderLinked: f?.linked ?? false,
      ...(f?.served ? { leaderTerminals: f.served.length } : {}),
      unacknowledged: this.unacknowledged,
    };
  }

  /**
   * A terminal said hello here, this hub following (or held): it is looking for the hub in charge.
   * Its look counts only when it tries the other hub between its tries of this one (`triesOtherHubs`,
   * from its hello): one given only this hub's address comes back without knowing anything of the
   * other. A look may be the one this hub waited for to take charge (see checkSilence): then it is
   * served at once, not sent round to the silent hub again. Returns whether this hub is in charge now.
   */
  terminalLooked(terminal: string, triesOtherHubs: boolean): boolean {
    if (this.role.inCharge) return true;
    if (!triesOtherHubs) {
      if (!this.knowsOneHub.has(terminal) && this.knowsOneHub.size < 1_000) {
        this.knowsOneHub.add(terminal);
        log.warn({ terminal }, opsText('terminalKnowsOneHub', { terminal }));
      }
      return false;
    }
    if (this.role.held) return this.heldTerminalLooked(terminal);
    if (!this.follower) return false;
    this.follower.terminalLooked(terminal);
    this.follower.checkSilence();
    return this.role.inCharge;
  }

  /** An operator's `promote`, or the follower's own after its leader's silence: this hub takes charge with the next epoch. */
  promote(why: string | Bilingual): number {
    if (this.role.inCharge) return this.role.epoch;
    // Held, it is the primary already: it takes charge at its own epoch (a new one could equal a peer's that took charge).
    if (this.role.held) return this.releaseHold(why);
    const seen = this.follower?.leaderEpoch ?? 0;
    this.follower?.stop();
    this.follower = undefined;
    const epoch = this.role.promote(seen);
    log.warn({ why: typeof why === 'string' ? why : why.en, epoch, seq: this.store.seq }, opsText('promoted', { why, epoch, seq: this.store.seq }));
    this.options.onPromoted?.();
    return epoch;
  }

  private roleChanged(): void {
    if (this.closed) return;
    if (this.role.held) {
      if (!this.held) {
        const kept = this.servedAsKept();
        this.held = { looked: new Map(), asking: false, served: kept && new Set(kept) };
      }
      return this.watchPeer();
    }
    this.held = undefined;
    if (this.role.inCharge) {
      this.inChargeSince = steadyNow();
      this.follower?.stop();
      this.follower = undefined;
      this.watchPeer();
      return;
    }
    // No longer in charge: followers of this hub must find the one that is.
    for (const link of this.followers) refuse(link.ws, 'not-in-charge', 'this hub is no longer in charge', this.role.epoch);
    clearInterval(this.peerTimer);
    this.peerTimer = undefined;
    if (!this.follower && this.options.peer) this.follower = new FollowerSide(this, this.store, this.options.peer, this.options);
  }

  /** Whether the peer took charge with a higher epoch (then this hub steps down); an unreachable peer changes nothing. */
  private async askPeer(): Promise<void> {
    const peer = this.options.peer;
    if (!peer || !this.role.inCharge) return;
    try {
      const s = await peerStatus(peer, this.options.semiSyncTimeoutMs ?? DEFAULT_SEMI_SYNC_TIMEOUT_MS);
      if (s.inCharge && s.epoch > this.role.epoch) this.role.learn(s.epoch, PEER_HUB);
    } catch {
      // Unreachable: its PC or the link is down; the hall goes on with this hub (and /metrics says there is no standby).
    }
  }

  /** A primary with no follower asks its peer who is in charge: one promoted while the two could not reach each other fences this one. */
  private watchPeer(): void {
    const peer = this.options.peer;
    if (!peer || this.peerTimer) return;
    this.peerTimer = setInterval(() => {
      if (this.role.held) return void this.askPeerWhileHeld();
      if (this.followers.size > 0 || !this.role.inCharge) return;
      void this.askPeer();
    }, PEER_POLL_MS);
    this.peerTimer.unref();
  }

  /**
   * A primary that started without reaching its peer holds (server.ts, learnFromPeer): the peer may
   * have taken charge while this hub was down (its PC died and was mended), and taking commands now
   * would give the numbers the peer gives, lost once the two reach each other. It takes charge at
   * its own epoch once the peer answers and is not in charge (or comes to follow it), or once a
   * terminal has come looking for the hub in charge twice since the hold began, failing to reach the
   * peer between (the witness rule of a standby whose leader went silent), or by an operator's promote.
   * A peer that answers in charge with a higher epoch makes it a follower, as at any time.
   */
  private async askPeerWhileHeld(): Promise<void> {
    const held = this.held;
    const peer = this.options.peer;
    if (!held || held.asking || !peer) return;
    held.asking = true;
    try {
      const s = await peerStatus(peer, PEER_POLL_MS * 1.5);
      if (this.held !== held) return;
      if (s.inCharge && s.epoch > this.role.epoch) return void this.role.learn(s.epoch, PEER_HUB);
      this.releaseHold(PEER_ANSWERED);
    } catch {
      // Still out of reach: held until a terminal says it cannot reach the peer either.
    } finally {
      held.asking = false;
    }
  }

  /**
   * Held, a terminal came looking for the hub in charge (it tried the peer between its looks): the
   * hold ends once more than half of the terminals this hub served before it stopped have come twice,
   * the standby's rule on its leader's silence (FollowerSide.checkSilence). One terminal is not the
   * hall: its own link to the peer may fail, or its credential be in an attacker's hands, while the
   * peer has taken charge and serves the others. With no such list (it served none, a first start, a
   * database of a release before it, or one kept more than SERVED_KEPT_FOR_MS ago), the first
   * terminal's two looks suffice.
   */
  private heldTerminalLooked(terminal: string): boolean {
    const held = this.held;
    if (!held) return this.role.inCharge;
    recordLook(held.looked, terminal);
    const served = held.served;
    const { lost, needed, enough } = lostBy(held.looked, served);
    if (!enough) {
      if (served && held.said !== lost.length) {
        held.said = lost.length;
        log.error({ served: served.size, looked: lost }, opsText('heldTooFewTerminals', { served: served.size, looked: lost.length, needed }));
      }
      return false;
    }
    const who = lost.join(', ');
    this.releaseHold(
      served
        ? { 'zh-CN': `本主机停止前服务的 ${served.size} 台终端中有 ${lost.length} 台两次来本主机找当前主机，其间也连不上另一台主机（${who}）`, en: `${lost.length} of the ${served.size} terminals this hub served before it stopped came here twice looking for the hub in charge, failing to reach the peer between (${who})` }
        : { 'zh-CN': `终端 ${who} 两次来本主机找当前主机，其间也连不上另一台主机`, en: `terminal ${who} came here twice looking for the hub in charge, failing to reach the peer between` },
    );
    return this.role.inCharge;
  }

  /** The years this hub moved out of its database (archive.ts keeps each in the hall table), by year. */
  archivedYears(): ArchivedYears {
    const years: ArchivedYears = [];
    for (const row of this.st.archived.all()) {
      const kept = keptValue(z.object({ lastSeq: z.number().int() }), row.value);
      const year = Number(row.key.slice('archived:'.length));
      if (kept && Number.isInteger(year)) years.push({ year, lastSeq: kept.lastSeq });
    }
    return years.sort((a, b) => a.year - b.year);
  }

  /** Of the years the leader archived, those this hub still holds events of: its own `archive YEAR` is still to run. */
  stillHolds(archived: ArchivedYears): ArchivedYears {
    const first = this.st.firstSeq.get()?.seq;
    return first == null ? [] : archived.filter((a) => first <= a.lastSeq);
  }

  /**
   * The terminals the hub in charge at this hub's epoch served, as kept on disk within
   * SERVED_KEPT_FOR_MS (see SERVED_KEY): held, this hub's own before it stopped; following, its
   * leader's as last told. Undefined for none.
   */
  servedAsKept(): string[] | undefined {
    const kept = this.servedKept;
    if (!kept || kept.epoch !== this.role.epoch || kept.terminals.length === 0) return undefined;
    // A clock set back since makes the age negative: the list counts (an operator's promote ends a hold that should not be).
    if (Date.now() - kept.at > SERVED_KEPT_FOR_MS) return undefined;
    return kept.terminals;
  }

  /**
   * Keeps on disk the terminals this hub serves, when the list changes (or every SERVED_REWRITE_MS).
   * In its first SERVED_RECENTLY_MS in charge, the list it kept before counts too: its terminals
   * have not all linked again yet, as a standby's leader counts one gone in its last 2 minutes.
   */
  private keepServed(terminals: string[]): void {
    let list = terminals;
    const before = this.servedKept;
    if (before && before.epoch === this.role.epoch && steadyNow() - this.inChargeSince < SERVED_RECENTLY_MS && Date.now() - before.at <= SERVED_KEPT_FOR_MS)
      list = [...new Set([...terminals, ...before.terminals])].sort();
    this.keepServedList(list);
  }

  /**
   * Keeps on disk `terminals` as those the hub in charge at this hub's epoch serves (this hub's own,
   * or its leader's as it said them), when they change or every SERVED_REWRITE_MS.
   */
  keepServedList(list: string[]): void {
    const before = this.servedKept;
    const now = Date.now();
    if (before && before.epoch === this.role.epoch && before.terminals.join('\n') === list.join('\n') && Math.abs(now - before.at) < SERVED_REWRITE_MS) return;
    const kept = { epoch: this.role.epoch, at: now, terminals: list };
    try {
      this.st.keepServed.run(JSON.stringify(kept));
    } catch (error) {
      // A disk full or gone read-only under the hub: the list stays in memory, is written at the next beat
      // that can, and the hub (called from its beat's timer, or a standby's message) goes on serving.
      if (!this.servedNotKeptSaid) log.error({ err: error }, opsText('servedNotKept', { problem: (error as { code?: string }).code ?? (error as Error).message }));
      this.servedNotKeptSaid = true;
      return;
    }
    this.servedKept = kept;
    this.servedNotKeptSaid = false;
  }

  private releaseHold(why: string | Bilingual): number {
    this.role.release();
    log.warn({ why: typeof why === 'string' ? why : why.en, epoch: this.role.epoch }, opsText('heldReleased', { epoch: this.role.epoch, why }));
    // It did not open a new hall day while it held: no terminal is sent yesterday's queue.
    this.store.openDayIfDue();
    return this.role.epoch;
  }

  private beat(): void {
    if (!this.role.inCharge) return this.follower?.checkSilence();
    const now = steadyNow();
    const terminals = this.options.served?.() ?? [];
    if (this.options.served) this.keepServed(terminals);
    const served = terminals.join('\n');
    for (const link of this.followers) {
      // Messages are kept in the order they were sent: the first is the oldest unacknowledged.
      const oldest = link.sentAt.values().next().value ?? now;
      if (now - oldest > FROZEN_FOLLOWER_MS) {
        log.error({ follower: link.hub }, opsText('standbyFrozen', { standby: link.hub, seconds: FROZEN_FOLLOWER_MS / 1000 }));
        link.ws.terminate();
        continue;
      }
      // Rows written outside a batch of commands (a new day, a sign-in, the console's tables) go at the next beat.
      // A change in the terminals served goes in a beat, even between rows: the standby's rule to take charge counts them.
      const news = link.served === served ? {} : { terminals };
      link.served = served;
      if (this.push(link, true) === undefined || news.terminals) send(link.ws, { type: 'beat', epoch: this.role.epoch, seq: this.store.seq, ...news });
    }
  }

  /** The leader's side of GET /replication/status and /replication/copy, POST /replication/promote (the hall token; promote from this machine only). */
  async serveHttp(req: IncomingMessage, res: ServerResponse, url: URL, dbFile: string): Promise<void> {
    const header = req.headers.authorization ?? '';
    if (!header.startsWith('Bearer ') || !tokensMatch(header.slice(7).trim(), this.token)) return reply(res, 401, { ok: false, code: 'unauthorised', message: 'the hall token is needed' });
    if (url.pathname === '/replication/status' && req.method === 'GET') {
      const s = this.status();
      return reply(res, 200, { ...s, inCharge: this.role.inCharge, log: this.role.lineage.log });
    }
    if (url.pathname === '/replication/promote' && req.method === 'POST') {
      const address = req.socket.remoteAddress ?? '';
      if (!(address === '::1' || /^(::ffff:)?127\./.test(address))) return reply(res, 403, { ok: false, code: 'forbidden', message: 'promote from the standby hub’s own machine (npm run hub -- promote)' });
      const before = this.role.inCharge;
      // What its leader last said it held beyond this hub: numbers this hub will give again.
      const behind = before ? 0 : this.status().lagEvents;
      const leaderSeq = this.store.seq + behind;
      const epoch = this.promote({ 'zh-CN': '操作员在本机执行了 npm run hub -- promote', en: 'an operator’s promote' });
      return reply(res, 200, { ok: true, epoch, seq: this.store.seq, already: before, behind, leaderSeq });
    }
    if (url.pathname === '/replication/copy' && req.method === 'GET') {
      if (!this.role.inCharge) return reply(res, 409, { ok: false, code: 'not-in-charge', message: 'copy from the hub in charge' });
      // Beside the database, on its disk: a year's copy is gigabytes, more than a temporary folder may hold.
      const dir = fs.mkdtempSync(path.join(path.dirname(dbFile), 'copy-for-standby-'));
      try {
        const copy = await takeBackup(dbFile, dir);
        res.writeHead(200, { 'content-type': 'application/vnd.sqlite3', 'content-length': String(copy.bytes), 'x-sha256': copy.sha256, 'x-seq': String(copy.seq) });
        await new Promise<void>((resolve, reject) => fs.createReadStream(copy.path).on('error', reject).on('end', resolve).pipe(res));
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
      return;
    }
    reply(res, 404, { ok: false, code: 'not-found', message: `there is no ${url.pathname}` });
  }

  close(): void {
    this.closed = true;
    this.stopRole();
    this.store.markRows = undefined;
    clearInterval(this.beatTimer);
    clearInterval(this.peerTimer);
    this.follower?.stop();
    for (const link of this.followers) link.ws.terminate();
  }

  /** The follower's side, called by FollowerSide: applies the leader's rows in one transaction. */
  applyRows(message: Extract<LeaderMessage, { type: 'rows' }>): void {
    this.store.follow(message.events as ReplicatedEvent[], () => {
      for (const t of TAILS) {
        const rows = message.tails[t.table];
        if (rows?.length) insertRows(this.db, t.table, rows, t.mode);
      }
      this.holdStamps(message);
      for (const table of WHOLE) {
        const rows = message.whole?.[table];
        if (!rows) continue;
        this.db.prepare(`DELETE FROM ${table}`).run();
        insertRows(this.db, table, rows, 'REPLACE');
      }
    });
  }

  /** What this hub holds of the stamped tables, as its last leader sent them (undefined: nothing yet). */
  stampsHeld(): StampsHeld | undefined {
    return keptValue(StampsHeldSchema, this.st.stampsHeld.get()?.value);
  }

  /**
   * Keeps, with the rows it applies, the last stamp of each stamped table the leader sent: each is
   * sent in order from where the link began, so the follower holds every row up to it. A leader of
   * another epoch began at nothing (see link), so what was held of an earlier one goes.
   */
  private holdStamps(message: Extract<LeaderMessage, { type: 'rows' }>): void {
    const before = this.stampsHeld();
    const at = before?.epoch === message.epoch ? { ...before.at } : {};
    let changed = before?.epoch !== message.epoch;
    for (const table of STAMPED) {
      const last = message.tails[table]?.at(-1)?.changed;
      if (typeof last !== 'number') continue;
      at[table] = last;
      changed = true;
    }
    if (changed) this.st.holdStamps.run(JSON.stringify({ epoch: message.epoch, at }));
  }

  rebuild(why: string): void {
    if (this.options.onRebuild) this.options.onRebuild(why);
    else log.error({ why }, opsText('mustCopyAgain'));
  }
}

function insertRows(db: Db, table: string, rows: Row[], mode: 'REPLACE' | 'IGNORE'): void {
  const statements = new Map<string, Database.Statement>();
  for (const row of rows) {
    const columns = Object.keys(row);
    const sql = `INSERT OR ${mode} INTO ${table} (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`;
    let st = statements.get(sql);
    if (!st) statements.set(sql, (st = db.prepare(sql)));
    st.run(...columns.map((c) => row[c] as never));
  }
}

function send(ws: WebSocket, message: LeaderMessage | z.infer<typeof FollowerMessageSchema>): void {
  if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(message));
}

function refuse(ws: WebSocket, code: string, message: string, epoch?: number): void {
  send(ws, { type: 'refused', code, message, ...(epoch !== undefined ? { epoch } : {}) });
  ws.close(4003, code);
}

function reply(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}

/** The follower's link to its leader: reconnects, applies and acknowledges, and takes charge after the configured silence. */
class FollowerSide {
  private ws: WebSocket | undefined;
  private retry: NodeJS.Timeout | undefined;
  private stopped = false;
  lastHeard = steadyNow();
  leaderSeq: number | undefined;
  leaderEpoch = 0;
  linked = false;
  /** The hub in charge answers but refuses to be followed: it runs another release, or takes another hall token (see refusedBy). */
  refused: 'release' | 'token' | undefined;
  /** Its own disk refused the leader's rows (full, or refusing writes): said once, and linked again at the slower pace. */
  private diskFull = false;
  private readonly looked = new Map<string, number[]>();
  /**
   * The terminals the leader last said it served (TerminalLinks.servedRecently), or undefined from a
   * leader of a release before it, which says none: then one terminal's looks suffice, as they did.
   * Kept on disk as told (Replication.keepServedList), and read from there at start: a standby
   * restarted while the link to its leader is cut counts them as it did before.
   */
  served: string[] | undefined;
  /** The silence (by when the leader was last heard) and the terminals found in it, already said in the log. */
  private waitingSaid: string | undefined;
  /** The years the leader archived that this hub still holds, already said in the log (once each while it runs). */
  private readonly archiveSaid = new Set<number>();

  constructor(
    private readonly replication: Replication,
    private readonly store: HallStore,
    private readonly peer: Peer,
    private readonly options: { name: string; promoteAfterMs?: number },
  ) {
    this.served = replication.servedAsKept();
    this.connect();
  }

  private connect(): void {
    if (this.stopped) return;
    const url = this.peer.url.replace(/^http/, 'ws').replace(/\/$/, '') + '/replication';
    const ws = new WebSocket(url, { handshakeTimeout: 2_000, maxPayload: 256 * 1024 * 1024, ...(this.peer.ca ? { ca: this.peer.ca } : {}) });
    this.ws = ws;
    let opened = false;
    ws.on('open', () => {
      opened = true;
      const role = this.store.role;
      const stamps = this.replication.stampsHeld();
      send(ws, { type: 'follow', token: this.peer.token, hub: this.options.name, seq: this.store.seq, log: role.lineage.log, epoch: role.epoch, schema: SCHEMA_VERSION, ...(stamps ? { stamps } : {}) });
    });
    ws.on('message', (data) => {
      let message: LeaderMessage;
      try {
        message = LeaderMessageSchema.parse(JSON.parse(data.toString()));
      } catch (error) {
        log.error({ err: error }, opsText('leaderGarbled'));
        return void ws.terminate();
      }
      try {
        this.onMessage(ws, message);
      } catch (error) {
        // Its disk full (or refusing writes), linking again at once failed again at once: the two hubs'
        // logs filled with a failure, a standby gone and a standby back several times a second, and
        // none said the disk. Said once, and tried again every few seconds until it takes the rows.
        if (isDiskFull(error)) {
          if (!this.diskFull) log.error({ code: (error as { code?: string }).code, file: this.store.file }, opsText('standbyDiskFull', { file: this.store.file, seconds: REFUSED_RETRY_MS / 1000 }));
          this.diskFull = true;
        } else log.error({ err: error }, opsText('followFailed'));
        ws.terminate();
      }
    });
    ws.on('error', () => ws.terminate());
    ws.on('close', () => {
      if (this.ws !== ws) return;
      this.linked = false;
      this.ws = undefined;
      // Its leader unreachable now, not of another release: its silence counts again (a dead PC fails over).
      if (!opened) this.refused = undefined;
      if (!this.stopped) this.retry = setTimeout(() => this.connect(), this.refused || this.diskFull ? REFUSED_RETRY_MS : 300);
    });
  }

  private onMessage(ws: WebSocket, m: LeaderMessage): void {
    const role = this.store.role;
    switch (m.type) {
      case 'following':
        // A leader behind this hub's epoch would have learnt it from the hello and refused.
        if (m.epoch < role.epoch) return void ws.terminate();
        if (m.schema !== SCHEMA_VERSION) return this.refusedBy(ws, 'release', m.schema);
        this.refused = undefined;
        role.learn(m.epoch, { 'zh-CN': '本主机所跟随的主机', en: 'the leader hub' });
        role.adoptLineage(m.lineage as Lineage);
        this.leaderEpoch = m.epoch;
        this.leaderSeq = m.seq;
        this.served = m.terminals;
        this.replication.keepServedList(m.terminals ?? []);
        this.linked = true;
        this.lastHeard = steadyNow();
        log.info({ epoch: m.epoch, from: this.store.seq, leader: m.seq }, opsText('followingNow', { peer: this.peer.url, from: this.store.seq, leader: m.seq, epoch: m.epoch }));
        // Events are sent from this hub's last on: a year the leader moved out stays here until archived here too.
        for (const { year, lastSeq } of this.replication.stillHolds(m.archived ?? []))
          if (!this.archiveSaid.has(year)) {
            this.archiveSaid.add(year);
            log.warn({ year, lastSeq }, opsText('standbyHoldsArchivedYear', { year, lastSeq }));
          }
        return;
      case 'rows':
        if (m.epoch < role.epoch) return void ws.terminate();
        this.lastHeard = steadyNow();
        this.leaderSeq = m.seq;
        this.replication.keepServedList(this.served ?? []);
        this.replication.applyRows(m);
        if (this.diskFull) {
          this.diskFull = false;
          log.warn({ seq: this.store.seq }, opsText('standbyDiskWritable'));
        }
        send(ws, { type: 'ack', n: m.n, seq: this.store.seq });
        return;
      case 'beat':
        this.lastHeard = steadyNow();
        this.leaderSeq = m.seq;
        if (m.terminals) this.served = m.terminals;
        this.replication.keepServedList(this.served ?? []);
        return;
      case 'rebuild':
        this.stop();
        this.replication.rebuild(m.message);
        return;
      case 'refused':
        if (m.epoch !== undefined && m.epoch > role.epoch) role.learn(m.epoch, PEER_HUB);
        if (m.code === 'unauthorised') this.refusedBy(ws, 'token', undefined, m.message);
        if (m.code === 'other-release') this.refusedBy(ws, 'release', undefined, m.message);
        return;
    }
  }

  /**
   * The hub in charge answers but refuses to be followed: it runs another release (the operator is
   * upgrading the pair), or takes another hall token (its token was changed, or this hub's copy is
   * wrong). This one does not follow it, and does not take charge on its silence either while it
   * answers (it is there: two hubs would be in charge); it asks again every few seconds, and says so
   * once. Unreachable, it is silent as any leader.
   */
  private refusedBy(ws: WebSocket, why: 'release' | 'token', schema?: number, message?: string): void {
    if (this.refused !== why) {
      if (why === 'release') log.error({ leaderSchema: schema, schema: SCHEMA_VERSION, message }, opsText('otherRelease', { peer: this.peer.url, seconds: REFUSED_RETRY_MS / 1000 }));
      else log.error({ message }, opsText('tokenRefused', { peer: this.peer.url, seconds: REFUSED_RETRY_MS / 1000 }));
    }
    this.refused = why;
    ws.close(4003, why === 'release' ? 'other-release' : 'unauthorised');
  }

  /** A terminal came to this hub looking for the one in charge (it was refused): when, by terminal. */
  terminalLooked(terminal: string): void {
    recordLook(this.looked, terminal);
  }

  /**
   * Called at every beat: after the configured silence of its leader, this hub takes charge (not
   * while the leader runs another release) once more than half of the terminals the leader last said
   * it served have come looking for the hub in charge, each twice in that silence: between the two
   * it tried the leader and did not stay there. A silence the terminals do not share is the link
   * between the hubs cut: the leader serves them still, and taking charge would make two hubs give
   * numbers (each its own, and the leader's lost once the link is back); one terminal whose own link
   * to the leader fails is not the hall losing it. A leader that served none (a hall at night), or
   * of a release that does not say, is taken for lost on the first terminal's two looks.
   */
  checkSilence(): void {
    const after = this.options.promoteAfterMs;
    if (this.stopped || this.refused || !after || steadyNow() - this.lastHeard < after) return;
    const seconds = Math.round((steadyNow() - this.lastHeard) / 100) / 10;
    const served = this.served?.length ? new Set(this.served) : undefined;
    const { lost: counted, needed, enough } = lostBy(this.looked, served, this.lastHeard);
    if (!enough) {
      const said = `${this.lastHeard} ${counted.length}`;
      if (this.waitingSaid === said) return;
      this.waitingSaid = said;
      if (served) log.error({ seconds, served: served.size, looked: counted }, opsText('leaderSilentTooFewTerminals', { seconds, served: served.size, looked: counted.length, needed }));
      else log.error({ seconds }, opsText('leaderSilentTerminalsStay', { seconds }));
      return;
    }
    const who = counted.join(', ');
    this.replication.promote(
      served
        ? { 'zh-CN': `原来的主机已 ${seconds} 秒没有消息，它最近服务的 ${served.size} 台终端中有 ${counted.length} 台也连不上它（${who}）`, en: `the leader hub was silent for ${seconds} s, and ${counted.length} of the ${served.size} terminals it served lately could not reach it either (${who})` }
        : { 'zh-CN': `原来的主机已 ${seconds} 秒没有消息，终端 ${who} 也连不上它`, en: `the leader hub was silent for ${seconds} s, and terminal ${who} could not reach it either` },
    );
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.retry);
    this.ws?.terminate();
  }
}

/**
 * The witness rule of a held primary and of a standby on its leader's silence: the terminals that
 * came looking twice (since `after`, steady clock), counted among `served` when there is such a
 * list, and whether they are enough: more than half of `served`, or one when there is none.
 */
function lostBy(looked: Map<string, number[]>, served: ReadonlySet<string> | undefined, after = -Infinity): { lost: string[]; needed: number; enough: boolean } {
  const lost = [...looked].filter(([terminal, times]) => times.length === 2 && times[0]! > after && (!served || served.has(terminal))).map(([terminal]) => terminal);
  const needed = served ? Math.floor(served.size / 2) + 1 : 1;
  return { lost, needed, enough: lost.length >= needed };
}

/** A terminal came looking for the hub in charge now: its last two looks are kept (the witness rule wants two). */
function recordLook(looked: Map<string, number[]>, terminal: string): number[] {
  const times = [...(looked.get(terminal) ?? []), steadyNow()].slice(-2);
  looked.set(terminal, times);
  return times;
}

function request(peer: Peer, route: string, method: string, timeoutMs: number): Promise<IncomingMessage> {
  const url = new URL(route, peer.url);
  const lib = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = lib.request(url, { method, headers: { authorization: `Bearer ${peer.token}` }, timeout: timeoutMs, ...(peer.ca ? { ca: peer.ca } : {}) }, resolve);
    req.on('timeout', () => req.destroy(new Error(`the peer hub did not answer within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end();
  });
}

async function readJson<T>(res: IncomingMessage): Promise<T> {
  let text = '';
  for await (const chunk of res) text += chunk;
  return JSON.parse(text) as T;
}

/** What a 401 from the other hub means. */
const SAME_TOKEN = { 'zh-CN': '两台主机须使用同一个大厅令牌（SERVICEHALL_TOKEN，或数据文件夹中的 admin-token）', en: 'both hubs need the same hall token (SERVICEHALL_TOKEN, or admin-token in the data folder)' };

/** Who the peer is now (in charge, its epoch); rejects when it cannot be reached. */
export async function peerStatus(peer: Peer, timeoutMs = 2_000): Promise<PeerStatus> {
  const res = await request(peer, '/replication/status', 'GET', timeoutMs);
  if (res.statusCode !== 200) {
    res.resume();
    throw new Error(opsText('peerAnswered', { url: peer.url, status: res.statusCode ?? '', why: res.statusCode === 401 ? SAME_TOKEN : { 'zh-CN': '它可能不是 ServiceHall 主机，或版本不同', en: 'it may not be a ServiceHall hub, or not of this version' } }));
  }
  return readJson<PeerStatus>(res);
}

export interface Promoted {
  epoch: number;
  seq: number;
  already: boolean;
  /** Events its old leader last said it held beyond this hub's (0 in step; a hub of a release before says none). */
  behind?: number;
  leaderSeq?: number;
}

/**
 * What `promote` prints, Chinese then English: taken charge (or already in charge), and, when the
 * old leader had said it held events this hub never got (its disk full, the link slow), that the
 * numbers of those may be given again. It said only "this hub is now in charge" in one mixed line.
 */
export function promotedText(done: Promoted): string {
  if (done.already) return opsText('promoteAlready', { epoch: done.epoch, seq: done.seq });
  const said = opsText('promoteDone', { epoch: done.epoch, seq: done.seq });
  return done.behind ? `${said}\n${opsText('promoteBehind', { behind: done.behind, seq: done.seq, leaderSeq: done.leaderSeq ?? done.seq + done.behind })}` : said;
}

/** Asks the hub on this machine to take charge (the operator's `npm run hub -- promote`). */
export async function promoteLocal(hub: Peer): Promise<Promoted> {
  const res = await request(hub, '/replication/promote', 'POST', 5_000);
  const body = await readJson<Promoted & { ok: boolean; message?: string }>(res);
  if (res.statusCode !== 200)
    // A wrong token or another machine's hub: asking again cannot mend it.
    throw new HubRefusal(opsText('promoteRefused', { url: hub.url, status: res.statusCode ?? '', why: res.statusCode === 401 ? SAME_TOKEN : (body.message ?? '') }));
  return body;
}

/**
 * Makes this machine's hall database a copy of the peer's (a standby's first start, or a hub whose
 * log parted from its leader's): the old one, if any, is kept aside as hall.db.parted-<time>. The
 * copy becomes a follower.
 */
export async function copyFromPeer(peer: Peer, dataDir: string, now = Date.now()): Promise<{ seq: number; bytes: number; keptAs?: string }> {
  const res = await request(peer, '/replication/copy', 'GET', 600_000);
  if (res.statusCode !== 200) {
    const body = await readJson<{ message?: string }>(res).catch(() => ({ message: undefined }));
    throw new Error(`the peer hub would not give a copy of its database (${res.statusCode}): ${body.message ?? ''}`);
  }
  makeDataFolder(dataDir);
  const file = path.join(dataDir, DATABASE_FILE);
  const partial = `${file}.copying`;
  const hash = createHash('sha256');
  await new Promise<void>((resolve, reject) => {
    const out = fs.createWriteStream(partial, { mode: 0o600 });
    // A copy cut short (the standby's disk full, the link gone) is not left to fill the disk.
    const failed = (error: Error) => {
      res.destroy();
      out.destroy();
      try {
        fs.rmSync(partial, { force: true });
      } catch {
        // Not a file of this copy's (a folder of that name): left as it is.
      }
      reject(error);
    };
    res.on('data', (chunk: Buffer) => hash.update(chunk));
    res.on('error', failed);
    out.on('error', (error: NodeJS.ErrnoException) => failed(new CopyNotWritten(path.resolve(dataDir), error.code ?? error.message, Number(res.headers['content-length'] ?? 0))));
    out.on('finish', () => resolve());
    res.pipe(out);
  });
  if (hash.digest('hex') !== res.headers['x-sha256']) {
    fs.rmSync(partial, { force: true });
    throw new Error('the copy of the peer hub’s database arrived damaged (its checksum differs): try again');
  }
  const copy = new Database(partial);
  copy.prepare("INSERT INTO hall (key, value) VALUES ('part', 'follower') ON CONFLICT (key) DO UPDATE SET value = excluded.value").run();
  copy.close();
  let keptAs: string | undefined;
  if (fs.existsSync(file)) {
    keptAs = `${file}.parted-${new Date(now).toISOString().replace(/[:.]/g, '-')}`;
    fs.renameSync(file, keptAs);
    for (const suffix of ['-wal', '-shm']) if (fs.existsSync(file + suffix)) fs.renameSync(file + suffix, keptAs + suffix);
  }
  fs.renameSync(partial, file);
  return { seq: Number(res.headers['x-seq'] ?? 0), bytes: fs.statSync(file).size, ...(keptAs ? { keptAs } : {}) };
}

/** The copy came and this PC's disk would not take it (full, read-only): the peer is not what to check. */
class CopyNotWritten extends Error {
  constructor(
    readonly dir: string,
    readonly code: string,
    readonly bytes: number,
  ) {
    super(code);
  }
}

/** How long a standby's first start waits between tries of its copy while the hub in charge does not give it. */
export const STANDBY_COPY_RETRY_MS = 5_000;
/** The same problem is said again in the log after this long (a standby waiting for its primary all night says so now and then, not every 5 s). */
const COPY_PROBLEM_SAID_AGAIN_MS = 10 * 60_000;

/**
 * A standby's first start: its database copied from the hub in charge, tried again every `retryMs`
 * until it is given. Its PC may boot before the primary's (a hall's power back), or be installed
 * first; stopping with the copy not made, it was restarted by its service 10 times in 5 minutes and
 * then left stopped, a hall with no standby until someone noticed. Each problem is said once in the
 * log (naming the peer and what to check), again when it changes, and every 10 minutes while it lasts.
 */
export async function copyFromPeerOnceItAnswers(peer: Peer, dataDir: string, retryMs = STANDBY_COPY_RETRY_MS): Promise<{ seq: number; bytes: number }> {
  let said: { problem: string; at: number } | undefined;
  for (;;) {
    try {
      return await copyFromPeer(peer, dataDir);
    } catch (error) {
      const problem = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
      if (problem !== said?.problem || steadyNow() - said.at >= COPY_PROBLEM_SAID_AGAIN_MS) {
        const seconds = Math.round(retryMs / 100) / 10;
        if (error instanceof CopyNotWritten) log.error({ peer: peer.url, problem, dir: error.dir }, opsText('standbyCopyNotWritten', { peer: peer.url, problem, dir: error.dir, size: formatBytes(error.bytes), seconds }));
        else log.error({ peer: peer.url, problem }, opsText('standbyCopyFailed', { peer: peer.url, problem, seconds }));
        said = { problem, at: steadyNow() };
      }
    }
    await new Promise((resolve) => setTimeout(resolve, retryMs));
  }
}
