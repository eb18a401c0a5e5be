import { RATING_FIELDS, ratingOfRow, type RatingRow } from '@servicehall/hub/rows';
import Database from 'better-sqlite3';
import pg from 'pg';
import { cityBodyText, type CityEvent, type Enrichment, type LogRow } from './mask';
import { CityFacts, ensureHallFacts, writeFacts } from './facts';
import { migrateCity } from './schema';

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
  /** The first wait after a failure, doubling up to maxRetryMs (defaults 500 ms, 30 s). */
  firstRetryMs?: number;
  maxRetryMs?: number;
}

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
  /** Why the last attempt failed (offline), or why shipping stopped (refused). */
  message?: string;
}

/** An event on its way: its body as the city's JSON text, parsed when a hook reads it. */
export interface ShippedEvent extends CityEvent {
  text: string;
}

/** Work done inside the transaction of each batch, before the cursor moves: the city's facts, the rating feed. */
export type BatchHook = (client: pg.ClientBase, hall: string, events: readonly CityEvent[]) => Promise<void>;

/** The city refused this hall's log (a restored log that diverged, an archived gap): an operator must look. */
export class ShippingRefused extends Error {
  override name = 'ShippingRefused';
}

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
  private stopped = false;
  private wakeUp: () => void = () => undefined;
  private woken: Promise<void>;
  private client: pg.Client | undefined;
  private db: Database.Database | undefined;
  private day: string | undefined;
  private ratingsOfTicket: Database.Statement<[string], RatingRow> | undefined;
  private facts: CityFacts | undefined;
  private readonly rates: { at: number; events: number }[] = [];
  readonly status: UpstreamStatus;

  constructor(
    private readonly options: ShipperOptions,
    private readonly report: (status: UpstreamStatus) => void = () => undefined,
    private readonly hooks: BatchHook[] = [],
  ) {
    this.batchEvents = options.batchEvents ?? 5000;
    this.batchBytes = options.batchBytes ?? 4 * 1024 * 1024;
    this.status = { hall: options.hall, state: 'connecting', shippedSeq: 0, hallSeq: 0, behindEvents: 0, behindSeconds: 0, eventsPerSecond: 0 };
    this.woken = new Promise((resolve) => (this.wakeUp = resolve));
  }

  /** New events are in the log: ship them now rather than at the next look. */
  wake(): void {
    this.wakeUp();
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
        this.set({ state: refused ? 'refused' : 'offline', message: (error as Error).message });
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

  private async connect(): Promise<void> {
    this.set({ state: 'connecting' });
    const client = new pg.Client({ connectionString: this.options.url, connectionTimeoutMillis: 10_000, query_timeout: 60_000, keepAlive: true, application_name: `servicehall-hub ${this.options.hall}` });
    // A server that goes away between queries says so here; the next query fails and the loop reconnects.
    client.on('error', () => undefined);
    await client.connect();
    this.client = client;
    // A commit the city's server loses in a crash loses its cursor move with it: the hub then sends
    // that batch again. So the batches need not wait for the city's disk, and exactly once still holds.
    await client.query('SET synchronous_commit TO off');
    await migrateCity(client);
    const catalogue = this.hallValue('catalogue');
    const hall = catalogue ? (JSON.parse(catalogue) as { hall?: { name?: string; timeZone?: string } }).hall : undefined;
    await client.query(
      `INSERT INTO halls (hall, name, time_zone) VALUES ($1, $2, $3)
       ON CONFLICT (hall) DO UPDATE SET name = excluded.name, time_zone = excluded.time_zone`,
      [this.options.hall, hall?.name || this.options.hall, hall?.timeZone || 'Asia/Shanghai'],
    );
    await this.checkLineage(client);
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
   * restored from it no further back than the cursor; otherwise events the city holds are no longer
   * the hall's, and an operator must say what to do.
   */
  private async checkLineage(client: pg.Client): Promise<void> {
    const log = this.hallValue('log') ?? null;
    const parentText = this.hallValue('log_parent');
    const parent = parentText ? (JSON.parse(parentText) as { log: string | null; seq: number }) : undefined;
    const { rows } = await client.query<{ log: string | null; shipped_seq: string }>('SELECT log, shipped_seq FROM halls WHERE hall = $1', [this.options.hall]);
    const city = rows[0]!;
    const shipped = Number(city.shipped_seq);
    const hallSeq = this.lastSeq();
    if (city.log === null || city.log === log) {
      if (shipped > hallSeq)
        throw new ShippingRefused(`the city holds events up to ${shipped} of hall ${this.options.hall}, but its log ends at ${hallSeq}: this is not the database that was shipped`);
    } else if (parent && parent.log === city.log && shipped <= parent.seq) {
      // Restored from a backup taken after what the city holds: the new log goes on from it.
    } else {
      throw new ShippingRefused(
        `hall ${this.options.hall} was restored from a backup older than what the city holds (the city has events up to ${shipped} of another log): the events after the backup are in the city only; clear them there (see the upstream README) before shipping goes on`,
      );
    }
    await client.query('UPDATE halls SET log = $2, problem = NULL WHERE hall = $1', [this.options.hall, log]);
    this.status.shippedSeq = shipped;
    this.day = undefined;
  }

  private lastSeq(): number {
    return (this.log().prepare('SELECT COALESCE(MAX(seq), 0) AS seq FROM events').get() as { seq: number }).seq;
  }

  private async shipUntilStopped(): Promise<void> {
    const db = this.log();
    const read = db.prepare<[number, number], LogRow>('SELECT seq, at, type, command_id, body FROM events WHERE seq > ? ORDER BY seq LIMIT ?');
    const last = db.prepare<[], { seq: number }>('SELECT COALESCE(MAX(seq), 0) AS seq FROM events');
    while (!this.stopped) {
      const cursor = this.status.shippedSeq;
      const rows = this.takeBatch(read.all(cursor, this.batchEvents));
      const hallSeq = last.get()!.seq;
      if (rows.length === 0) {
        this.set({ state: 'caught-up', hallSeq, message: undefined });
        await this.pause(this.options.idleMs ?? 1000);
        continue;
      }
      if (rows[0]!.seq !== cursor + 1)
        throw new ShippingRefused(`hall ${this.options.hall}'s log begins at ${rows[0]!.seq}, but the city holds events up to ${cursor} only: a year was archived before it was shipped`);
      const events = rows.map((r) => this.cityRow(r));
      const started = performance.now();
      await this.commit(events, hallSeq, rows);
      this.rate(events.length, performance.now() - started);
      this.set({ state: 'shipping', hallSeq, lastShippedAt: Date.now(), message: undefined });
    }
  }

  /** The rows from the cursor on, consecutive, no more than the batch's bytes. */
  private takeBatch(rows: LogRow[]): LogRow[] {
    let bytes = 0;
    for (let i = 0; i < rows.length; i++) {
      bytes += rows[i]!.body.length;
      if (i > 0 && (bytes > this.batchBytes || rows[i]!.seq !== rows[i - 1]!.seq + 1)) return rows.slice(0, i);
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

  /** The batch and the cursor in one transaction, taken only if the cursor stands where the batch begins. */
  private async commit(events: readonly ShippedEvent[], hallSeq: number, rows: readonly LogRow[]): Promise<void> {
    const client = this.client!;
    // The facts are worked out before the transaction: it holds the hall's cursor row no longer than the writing.
    let increments;
    try {
      increments = this.facts!.apply(rows);
    } catch (error) {
      this.facts!.reset();
      throw error;
    }
    const first = events[0]!.seq;
    const lastSeq = events[events.length - 1]!.seq;
    await client.query('BEGIN');
    try {
      const { rows } = await client.query<{ shipped_seq: string }>('SELECT shipped_seq FROM halls WHERE hall = $1 FOR UPDATE', [this.options.hall]);
      const shipped = Number(rows[0]!.shipped_seq);
      if (shipped !== first - 1) {
        // Another shipper of this hall (a hub started twice, an answer lost on the way) moved the cursor: go on from it.
        await client.query('ROLLBACK');
        this.status.shippedSeq = shipped;
        this.day = undefined;
        this.facts!.reset();
        return;
      }
      await client.query(
        `INSERT INTO hall_events (hall, seq, at, type, body)
         SELECT $1, u.seq, u.at, u.type, u.body::jsonb FROM unnest($2::bigint[], $3::float8[], $4::text[], $5::text[]) AS u(seq, at, type, body)`,
        [this.options.hall, events.map((e) => e.seq), events.map((e) => e.at), events.map((e) => e.type), events.map((e) => e.text)],
      );
      await writeFacts(client, this.options.hall, increments);
      for (const hook of this.hooks) await hook(client, this.options.hall, events);
      await client.query('UPDATE halls SET shipped_seq = $2, shipped_at = now(), hall_seq = $3, hall_seen_at = now() WHERE hall = $1', [this.options.hall, lastSeq, hallSeq]);
      await client.query('COMMIT');
      this.status.shippedSeq = lastSeq;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      this.facts!.reset();
      throw error;
    }
  }
}
