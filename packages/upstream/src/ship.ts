import type { NamedTerminal } from '@servicehall/core';
import { RATING_FIELDS, ratingOfRow, type RatingRow } from '@servicehall/hub/rows';
import Database from 'better-sqlite3';
import type { FactIncrement } from '@servicehall/reports';
import pg from 'pg';
import { cityBodyText, pgSafeText, type CityEvent, type Enrichment, type LogRow } from './mask';
import { CityFacts, dropHallFacts, ensureHallFacts, writeFacts } from './facts';
import { ALERT_EVENT_TYPES, applyAlertEvents } from './hooks';
import { migrateCity } from './schema';
import { terminalsJson } from './terminals';
import { rollBack } from './transaction';

/** Where a hall's log goes and how. */
export interface ShipperOptions {
  /** The hall's database file (hall.db); opened read-only, beside the hub's own connection. */
  databaseFile: string;
  /** The city's PostgreSQL, e.g. postgres://hall_0101@city-db.example.gov.cn/city. */
  url: string;
  /** The city's code of this hall (its halls table's key), e.g. 330106-01. */
  hall: string;
  /** Events in one transaction at most (default 5000). */
  batchEvents?: number;
  /** Bytes of event bodies in one transaction at most (default 4 MB): a batch of large events is smaller. */
  batchBytes?: number;
  /** How often the log is looked at when no new event was announced (default 1 s). */
  idleMs?: number;
  /**
   * While caught up, how often the hub tells the city it is there (halls.hall_seen_at; default 60 s): the city tells a
   * quiet hall from one it has not heard from, and the hub finds a city gone away without waiting for an event.
   */
  seenEveryMs?: number;
  /** The first wait after a failure, doubling up to maxRetryMs (defaults 500 ms, 30 s). */
  firstRetryMs?: number;
  maxRetryMs?: number;
  /** How long a statement may go unanswered before the connection is given up and made again (default 60 s). */
  queryTimeoutMs?: number;
  /**
   * While the hall is busy (its hub appended events in the last seconds, see hallBusy), the share of
   * the time the shipper works: after each batch it rests for the rest (default 0.1: a backlog after
   * days offline goes up at a tenth of the pace, about 1,500 events a second, while citizens are
   * served, a busy day's events in about a minute, and at full pace when the hall is quiet). 1: never rests.
   */
  busyShare?: number;
  /**
   * The hall's terminals as its hub lists them at the start (see terminals()), for the first connect. Without it
   * (a shipper the hub has not told, a bench, a test) the city keeps the list it has until the shipper is told.
   */
  terminals?: readonly NamedTerminal[];
  /**
   * How far the hub's clock is from this machine's, in ms (default 0: the same clock; a hub run with a clock of its own,
   * a test's): the hub's time is told to the city as it speaks (halls.hall_clock_ahead_ms).
   */
  hubClockAheadMs?: number;
}

/** SQL: the hub's clock given as a parameter less the city database's at the statement (not at its transaction's start), in ms. */
const clockAhead = (parameter: string) => `round(${parameter}::double precision - extract(epoch FROM clock_timestamp()) * 1000)::bigint`;

export type UpstreamState = 'connecting' | 'shipping' | 'caught-up' | 'offline' | 'refused' | 'stopped';

/** How far the city is behind the hall, as the hub shows it. */
export interface UpstreamStatus {
  hall: string;
  state: UpstreamState;
  /** The last sequence number the city holds. */
  shippedSeq: number;
  /** The hall's last sequence number. */
  hallSeq: number;
  behindEvents: number;
  /** How old the oldest event not yet at the city is (0 when none is waiting). */
  behindSeconds: number;
  /** The hall's time of the oldest event not yet at the city, when one is waiting. */
  waitingSince?: number;
  /** When a batch last reached the city (epoch ms). */
  lastShippedAt?: number;
  /** Events per second over the last batches. */
  eventsPerSecond: number;
  /** Time the shipper has rested so far for the hall's own commands (see ShipperOptions.busyShare). */
  restedMs?: number;
  /** Why the last attempt failed (offline), or why shipping stopped (refused). */
  message?: string;
  /**
   * Offline with the city's database answering: it did not take what was sent (its disk full, a statement cancelled, an
   * error of its own), rather than could not be reached (down, a wrong address, account or password).
   */
  cityAnswered?: boolean;
  /** Refused: why (ShippingRefused.reason), so that the hall's console says what it is and who is to look. */
  refusal?: RefusalReason;
  /** The hub's clock less the city database's, as measured when the hub last spoke to the city (ms). */
  clockAheadMs?: number;
}

/** A batch ready to go: the hall's rows, as the city gets them, and their facts. */
interface Batch {
  rows: LogRow[];
  events: ShippedEvent[];
  increments: FactIncrement[];
  /** The hall's last sequence when the batch was read. */
  hallSeq: number;
}

/** An event on its way: its body as the city's JSON text, parsed when a hook reads it. */
export interface ShippedEvent extends CityEvent {
  text: string;
}

/** Work done inside the transaction of each batch, before the cursor moves: the city's facts, the rating feed. */
export type BatchHook = (client: pg.ClientBase, hall: string, events: readonly CityEvent[]) => Promise<void>;

/** A parted tail the city set aside: the events after `branch` up to `shipped` of `log`. */
export interface PartedTail {
  hall: string;
  log: string | null;
  branch: number;
  shipped: number;
  setAside: number | null;
  /** Ratings of the tail already sent to the province (they stay sent). */
  ratingsAlreadySent?: number;
}

/**
 * Why the city refused this hall's log: it follows another log under this hall's code (another hall's hub set up with
 * this code, or a database not the hall's), another hub ships this log from a copy of its data folder, or the city's
 * copy and this log do not meet (a year archived before it was shipped, a database older than what the city holds).
 */
export type RefusalReason = 'another-log' | 'another-hub' | 'not-shipped-log';

/** The city refused this hall's log (a restored log that diverged, an archived gap): an operator must look. */
export class ShippingRefused extends Error {
  override name = 'ShippingRefused';
  constructor(
    readonly reason: RefusalReason,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Whether the city's database itself answered with this error (a SQLSTATE), other than those that mean it cannot be
 * reached or taken at all: a connection lost (08), a wrong account or password (28), no such database (3D000), its
 * server shutting down or starting (57P), no connection free (53300).
 */
function cityAnswered(error: unknown): boolean {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) && !/^(08|28|3D000|57P|53300)/.test(code);
}

/** Batches that go through, after one that did not, before the batches are made twice as large again. */
const GOOD_BATCHES = 8;

const sleep = (ms: number, wake?: Promise<void>) => new Promise<void>((resolve) => {
  const timer = setTimeout(resolve, ms);
  void wake?.then(() => {
    clearTimeout(timer);
    resolve();
  });
});

/**
 * Ships one hall's event log to the city's PostgreSQL, exactly once and in order: a batch of events
 * and the hall's cursor move in one transaction, and a batch is taken only if the cursor still
 * stands where the batch begins. The hall's log itself is the queue (nothing waits in memory but
 * the batch on its way), so hours or days offline cost nothing but the catching up. Runs in a
 * worker thread of the hub (see worker.ts) so that the hall's commands never wait for it.
 */
export class Shipper {
  private readonly batchEvents: number;
  private readonly batchBytes: number;
  /**
   * What the batches are divided by now: doubled each time a batch does not go through (a statement time-out of the
   * city's, a link too slow for a whole batch within the query time-out), halved again after GOOD_BATCHES that did (a
   * link that dropped once costs a few small batches, not a backlog shipped one event at a time), 1 once caught up.
   */
  private batchDivisor = 1;
  /** Batches that went through since the batches were last made smaller. */
  private goodBatches = 0;
  /** When the city last heard from this hub (a batch, or a word while caught up), epoch ms. */
  private saidSeenAt = 0;
  private stopped = false;
  private wakeUp: () => void = () => undefined;
  private woken: Promise<void>;
  private client: pg.Client | undefined;
  private db: Database.Database | undefined;
  private day: string | undefined;
  private ratingsOfTicket: Database.Statement<[string], RatingRow> | undefined;
  private facts: CityFacts | undefined;
  private readonly rates: { at: number; events: number }[] = [];
  /** Until when the hall is busy (epoch ms): the shipper rests between batches until then. */
  private busyUntil = 0;
  /** The log this shipper ships, as the lineage check at connect found the city agreeing. */
  private logId: string | null | undefined;
  /** The hall's terminals as the city last took them (JSON for halls.terminals). */
  private terminalsSent: string | undefined;
  /** The hall's terminals as the hub last said them (terminals()); undefined until it says: the city keeps what it has. */
  private terminalsTold: string | undefined;
  readonly status: UpstreamStatus;

  constructor(
    private readonly options: ShipperOptions,
    private readonly report: (status: UpstreamStatus) => void = () => undefined,
    private readonly hooks: BatchHook[] = [],
    /** Told when the city set a parted tail of this hall aside (the worker logs it). */
    private readonly onParted: (what: PartedTail) => void = () => undefined,
  ) {
    this.batchEvents = options.batchEvents ?? 5000;
    this.batchBytes = options.batchBytes ?? 4 * 1024 * 1024;
    this.terminalsTold = options.terminals && terminalsJson(options.terminals);
    this.status = { hall: options.hall, state: 'connecting', shippedSeq: 0, hallSeq: 0, behindEvents: 0, behindSeconds: 0, eventsPerSecond: 0 };
    this.woken = new Promise((resolve) => (this.wakeUp = resolve));
  }

  /** New events are in the log: ship them now rather than at the next look. */
  wake(): void {
    this.wakeUp();
  }

  /** The hall is serving (its hub appends events): until `until`, batches leave it most of the time (busyShare). */
  hallBusy(until: number): void {
    this.busyUntil = Math.max(this.busyUntil, until);
  }

  /** Runs until stop(): connects, ships, and after a failure waits and tries again. */
  async run(): Promise<void> {
    let retry = this.options.firstRetryMs ?? 500;
    while (!this.stopped) {
      try {
        await this.connect();
        retry = this.options.firstRetryMs ?? 500;
        await this.shipUntilStopped();
      } catch (error) {
        if (this.stopped) break;
        const refused = error instanceof ShippingRefused;
        this.set({ state: refused ? 'refused' : 'offline', message: (error as Error).message, cityAnswered: !refused && cityAnswered(error), refusal: refused ? error.reason : undefined });
        await this.disconnect();
        await this.pause(refused ? Math.max(60_000, this.options.maxRetryMs ?? 30_000) : retry);
        retry = Math.min(retry * 2, this.options.maxRetryMs ?? 30_000);
      }
    }
    await this.disconnect();
    this.db?.close();
    this.db = undefined;
    this.ratingsOfTicket = undefined;
    this.status.state = 'stopped';
    this.report({ ...this.status });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wakeUp();
  }

  private set(change: Partial<UpstreamStatus>): void {
    Object.assign(this.status, change);
    try {
      const db = this.log();
      this.status.hallSeq = Math.max(this.status.hallSeq, this.lastSeq());
      this.status.waitingSince = db.prepare<[number], { at: number }>('SELECT at FROM events WHERE seq > ? ORDER BY seq LIMIT 1').get(this.status.shippedSeq)?.at;
    } catch {
      // The status goes out all the same: the log's file may be gone with a stopping hub.
    }
    this.status.behindEvents = Math.max(0, this.status.hallSeq - this.status.shippedSeq);
    this.status.behindSeconds = this.status.waitingSince === undefined ? 0 : Math.max(0, Math.round((Date.now() - this.status.waitingSince) / 1000));
    this.report({ ...this.status });
  }

  private async pause(ms: number): Promise<void> {
    await sleep(ms, this.woken);
    this.woken = new Promise((resolve) => (this.wakeUp = resolve));
  }

  private async disconnect(): Promise<void> {
    const c = this.client;
    this.client = undefined;
    await c?.end().catch(() => undefined);
  }

  private log(): Database.Database {
    if (!this.db) {
      this.db = new Database(this.options.databaseFile, { readonly: true, fileMustExist: true });
      this.db.pragma('busy_timeout = 5000');
    }
    return this.db;
  }

  private hallValue(key: string): string | undefined {
    return this.log().prepare<[string], { value: string }>('SELECT value FROM hall WHERE key = ?').get(key)?.value;
  }

  /**
   * The hall's terminals as its hub names them (its console's board: core's hallTerminals of the hub's terminalPresence),
   * said by the hub whenever the list changes and once before the first connect. The city gets them at connect and
   * with the next batch; a shipper the hub has not told yet (or one without a hub: a bench, a test) leaves the city's
   * list as it is, never blank.
   */
  terminals(terminals: readonly NamedTerminal[]): void {
    this.terminalsTold = terminalsJson(terminals);
    this.wakeUp();
  }

  /**
   * What the city keeps of the hall's catalogue (halls.name, time_zone, items): the hall's name and zone, and each
   * service item's code with its names (items as JSON), so that the city's reports say 居民身份证换领, not GA-SFZ-HL.
   */
  private hallCatalogue(): { name: string; timeZone: string; items: string } {
    const text = this.hallValue('catalogue');
    const c = text ? (JSON.parse(text) as { hall?: { name?: string; timeZone?: string }; items?: { code: string; name: string; nameEn?: string }[] }) : undefined;
    // Written by the hall's administrator: a NUL in a name (which PostgreSQL refuses) goes as U+FFFD, not as a hall that never ships again.
    const items = (c?.items ?? []).map((i) => ({ code: pgSafeText(i.code), name: pgSafeText(i.name), ...(i.nameEn ? { nameEn: pgSafeText(i.nameEn) } : {}) }));
    return { name: pgSafeText(c?.hall?.name || this.options.hall), timeZone: pgSafeText(c?.hall?.timeZone || 'Asia/Shanghai'), items: JSON.stringify(items) };
  }

  /** How far the hub's clock is from the city database's, as the city just measured it (a bigint: text from pg). */
  private clockMeasured(ahead: string | undefined): void {
    if (ahead !== undefined && ahead !== null) this.status.clockAheadMs = Number(ahead);
  }

  /** The hub's clock now, as the city is told it. */
  private hubNow(): number {
    return Date.now() + (this.options.hubClockAheadMs ?? 0);
  }

  private async connect(): Promise<void> {
    this.set({ state: 'connecting' });
    this.saidSeenAt = 0;
    const client = new pg.Client({ connectionString: this.options.url, connectionTimeoutMillis: 10_000, query_timeout: this.options.queryTimeoutMs ?? 60_000, keepAlive: true, application_name: `servicehall-hub ${this.options.hall}` });
    // A server that goes away between queries says so here; the next query fails and the loop reconnects.
    client.on('error', () => undefined);
    await client.connect();
    this.client = client;
    // A commit the city's server loses in a crash loses its cursor move with it: the hub then sends
    // that batch again. So the batches need not wait for the city's disk, and exactly once still holds.
    await client.query('SET synchronous_commit TO off');
    // A transaction of this hub's cut off on the way (a partition: the city's server never hears that the hub gave up)
    // ends on the server once idle for the query time-out, not at TCP keepalive's two hours: until then it holds the
    // hall's row, and every later connect of this hub waits on it. The shipper is never idle in a transaction longer.
    await client.query(`SET idle_in_transaction_session_timeout = ${Math.max(1, Math.round(this.options.queryTimeoutMs ?? 60_000))}`);
    await migrateCity(client);
    const catalogue = this.hallCatalogue();
    // Not told by the hub yet: a hall new to the city begins with none, one it knows keeps its list.
    const terminals = this.terminalsTold;
    // A hall the city knows is named anew only once the lineage check found this hub's log the hall's: another hall's
    // hub, set up with this hall's code by mistake, is refused there and renames nothing.
    await client.query(
      `INSERT INTO halls (hall, name, time_zone, terminals, items) VALUES ($1, $2, $3, COALESCE($4::jsonb, '[]'), $5) ON CONFLICT (hall) DO NOTHING`,
      [this.options.hall, catalogue.name, catalogue.timeZone, terminals ?? null, catalogue.items],
    );
    await this.checkLineage(client, catalogue, terminals);
    this.terminalsSent = terminals;
    this.facts = new CityFacts(this.log());
    // A hall shipped before the city kept its facts gets them from what the city holds, once.
    await ensureHallFacts(client, this.options.hall, async () => {
      const read = this.log().prepare<[number, number, number], LogRow>('SELECT seq, at, type, command_id, body FROM events WHERE seq > ? AND seq <= ? ORDER BY seq LIMIT ?');
      for (let from = 0; from < this.status.shippedSeq; ) {
        const rows = read.all(from, this.status.shippedSeq, 5000);
        if (rows.length === 0) break;
        await writeFacts(client, this.options.hall, this.facts!.apply(rows));
        from = rows[rows.length - 1]!.seq;
      }
    });
  }

  /**
   * The city's cursor counts in this hall's log only if the log is the one shipped so far, or one
   * that branched from it (a standby promoted at a failover, a database restored from a backup).
   * When the hall's log left the city's before the cursor, the events after the branch are the
   * parted tail: the old primary's last events that its standby never received, or those after the
   * backup. They are no longer the hall's; the city sets them aside (hall_events_parted), moves the
   * cursor back to the branch, and makes the hall's facts and alerts again from the hall's own log.
   * A log that is neither is not this hall's, and an operator must say what to do.
   */
  private async checkLineage(client: pg.Client, catalogue: { name: string; timeZone: string; items: string }, terminals: string | undefined): Promise<void> {
    const log = this.hallValue('log') ?? null;
    const parentText = this.hallValue('log_parent');
    const parent = parentText ? (JSON.parse(parentText) as { log: string | null; seq: number }) : undefined;
    await client.query('BEGIN');
    try {
      const { rows } = await client.query<{ log: string | null; shipped_seq: string }>('SELECT log, shipped_seq FROM halls WHERE hall = $1 FOR UPDATE', [this.options.hall]);
      const city = rows[0]!;
      let shipped = Number(city.shipped_seq);
      const hallSeq = this.lastSeq();
      if (city.log === null || city.log === log) {
        if (shipped > hallSeq)
          throw new ShippingRefused('not-shipped-log', `the city holds events up to ${shipped} of hall ${this.options.hall}, but its log ends at ${hallSeq}: this is not the database that was shipped`);
        if (!(await this.holdsOurEvent(client, shipped))) throw this.anotherHub(shipped);
      } else if (parent && parent.log === city.log) {
        // A standby promoted, or a restore: the new log goes on from the branch.
        if (shipped > parent.seq) {
          await this.setAsideTail(client, city.log, parent.seq, shipped);
          shipped = parent.seq;
        }
      } else {
        throw new ShippingRefused(
          'another-log',
          `the city holds events up to ${shipped} of another log of hall ${this.options.hall} than this database's (nor did this one branch from it): the city is following another hub of this hall, or this is not the hall's database`,
        );
      }
      await client.query(
        'UPDATE halls SET log = $2, shipped_seq = $3, problem = NULL, name = $4, time_zone = $5, items = $6::jsonb, terminals = COALESCE($7::jsonb, terminals) WHERE hall = $1',
        [this.options.hall, log, shipped, catalogue.name, catalogue.timeZone, catalogue.items, terminals ?? null],
      );
      await client.query('COMMIT');
      this.logId = log;
      this.status.shippedSeq = shipped;
      this.day = undefined;
    } catch (error) {
      await rollBack(client, error);
      throw error;
    }
  }

  /**
   * Sets aside the parted tail (the events after `branch` up to `shipped` of the city's `log`) in the
   * lineage check's transaction: the events move to hall_events_parted; the alerts they touched stand
   * again as the hall's log has them up to the branch (alertsAsAtBranch); ratings they
   * queued and not yet sent go (one sent stays sent, and is said in the log); the hall's facts are
   * dropped, to be made again from the hall's log (ensureHallFacts, after this).
   */
  private async setAsideTail(client: pg.ClientBase, log: string | null, branch: number, shipped: number): Promise<void> {
    const hall = this.options.hall;
    const moved = await client.query(
      `WITH tail AS (DELETE FROM hall_events WHERE hall = $1 AND seq > $3 RETURNING *)
       INSERT INTO hall_events_parted (hall, log, parted_after, seq, at, type, body, received_at)
       SELECT hall, $2, $3, seq, at, type, body, received_at FROM tail`,
      [hall, log, branch],
    );
    await this.alertsAsAtBranch(client, branch);
    await client.query("DELETE FROM rating_feed WHERE hall = $1 AND seq > $2 AND state = 'pending'", [hall, branch]);
    const sent = await client.query<{ n: string }>('SELECT count(*) AS n FROM rating_feed WHERE hall = $1 AND seq > $2', [hall, branch]);
    await dropHallFacts(client, hall);
    this.facts?.reset();
    const warning = {
      hall,
      log,
      branch,
      shipped,
      setAside: moved.rowCount,
      ...(Number(sent.rows[0]!.n) > 0 ? { ratingsAlreadySent: Number(sent.rows[0]!.n) } : {}),
    };
    this.onParted(warning);
  }

  /**
   * The alerts the parted tail touched (raised, acknowledged or cleared in it, or an open device fault of a terminal
   * that reported in it) made again as followAlerts made them from the city's copy of the hall's log up to the branch:
   * raised, acknowledged, cleared and in their words then. One raised only in the tail goes.
   */
  private async alertsAsAtBranch(client: pg.ClientBase, branch: number): Promise<void> {
    const hall = this.options.hall;
    const tail = await client.query<{ type: string; id: string | null; terminal: string | null }>(
      "SELECT DISTINCT type, body->>'id' AS id, body->>'terminal' AS terminal FROM hall_events_parted WHERE hall = $1 AND parted_after = $2 AND type = ANY($3::text[])",
      [hall, branch, ALERT_EVENT_TYPES],
    );
    const terminals = tail.rows.filter((r) => r.type === 'devices.reported' && r.terminal !== null).map((r) => r.terminal);
    const touched = await client.query<{ id: string; seq: string; at: number }>(
      "SELECT id, seq, at FROM hall_alerts WHERE hall = $1 AND (seq > $2 OR id = ANY($3::text[]) OR (kind = 'device-fault' AND NOT cleared AND subject->>'terminal' = ANY($4::text[])))",
      [hall, branch, tail.rows.filter((r) => r.type !== 'devices.reported' && r.id !== null).map((r) => r.id), terminals],
    );
    if (touched.rows.length === 0) return;
    // Each alert's latest raising up to the branch is where its making begins: its row's, unless the tail raised it again.
    // An id is its condition and the hall's time of its raising (core's alertChanges), and the hall's log is in time
    // order: raised before the branch too, it was so among the last events up to the branch stamped at that time or later.
    let from = branch + 1;
    for (const a of touched.rows) {
      if (Number(a.seq) <= branch) from = Math.min(from, Number(a.seq));
      else {
        const before = await client.query<{ seq: string }>('SELECT seq FROM hall_events WHERE hall = $1 AND seq <= $2 AND at < $3 ORDER BY seq DESC LIMIT 1', [hall, branch, a.at]);
        from = Math.min(from, before.rows.length > 0 ? Number(before.rows[0]!.seq) + 1 : 1);
      }
    }
    const ids = touched.rows.map((a) => a.id);
    await client.query('DELETE FROM hall_alerts WHERE hall = $1 AND id = ANY($2::text[])', [hall, ids]);
    const events = await client.query<{ seq: string; at: number; type: string; body: Record<string, unknown> }>(
      'SELECT seq, at, type, body FROM hall_events WHERE hall = $1 AND seq >= $2 AND seq <= $3 AND type = ANY($4::text[]) ORDER BY seq',
      [hall, from, branch, ALERT_EVENT_TYPES],
    );
    await applyAlertEvents(client, hall, events.rows.map((e) => ({ ...e, seq: Number(e.seq) })), ids);
  }

  /**
   * Whether the city's event `seq` of this hall is this log's (its time and type; the body goes masked): two hubs
   * shipping one log id, from copies of one data folder, part there. True when there is nothing to compare (none
   * shipped; not in this log any more, archived).
   */
  private async holdsOurEvent(client: pg.ClientBase, seq: number): Promise<boolean> {
    if (seq <= 0) return true;
    const ours = this.log().prepare<[number], { at: number; type: string }>('SELECT at, type FROM events WHERE seq = ?').get(seq);
    if (!ours) return true;
    const { rows } = await client.query<{ at: number; type: string }>('SELECT at, type FROM hall_events WHERE hall = $1 AND seq = $2', [this.options.hall, seq]);
    return rows.length === 0 || (rows[0]!.at === ours.at && rows[0]!.type === ours.type);
  }

  private anotherHub(seq: number): ShippingRefused {
    return new ShippingRefused(
      'another-hub',
      `the city's event ${seq} of hall ${this.options.hall} is not this database's, under the same log: another hub ships this hall's log from a copy of its data folder. Stop the hub that should not run; the city keeps what it holds`,
    );
  }

  private lastSeq(): number {
    return (this.log().prepare('SELECT COALESCE(MAX(seq), 0) AS seq FROM events').get() as { seq: number }).seq;
  }

  private async shipUntilStopped(): Promise<void> {
    const db = this.log();
    const read = db.prepare<[number, number], LogRow>('SELECT seq, at, type, command_id, body FROM events WHERE seq > ? ORDER BY seq LIMIT ?');
    const last = db.prepare<[], { seq: number }>('SELECT COALESCE(MAX(seq), 0) AS seq FROM events');
    // The next batch, made ready while the city writes this one (see commit).
    let ahead: Batch | undefined;
    const prepare = (cursor: number): Batch => {
      const rows = this.takeBatch(read.all(cursor, Math.max(1, Math.floor(this.batchEvents / this.batchDivisor))));
      const hallSeq = last.get()!.seq;
      if (rows.length === 0) return { rows, events: [], increments: [], hallSeq };
      if (rows[0]!.seq !== cursor + 1)
        throw new ShippingRefused('not-shipped-log', `hall ${this.options.hall}'s log begins at ${rows[0]!.seq}, but the city holds events up to ${cursor} only: a year was archived before it was shipped`);
      const events = rows.map((r) => this.cityRow(r));
      let increments: FactIncrement[];
      try {
        increments = this.facts!.apply(rows);
      } catch (error) {
        this.facts!.reset();
        throw error;
      }
      return { rows, events, increments, hallSeq };
    };
    while (!this.stopped) {
      const cursor = this.status.shippedSeq;
      // One made ahead counts only if the cursor is where it begins (another shipper may have moved it).
      const batch = ahead && ahead.rows[0]?.seq === cursor + 1 ? ahead : prepare(cursor);
      ahead = undefined;
      if (batch.rows.length === 0) {
        await this.sendTerminals();
        // The backlog is shipped: new events come a few at a time, and the batches may be whole again.
        this.batchDivisor = 1;
        if (Date.now() - this.saidSeenAt >= (this.options.seenEveryMs ?? 60_000)) {
          const said = await this.client!.query<{ ahead: string }>(
            `UPDATE halls SET hall_seen_at = now(), hall_seq = $2, hall_clock_ahead_ms = ${clockAhead('$3')} WHERE hall = $1 RETURNING hall_clock_ahead_ms AS ahead`,
            [this.options.hall, batch.hallSeq, this.hubNow()],
          );
          this.clockMeasured(said.rows[0]?.ahead);
          this.saidSeenAt = Date.now();
        }
        this.set({ state: 'caught-up', hallSeq: batch.hallSeq, message: undefined });
        await this.pause(this.options.idleMs ?? 1000);
        continue;
      }
      // On its way: not caught up (the hub's console said 已同步 while a batch waited on a link that swallowed it).
      // Only from caught-up: just connected, it says connecting until a batch goes through (the hub's log says the city
      // is reached again at the first 'shipping' after 'offline', and must not at each try that fails again).
      if (this.status.state === 'caught-up') this.set({ state: 'shipping', hallSeq: batch.hallSeq });
      const started = performance.now();
      const next = batch.rows[batch.rows.length - 1]!.seq;
      try {
        await this.commit(batch, () => {
          // Only when more was waiting; otherwise the next look is soon enough. What goes wrong in
          // reading ahead is met again, and said, when that batch's turn comes.
          if (batch.hallSeq <= next) return;
          try {
            ahead = prepare(next);
          } catch {
            ahead = undefined;
          }
        });
      } catch (error) {
        // A batch that did not go through goes again as half of it: one the city cancels for taking longer than its
        // statement_timeout, or that a slow link cannot carry within query_timeout, would else fail the same way for ever.
        this.batchDivisor = Math.min(this.batchDivisor * 2, this.batchEvents);
        this.goodBatches = 0;
        throw error;
      }
      if (this.batchDivisor > 1 && ++this.goodBatches >= GOOD_BATCHES) {
        this.batchDivisor /= 2;
        this.goodBatches = 0;
      }
      const took = performance.now() - started;
      this.rate(batch.events.length, took);
      this.set({ state: 'shipping', hallSeq: batch.hallSeq, lastShippedAt: Date.now(), message: undefined });
      const share = this.options.busyShare ?? 0.1;
      if (share < 1 && Date.now() < this.busyUntil && !this.stopped) {
        // The hall's commands come first: the shipper takes no more than its share of the time.
        const rest = Math.min(5_000, took * (1 / Math.max(share, 0.01) - 1));
        await sleep(rest);
        this.status.restedMs = (this.status.restedMs ?? 0) + rest;
      }
    }
  }

  /** The hall's terminals changed while nothing waits to be shipped (a terminal enrolled in a quiet hall): the city follows now, not with the next event. */
  private async sendTerminals(): Promise<void> {
    const terminals = this.terminalsTold;
    if (terminals === undefined || terminals === this.terminalsSent) return;
    // Only while the city follows this shipper's log: another hub of the hall that ships now says its own.
    await this.client!.query('UPDATE halls SET terminals = $2::jsonb WHERE hall = $1 AND log IS NOT DISTINCT FROM $3', [this.options.hall, terminals, this.logId ?? null]);
    this.terminalsSent = terminals;
  }

  /** The rows from the cursor on, consecutive, no more than the batch's bytes. */
  private takeBatch(rows: LogRow[]): LogRow[] {
    let bytes = 0;
    for (let i = 0; i < rows.length; i++) {
      bytes += rows[i]!.body.length;
      if (i > 0 && (bytes > this.batchBytes / this.batchDivisor || rows[i]!.seq !== rows[i - 1]!.seq + 1)) return rows.slice(0, i);
    }
    return rows;
  }

  private rate(events: number, ms: number): void {
    this.rates.push({ at: Date.now(), events });
    while (this.rates.length > 20) this.rates.shift();
    const span = (Date.now() - this.rates[0]!.at) / 1000 + ms / 1000;
    this.status.eventsPerSecond = Math.round(this.rates.reduce((n, r) => n + r.events, 0) / Math.max(span, 0.001));
  }

  /** A row as the city gets it: its body masked (as text, parsed only by hooks that need it). */
  private cityRow(r: LogRow): ShippedEvent {
    const text = cityBodyText(r, this.enrich(r));
    let body: Record<string, unknown> | undefined;
    return {
      seq: r.seq,
      at: r.at,
      type: r.type,
      text,
      get body() {
        return (body ??= JSON.parse(text) as Record<string, unknown>);
      },
    };
  }

  /** What a slim event leaves to the hall's tables: a ticket's id and day, a rating's record. */
  private enrich(row: LogRow): Enrichment {
    if (row.type === 'day.opened') this.day = (JSON.parse(row.body) as { day: string }).day;
    if (row.type === 'ticket.issued') {
      const ticket = (JSON.parse(row.body) as { ticket: { id?: string; number: string } }).ticket;
      if (ticket.id) return {};
      const day = this.dayAt(row.seq);
      return day ? { ticket: { id: `${day}-${ticket.number}`, day } } : {};
    }
    if (row.type === 'rating.recorded') {
      const given = (JSON.parse(row.body) as { rating: { ticketId: string; id?: string } }).rating;
      if (given.id) return {};
      this.ratingsOfTicket ??= this.log().prepare<[string], RatingRow>(`SELECT ${RATING_FIELDS} FROM ratings WHERE ticket_id = ? ORDER BY rowid`);
      const ratings = this.ratingsOfTicket.all(given.ticketId).map(ratingOfRow);
      const r = ratings.find((x) => x.at === row.at) ?? ratings.at(-1);
      if (!r) return {};
      const { aspects: _a, reasons: _r, text: _t, amendedAt: _m, ...record } = r;
      return { rating: record };
    }
    return {};
  }

  /** The hall day in force at `seq`: the last day.opened before it (looked up once after a connect). */
  private dayAt(seq: number): string | undefined {
    if (this.day === undefined) {
      const row = this.log().prepare<[number], { body: string }>("SELECT body FROM events WHERE seq < ? AND type = 'day.opened' ORDER BY seq DESC LIMIT 1").get(seq);
      this.day = row ? (JSON.parse(row.body) as { day: string }).day : (this.hallValue('day') ?? '');
    }
    return this.day || undefined;
  }

  /**
   * The batch and the cursor in one transaction, taken only if the cursor stands where the batch
   * begins. `meanwhile` runs while the city inserts the batch's events (the next batch is read,
   * masked and folded then, on this core, while the city's server works on its own).
   */
  private async commit(batch: Batch, meanwhile: () => void): Promise<void> {
    const client = this.client!;
    const { events, hallSeq, increments } = batch;
    const first = events[0]!.seq;
    const lastSeq = events[events.length - 1]!.seq;
    await client.query('BEGIN');
    try {
      const { rows } = await client.query<{ shipped_seq: string; log: string | null }>('SELECT shipped_seq, log FROM halls WHERE hall = $1 FOR UPDATE', [this.options.hall]);
      const shipped = Number(rows[0]!.shipped_seq);
      // Another hub of this hall (a standby promoted while this one still ran) ships another log now:
      // this one's events may no longer be the hall's. The lineage check, at the reconnect, says which.
      if (rows[0]!.log !== this.logId)
        throw new Error(`the city now follows another log of hall ${this.options.hall}: checking again which is the hall's`);
      if (shipped !== first - 1) {
        // Another shipper of this hall (a hub started twice, an answer lost on the way) moved the cursor: go on from it,
        // if what it shipped is this log; a hub on a copy of this hall's data folder ships its own events under the same log.
        if (!(await this.holdsOurEvent(client, shipped))) throw this.anotherHub(shipped);
        await client.query('ROLLBACK');
        this.status.shippedSeq = shipped;
        this.day = undefined;
        this.facts!.reset();
        return;
      }
      // The bodies go as one JSON array (they are JSON text already): no escaping of each as an array element.
      const inserting = client.query(
        `INSERT INTO hall_events (hall, seq, at, type, body)
         SELECT $1, u.seq, u.at, u.type, b.body
         FROM unnest($2::bigint[], $3::float8[], $4::text[]) WITH ORDINALITY AS u(seq, at, type, n)
         JOIN jsonb_array_elements($5::jsonb) WITH ORDINALITY AS b(body, n) USING (n)`,
        [this.options.hall, events.map((e) => e.seq), events.map((e) => e.at), events.map((e) => e.type), `[${events.map((e) => e.text).join(',')}]`],
      );
      // The insert is on its way (its rejection is taken at the await just below: nothing yields before it).
      try {
        meanwhile();
      } finally {
        await inserting;
      }
      await writeFacts(client, this.options.hall, increments);
      for (const hook of this.hooks) await hook(client, this.options.hall, events);
      // A terminal enrolled, moved to another window or revoked since: the city names it as the hall does from now on.
      const terminals = this.terminalsTold;
      // The catalogue replaced (an item added, renamed or dropped): the city names the items as the hall does from now on.
      const catalogue = events.some((e) => e.type === 'catalogue.replaced') ? this.hallCatalogue() : undefined;
      const moved = await client.query<{ ahead: string }>(
        `UPDATE halls SET shipped_seq = $2, shipped_at = now(), hall_seq = $3, hall_seen_at = now(), terminals = COALESCE($4::jsonb, terminals),
           name = COALESCE($5, name), time_zone = COALESCE($6, time_zone), items = COALESCE($7::jsonb, items), hall_clock_ahead_ms = ${clockAhead('$8')} WHERE hall = $1
         RETURNING hall_clock_ahead_ms AS ahead`,
        [this.options.hall, lastSeq, hallSeq, terminals === this.terminalsSent ? null : (terminals ?? null), catalogue?.name ?? null, catalogue?.timeZone ?? null, catalogue?.items ?? null, this.hubNow()],
      );
      await client.query('COMMIT');
      this.clockMeasured(moved.rows[0]?.ahead);
      this.terminalsSent = terminals;
      this.status.shippedSeq = lastSeq;
      this.saidSeenAt = Date.now();
    } catch (error) {
      await rollBack(client, error);
      this.facts!.reset();
      throw error;
    }
  }
}
