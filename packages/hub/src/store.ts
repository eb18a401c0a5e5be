import {
  applyEvent,
  counterKey,
  dayChange,
  decide,
  emptyView,
  hallDay,
  isConfigured,
  parseTicketNumber,
  reindex,
  toSnapshot,
  unconfiguredCatalogue,
  type Actor,
  type Catalogue,
  type Case,
  type Command,
  type FollowUp,
  type Rating,
  type TerminalDevices,
  type CommandBody,
  type Refusal,
  type EventBody,
  type HallEvent,
  type HallSnapshot,
  type HallView,
  type HolderHistory,
  type Ticket,
  type ScheduledChange,
  type StaffRef,
} from '@servicehall/core';
import type { Answer } from '@servicehall/protocol';
import { createHmac, randomUUID } from 'node:crypto';
import type { Db } from './db';
import { HubRefusal } from './files';
import { LinkSigner } from './links';
import { PublicRefs } from './refs';
import { log } from './log';
import { ClerkPins, type PinCheck } from './pins';
import { Sealer } from './sealed';
import { AuditLog, auditSubject } from './staff/audit';

export interface Executed {
  answer: Answer;
  /** Events this command appended; empty for a refusal or a repeated id. */
  events: HallEvent[];
  /** The id had been seen: this is the first answer again and nothing changed. */
  repeated: boolean;
}

export type EventListener = (events: HallEvent[]) => void;
/** Hears each batch once it is durable (or failed whole: no results), and how long its transaction took. */
export type ExecutedListener = (batch: readonly { command: Command; actor: Actor }[], results: Executed[] | undefined, seconds: number) => void;

/** One command to run, with who sent it and the namespace its id lives in. */
export interface CommandEntry {
  command: Command;
  actor: Actor;
  /** Whose ids these are (see commandScope); by default the actor's. */
  scope?: string;
  /** For a sign-in: the PIN already checked, off the event loop (see executeAsync). */
  pin?: PinCheck;
  /** The verified phone behind a phone's command, read inside the transaction (core's DecideContext.holder). */
  holder?: () => HolderHistory;
  /** Runs inside the command's transaction once it is accepted (a phone link, a notice): they commit or roll back together. */
  within?: (answer: Extract<Answer, { ok: true }>) => void;
}

/**
 * The namespace of a sender's command ids: a terminal's id for a terminal, so that one terminal can
 * never be answered with another's result; the hub's own, the QR page's and each HTTP token's
 * begin with ":", which no terminal id may hold.
 */
export function commandScope(actor: Actor): string {
  if (actor.role !== 'admin') return actor.terminal;
  return actor.staff ? `:staff/${actor.staff.id}` : `:admin/${actor.terminal}`;
}

/** The keys the store needs, derived from the hall key (see HallKey). */
export interface StoreKeys {
  derive(purpose: string): Buffer;
}

/** How often a hub that found its disk full tries to write again. */
export const DISK_FULL_RETRY_MS = 5_000;

/** SQLite's "database or disk is full" (also what a size ceiling gives). */
export function isDiskFull(error: unknown): boolean {
  return (error as { code?: unknown })?.code === 'SQLITE_FULL';
}

const DISK_FULL: Answer = { ok: false, code: 'disk-full', message: 'the hub cannot write: its disk is full; nothing was recorded, and the command may be sent again once space is freed' };

/** Why personal data is read: a short list, so that the log can be read (H-19). */
export const ACCESS_PURPOSES = ['acceptance', 'correction', 'delivery', 'complaint', 'follow-up', 'supervision'] as const;
export type AccessPurpose = (typeof ACCESS_PURPOSES)[number];

export interface AccessRecord {
  at: number;
  who: string;
  caseNumber: string;
  purpose: string;
  note?: string;
}

/** What a public terminal may learn of a case: its number, item, state and dates, never the applicant. */
export interface CaseProgress {
  number: string;
  serviceCode: string;
  state: Case['state'];
  openedAt: number;
  acceptedOn?: string;
  promisedDue?: string;
  legalDue?: string;
  dueCertain?: boolean;
  /** Materials the latest correction notice asks for (ids of the item's materials). */
  missing?: string[];
}

/** What the hub adds to one command: the namespace of its id, facts kept apart from events, and work done in its transaction. */
export type ExecuteOptions = Pick<CommandEntry, 'scope' | 'holder' | 'within'>;

/**
 * The hall's single writer. A command is one function inside one SQLite transaction: the rules in
 * core decide it, its events go to the append-only log with the next sequence numbers, the read
 * tables follow, and its answer is stored under its id so that a retry gets the same answer.
 */
export class HallStore {
  view: HallView;
  readonly pins: ClerkPins;
  readonly audit: AuditLog;
  readonly links: LinkSigner;
  /** Today's tickets and the bookings by their public references (the phone's addresses, the ticket's QR code). */
  readonly refs: PublicRefs;
  private readonly sealer: Sealer;
  private readonly bodyKey: Buffer;
  private readonly listeners = new Set<EventListener>();
  private readonly executedListeners = new Set<ExecutedListener>();
  private readonly st;
  /** Set while the disk is full: commands are refused without touching it until `retryAt`. */
  private diskFull: { since: number; retryAt: number } | undefined;

  constructor(
    private readonly db: Db,
    private readonly clock: () => number = Date.now,
    keys: StoreKeys,
  ) {
    this.st = {
      answer: db.prepare<[string], { answer: string; body_hash: string | null }>('SELECT answer, body_hash FROM commands WHERE id = ?'),
      recordAnswer: db.prepare('INSERT INTO commands (id, terminal, type, at, answer, body_hash) VALUES (?, ?, ?, ?, ?, ?)'),
      appendEvent: db.prepare('INSERT INTO events (seq, at, type, command_id, body) VALUES (?, ?, ?, ?, ?)'),
      since: db.prepare<[number, number], { body: string }>('SELECT body FROM events WHERE seq > ? ORDER BY seq LIMIT ?'),
      putTicket: db.prepare(
        `INSERT INTO tickets (id, day, number, service_code, state, lane, issued_at, seq, body) VALUES (@id, @day, @number, @serviceCode, @state, @lane, @issuedAt, @seq, @body)
         ON CONFLICT (id) DO UPDATE SET service_code = excluded.service_code, state = excluded.state, seq = excluded.seq, body = excluded.body`,
      ),
      putWindow: db.prepare('INSERT INTO windows (number, body) VALUES (?, ?) ON CONFLICT (number) DO UPDATE SET body = excluded.body'),
      putCounter: db.prepare('INSERT INTO counters (key, last) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET last = excluded.last'),
      dropOldCounters: db.prepare("DELETE FROM counters WHERE key NOT LIKE ? || '|%'"),
      putAppointment: db.prepare('INSERT INTO appointments (code, day, body) VALUES (?, ?, ?) ON CONFLICT (code) DO UPDATE SET day = excluded.day, body = excluded.body'),
      putServiceTimes: db.prepare(
        'INSERT INTO service_times (service_code, body) VALUES (?, ?) ON CONFLICT (service_code) DO UPDATE SET body = excluded.body',
      ),
      putHall: db.prepare('INSERT INTO hall (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value'),
      putCase: db.prepare(
        'INSERT INTO cases (number, service_code, state, day, seq, body) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (number) DO UPDATE SET state = excluded.state, day = excluded.day, seq = excluded.seq, body = excluded.body',
      ),
      putRating: db.prepare('INSERT INTO ratings (id, ticket_id, day, level, window, clerk, body) VALUES (?, ?, ?, ?, ?, ?, ?)'),
      amendRating: db.prepare('UPDATE ratings SET body = ? WHERE id = ?'),
      putFollowUp: db.prepare('INSERT INTO follow_ups (id, closed, body) VALUES (?, ?, ?) ON CONFLICT (id) DO UPDATE SET closed = excluded.closed, body = excluded.body'),
      putPersonal: db.prepare('INSERT INTO personal_data (case_number, applicant, stored_at) VALUES (?, ?, ?) ON CONFLICT (case_number) DO UPDATE SET applicant = excluded.applicant'),
    };
    this.pins = new ClerkPins(db);
    this.audit = new AuditLog(db);
    this.links = new LinkSigner(keys.derive('links'));
    this.sealer = new Sealer(keys.derive('applicant-data'));
    this.bodyKey = keys.derive('command-body');
    this.checkKey();
    this.view = this.load();
    // The public references follow the log first, before any other listener reads them.
    this.refs = new PublicRefs(this.links, () => this.view);
    this.onEvents((events) => this.refs.follow(events));
  }

  /**
   * The hall key must be the one this database was sealed with; the first start records its
   * fingerprint and seals any applicant data stored before sealing existed.
   */
  private checkKey(): void {
    const stored = this.db.prepare<[], { value: string }>("SELECT value FROM hall WHERE key = 'key-check'").get()?.value;
    const mine = this.sealer.fingerprint();
    if (stored && stored !== mine) throw new HubRefusal('the hall key file does not belong to this database: restore the hall key that was made with it (see SERVICEHALL_KEY_FILE)');
    this.db.transaction(() => {
      if (!stored) this.st.putHall.run('key-check', mine);
      const plain = this.db.prepare<[], { case_number: string; applicant: string }>("SELECT case_number, applicant FROM personal_data WHERE applicant NOT LIKE 'sealed1:%'").all();
      const update = this.db.prepare('UPDATE personal_data SET applicant = ? WHERE case_number = ?');
      for (const r of plain) update.run(this.sealer.seal(r.applicant, r.case_number), r.case_number);
    })();
  }

  /** Whether the hall database already records a hall key (so a missing key file must not be replaced). */
  static recordsKey(db: Db): boolean {
    return !!db.prepare("SELECT 1 FROM hall WHERE key = 'key-check'").get();
  }

  /** The database's size now, in bytes (its pages, wherever they are: file or WAL). */
  sizeBytes(): number {
    return (this.db.pragma('page_count', { simple: true }) as number) * (this.db.pragma('page_size', { simple: true }) as number);
  }

  /** A ceiling on the database's size, in bytes (undefined: none); beyond it commands are refused as on a full disk. */
  limitSize(bytes: number | undefined): void {
    const pageSize = this.db.pragma('page_size', { simple: true }) as number;
    // SQLite's own limit when none is set.
    this.db.pragma(`max_page_count = ${bytes === undefined ? 4294967294 : Math.max(1, Math.floor(bytes / pageSize))}`);
  }

  /** Whether the hall has been set up (seeded, or given its catalogue by its administrator). */
  static hasCatalogue(db: Db): boolean {
    const row = db.prepare<[], { value: string }>("SELECT value FROM hall WHERE key = 'catalogue'").get();
    return !!row && isConfigured(JSON.parse(row.value) as Catalogue);
  }

  /** Seeds a hall that is not set up yet with its first catalogue, once. */
  static seed(db: Db, catalogue: Catalogue, now: number): void {
    if (HallStore.hasCatalogue(db)) return;
    db.transaction(() => {
      const day = hallDay(now, catalogue.hall.timeZone);
      const seq = (db.prepare('SELECT COALESCE(MAX(seq), 0) AS seq FROM events').get() as { seq: number }).seq + 1;
      db.prepare('INSERT INTO events (seq, at, type, command_id, body) VALUES (?, ?, ?, ?, ?)').run(
        seq,
        now,
        'catalogue.replaced',
        'seed',
        JSON.stringify({ seq, at: now, commandId: 'seed', type: 'catalogue.replaced', catalogue }),
      );
      const put = db.prepare('INSERT INTO hall (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value');
      put.run('catalogue', JSON.stringify(catalogue));
      if (!db.prepare("SELECT 1 FROM hall WHERE key = 'day'").get()) put.run('day', day);
    })();
  }

  private load(): HallView {
    const row = (key: string) => (this.db.prepare<[string], { value: string }>('SELECT value FROM hall WHERE key = ?').get(key))?.value;
    const catalogueText = row('catalogue');
    // A hall not set up yet holds the empty catalogue until its administrator's setup arrives.
    const catalogue = catalogueText ? (JSON.parse(catalogueText) as Catalogue) : unconfiguredCatalogue();
    const day = row('day') ?? hallDay(this.clock(), catalogue.hall.timeZone);
    const view = emptyView(catalogue, day);
    view.pending = JSON.parse(row('pending') ?? '[]') as ScheduledChange[];
    view.seq = (this.db.prepare('SELECT COALESCE(MAX(seq), 0) AS seq FROM events').get() as { seq: number }).seq;
    for (const r of this.db.prepare<[string], { body: string }>('SELECT body FROM tickets WHERE day = ?').all(day)) {
      const t = JSON.parse(r.body) as Ticket;
      view.tickets.set(t.id, t);
      view.nextPlace = Math.max(view.nextPlace, t.place + 1);
    }
    for (const r of this.db.prepare('SELECT body FROM windows').all() as { body: string }[]) {
      const w = JSON.parse(r.body);
      view.windows.set(w.number, w);
    }
    for (const r of this.db.prepare('SELECT key, last FROM counters').all() as { key: string; last: number }[]) view.counters.set(r.key, r.last);
    for (const r of this.db.prepare<[string], { body: string }>('SELECT body FROM appointments WHERE day >= ?').all(day)) {
      const a = JSON.parse(r.body);
      view.appointments.set(a.code, a);
    }
    for (const r of this.db.prepare('SELECT service_code, body FROM service_times').all() as { service_code: string; body: string }[])
      view.serviceTimes.set(r.service_code, JSON.parse(r.body));
    for (const r of this.db.prepare<[string], { body: string }>("SELECT body FROM cases WHERE state = 'correction' OR day = ?").all(day)) {
      const c = JSON.parse(r.body) as Case;
      view.cases.set(c.number, c);
    }
    for (const r of this.db.prepare<[string], { body: string }>('SELECT body FROM ratings WHERE day = ?').all(day)) {
      const rating = JSON.parse(r.body) as Rating;
      view.ratings.set(rating.ticketId, [...(view.ratings.get(rating.ticketId) ?? []), rating]);
    }
    // A finished service of today without a rating still waits for one.
    for (const t of view.tickets.values()) {
      if (t.state !== 'done' || view.ratings.has(t.id) || t.window === undefined) continue;
      const caseNumbers = [...view.cases.values()].filter((c) => c.ticketId === t.id).map((c) => c.number);
      view.ratingRequests.set(t.id, { ticketId: t.id, ticketNumber: t.number, window: t.window, clerk: t.clerk, serviceCode: t.serviceCode, finishedAt: t.finishedAt ?? 0, caseNumbers });
    }
    for (const r of this.db.prepare<[], { body: string }>('SELECT body FROM follow_ups WHERE closed = 0').all()) {
      const f = JSON.parse(r.body) as FollowUp;
      view.followUps.set(f.id, f);
    }
    for (const r of this.db.prepare<[], { value: string }>("SELECT value FROM hall WHERE key LIKE 'devices:%'").all()) {
      const d = JSON.parse(r.value) as TerminalDevices;
      view.devices.set(d.terminal, d);
    }
    return reindex(view);
  }

  /** Runs `fn` in one transaction of the hall's database (the console's changes outside the event log: credentials, staff). */
  withTransaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  onExecuted(listener: ExecutedListener): () => void {
    this.executedListeners.add(listener);
    return () => this.executedListeners.delete(listener);
  }

  onEvents(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The hub's clock (injected in tests). */
  now(): number {
    return this.clock();
  }

  get seq(): number {
    return this.view.seq;
  }

  snapshot(): HallSnapshot {
    return toSnapshot(this.view);
  }

  /** Events after `seq`, at most `limit`, in order. */
  eventsSince(seq: number, limit = 1000): HallEvent[] {
    return this.st.since.all(seq, limit).map((r) => JSON.parse(r.body) as HallEvent);
  }

  /** The answer first given to command `id` of `scope`, if it was seen. */
  answerOf(scope: string, id: string): Answer | undefined {
    const row = this.st.answer.get(`${scope}|${id}`);
    return row ? (JSON.parse(row.answer) as Answer) : undefined;
  }

  /** Runs one command; `scope` (or `options.scope`) is the namespace of its id, by default its actor's (commandScope). */
  execute(command: Command, actor: Actor, scope?: string | ExecuteOptions): Executed {
    const options = typeof scope === 'string' ? { scope } : (scope ?? {});
    return this.executeBatch([{ command, actor, ...options }])[0]!;
  }

  /**
   * Runs one command, checking a sign-in's PIN first off the event loop (the hash takes tens of
   * milliseconds that every terminal would otherwise wait). A repeated id is answered without a
   * second check, so that a retry never counts as another wrong PIN.
   */
  async executeAsync(command: Command, actor: Actor, scope?: string): Promise<Executed> {
    if (command.type !== 'signIn') return this.execute(command, actor, scope);
    const key = this.commandKey(command, actor, scope);
    const repeat = this.repeatOf(key, this.bodyHash(command));
    if (repeat) return repeat;
    const source = actor.role === 'window' ? `window ${actor.window}` : actor.terminal;
    const pin = await this.pins.check(command.clerk, command.pin, this.clock(), source);
    return this.executeBatch([{ command, actor, scope, pin }])[0]!;
  }

  private commandKey(command: Command, actor: Actor, scope: string | undefined): string {
    return `${scope ?? commandScope(actor)}|${command.id}`;
  }

  /** A keyed hash of what the command asks (never its PIN in a form that can be guessed from the database alone). */
  private bodyHash(command: Command): string {
    const { id: _id, ...body } = command;
    return createHmac('sha256', this.bodyKey).update(JSON.stringify(body)).digest('base64url').slice(0, 22);
  }

  /** The first answer to this id again; a different body under a used id is refused (409) and changes nothing. */
  private repeatOf(key: string, hash: string): Executed | undefined {
    const row = this.st.answer.get(key);
    if (!row) return undefined;
    if (row.body_hash !== null && row.body_hash !== hash)
      return { answer: { ok: false, code: 'id-reused', message: 'this command id was used before for a different command: send a new id' }, events: [], repeated: true };
    return { answer: JSON.parse(row.answer) as Answer, events: [], repeated: true };
  }

  /** Whether the hub is refusing commands because its disk is full. */
  get isDiskFull(): boolean {
    return this.diskFull !== undefined;
  }

  /** Notes a full disk: said once, and writes are not tried again until the retry time. */
  private onDiskFull(now: number): void {
    if (!this.diskFull) log.error(`the hub's disk is full: commands are refused (507 disk-full) until space is freed; trying again every ${DISK_FULL_RETRY_MS / 1000} s`);
    this.diskFull = { since: this.diskFull?.since ?? now, retryAt: now + DISK_FULL_RETRY_MS };
  }

  private onWritten(): void {
    if (!this.diskFull) return;
    log.warn(`the hub can write again (its disk was full for ${Math.round((this.clock() - this.diskFull.since) / 1000)} s)`);
    this.diskFull = undefined;
  }

  /**
   * Runs commands that arrived together in one outer transaction (group commit: one disk flush for
   * the lot). Each command is still its own transaction inside it, a savepoint: a refusal or a
   * failure of one leaves the others whole. Listeners hear all the batch's events once it is durable.
   */
  executeBatch(batch: readonly CommandEntry[]): Executed[] {
    const started = this.clock();
    const timed = performance.now();
    if (this.diskFull && started < this.diskFull.retryAt) {
      const refused = batch.map(() => ({ answer: DISK_FULL, events: [], repeated: false }));
      this.tellExecuted(batch, refused, timed);
      return refused;
    }
    let results: Executed[];
    let wrote = false;
    try {
      results = this.db.transaction(() =>
        batch.map((entry): Executed => {
          const key = this.commandKey(entry.command, entry.actor, entry.scope);
          const hash = this.bodyHash(entry.command);
          const repeat = this.repeatOf(key, hash);
          if (repeat) return repeat;
          wrote = true;
          try {
            return this.db.transaction(() => {
              const executed = this.decideAndAppend(entry, key, hash);
              if (executed.answer.ok) entry.within?.(executed.answer);
              return executed;
            })();
          } catch (error) {
            // Nothing of the batch can be written on a full disk: the whole of it is refused below.
            if (isDiskFull(error)) throw error;
            // A bug in one command: its savepoint is rolled back; the view is read again (this
            // connection sees the batch so far) and the rest of the batch goes on.
            log.error({ err: error, command: entry.command.type }, 'a command failed');
            this.view = this.load();
            return { answer: { ok: false, code: 'internal', message: 'the hub could not record this command' }, events: [], repeated: false };
          }
        }),
      )();
    } catch (error) {
      // The transaction rolled back; the view may hold part of it, so it is read again from the tables.
      this.view = this.load();
      if (isDiskFull(error)) {
        this.onDiskFull(started);
        const refused = batch.map(() => ({ answer: DISK_FULL, events: [], repeated: false }));
        this.tellExecuted(batch, refused, timed);
        return refused;
      }
      this.tellExecuted(batch, undefined, timed);
      throw error;
    }
    if (wrote) this.onWritten();
    this.tellExecuted(batch, results, timed);
    const events = results.flatMap((r) => r.events);
    if (events.length > 0) for (const listener of this.listeners) listener(events);
    return results;
  }

  private tellExecuted(batch: readonly { command: Command; actor: Actor }[], results: Executed[] | undefined, started: number): void {
    const seconds = (performance.now() - started) / 1000;
    for (const listener of this.executedListeners) {
      try {
        listener(batch, results, seconds);
      } catch (error) {
        log.error({ err: error }, 'a listener of executed commands failed');
      }
    }
  }

  /**
   * Opens the new hall day when midnight has passed, so that screens start the day empty without
   * waiting for the first ticket. Commands open it too; this is for the quiet hours.
   */
  openDayIfDue(): HallEvent[] {
    if (dayChange(this.view, this.clock()).length === 0) return [];
    if (this.diskFull && this.clock() < this.diskFull.retryAt) return [];
    let appended: HallEvent[];
    try {
      appended = this.db.transaction(() => {
        const out: HallEvent[] = [];
        for (const body of dayChange(this.view, this.clock())) out.push(this.append(body, this.clock()));
        return out;
      })();
    } catch (error) {
      this.view = this.load();
      if (isDiskFull(error)) {
        this.onDiskFull(this.clock());
        return [];
      }
      throw error;
    }
    this.onWritten();
    if (appended.length > 0) for (const listener of this.listeners) listener(appended);
    return appended;
  }

  private append(body: EventBody, now: number, commandId?: string, staff?: StaffRef): HallEvent {
    const event = { ...body, seq: this.view.seq + 1, at: now, ...(commandId ? { commandId } : {}), ...(staff ? { staff } : {}) } as HallEvent;
    this.st.appendEvent.run(event.seq, now, event.type, commandId ?? null, JSON.stringify(event));
    applyEvent(this.view, event);
    this.persist(event);
    return event;
  }

  private decideAndAppend(entry: CommandEntry, key: string, hash: string): Executed {
    const { command, actor } = entry;
    const now = this.clock();
    const appended: HallEvent[] = [];
    const staff = actor.role === 'admin' ? actor.staff : undefined;
    const append = (body: EventBody, commandId?: string) => appended.push(this.append(body, now, commandId, commandId ? staff : undefined));
    for (const body of dayChange(this.view, now)) append(body);
    const { id, ...body } = command;
    const refusal = this.precheck(body, entry.pin);
    const holder = entry.holder?.();
    const decided = refusal ?? decide(this.view, body, { now, actor, earlierRatings: this.earlierRatings(body), ...(holder ? { holder } : {}) });
    let answer: Answer;
    if (decided.ok) {
      // A console change is audited with the part of the hall it changes, before and after (in this transaction).
      const before = staff ? auditSubject(this.view, body) : undefined;
      for (const e of decided.value.events) append(e, id);
      if (staff && before && decided.value.events.length > 0) {
        const scheduled = decided.value.events.find((e) => e.type === 'change.scheduled');
        this.audit.record({
          at: now,
          staff,
          action: body.type,
          target: before.target,
          before: before.value,
          after: scheduled?.type === 'change.scheduled' ? { atDayEnd: scheduled.change } : auditSubject(this.view, body).value,
          commandId: id,
          seq: this.view.seq,
        });
      }
      if (body.type === 'recordOutcome' && body.applicant) {
        const recorded = decided.value.events.find((e) => e.type === 'case.recorded');
        if (recorded?.type === 'case.recorded') this.st.putPersonal.run(recorded.case.number, this.sealer.seal(JSON.stringify(body.applicant), recorded.case.number), now);
      }
      const ticket = decided.value.ticket ? this.view.tickets.get(decided.value.ticket.id) : undefined;
      // A new ticket comes with the path of its live page (what its QR code opens), made here: no terminal holds the key.
      const link = ticket && (body.type === 'issueTicket' || body.type === 'checkInAppointment' || body.type === 'takeRemoteTicket') ? this.links.livePath(ticket.id) : undefined;
      answer = { ok: true, seq: this.view.seq, ...(ticket ? { ticket } : {}), ...(link ? { link } : {}) };
    } else {
      answer = { ok: false, code: decided.code, message: decided.message, ...(decided.tickets ? { tickets: decided.tickets } : {}) };
    }
    this.st.recordAnswer.run(key, actor.terminal, command.type, now, JSON.stringify(answer), hash);
    return { answer, events: appended, repeated: false };
  }

  /** A QR rating of a service from an earlier day: its first rating, from the table (the view keeps today's only). */
  private earlierRatings(body: CommandBody): Rating[] | undefined {
    if (body.type !== 'rate' || body.channel !== 'qr' || !body.ticketId || this.view.ratings.has(body.ticketId)) return undefined;
    return this.db
      .prepare<[string], { body: string }>('SELECT body FROM ratings WHERE ticket_id = ? ORDER BY rowid')
      .all(body.ticketId)
      .map((r) => JSON.parse(r.body) as Rating);
  }

  /** What only the hub can check: a clerk's PIN (kept out of the pure rules and out of every event), checked before the transaction. */
  private precheck(body: CommandBody, pin: PinCheck | undefined): Refusal | undefined {
    if (body.type !== 'signIn') return undefined;
    if (!pin) return { ok: false, code: 'internal', message: 'a sign-in is checked through executeAsync' };
    if (pin.ok && pin.mustChange)
      return { ok: false, code: 'pin-change-required', message: `clerk ${body.clerk} still has the initial PIN: choose your own in the console (/console) first` };
    return pin.ok ? undefined : { ok: false, code: pin.code, message: pin.message };
  }

  /** The applicant of a case, in full, for staff whose role needs it; every read is logged with who and why (H-19). */
  applicantOf(caseNumber: string, who: string, purpose: AccessPurpose, note?: string): unknown {
    const row = this.db.prepare<[string], { applicant: string }>('SELECT applicant FROM personal_data WHERE case_number = ?').get(caseNumber);
    this.db.prepare('INSERT INTO personal_data_access (at, who, case_number, purpose, note) VALUES (?, ?, ?, ?, ?)').run(this.clock(), who, caseNumber, purpose, note ?? null);
    return row ? JSON.parse(this.sealer.open(row.applicant, caseNumber)) : undefined;
  }

  /** The personal-data access log, newest first, for a supervisor: of one case, or of all. */
  accessLog(options: { caseNumber?: string; since?: number; limit: number }): AccessRecord[] {
    return this.db
      .prepare<[string | null, string | null, number, number], { at: number; who: string; case_number: string; purpose: string; note: string | null }>(
        'SELECT at, who, case_number, purpose, note FROM personal_data_access WHERE (? IS NULL OR case_number = ?) AND at >= ? ORDER BY id DESC LIMIT ?',
      )
      .all(options.caseNumber ?? null, options.caseNumber ?? null, options.since ?? 0, options.limit)
      .map((r) => ({ at: r.at, who: r.who, caseNumber: r.case_number, purpose: r.purpose, ...(r.note ? { note: r.note } : {}) }));
  }

  /** A case's progress with numbers and states only: what a kiosk may show a citizen (H-11, H-19). */
  caseProgress(number: string): CaseProgress | undefined {
    const c = this.caseOf(number) as Case | undefined;
    if (!c) return undefined;
    const last = c.notices[c.notices.length - 1];
    return {
      number: c.number,
      serviceCode: c.serviceCode,
      state: c.state,
      openedAt: c.openedAt,
      ...(c.acceptedOn ? { acceptedOn: c.acceptedOn } : {}),
      ...(c.promisedDue ? { promisedDue: c.promisedDue } : {}),
      ...(c.legalDue ? { legalDue: c.legalDue } : {}),
      ...(c.dueCertain !== undefined ? { dueCertain: c.dueCertain } : {}),
      ...(c.state === 'correction' && last ? { missing: [...last.materials] } : {}),
    };
  }

  /**
   * The link to the phone rating page for a service waiting for its rating, for the pad of the window
   * that served it (or the administrator): signed by the hub, bound to the ticket, expiring.
   */
  ratingLinkFor(actor: Actor, ticketId: string): { ok: true; link: string } | Refusal {
    if (actor.role !== 'rating-pad' && actor.role !== 'admin') return { ok: false, code: 'forbidden', message: `a ${actor.role} terminal may not ask for rating links` };
    const request = this.view.ratingRequests.get(ticketId);
    if (!request) return { ok: false, code: 'not-found', message: `ticket ${ticketId} has no service waiting for a rating` };
    if (actor.role === 'rating-pad' && request.window !== actor.window)
      return { ok: false, code: 'forbidden', message: `this pad belongs to window ${actor.window}; ticket ${request.ticketNumber} was served at window ${request.window}` };
    return { ok: true, link: this.ratingLink(ticketId)! };
  }

  /**
   * The phone rating page's link of a service waiting for its rating (the pad's QR code, the phone
   * that took the number): signed here, bound to the ticket, expiring the hall's second-rating days
   * after the service, used once. The same service always gets the same link.
   */
  ratingLink(ticketId: string): string | undefined {
    const request = this.view.ratingRequests.get(ticketId);
    if (!request) return undefined;
    const days = Math.max(1, this.view.catalogue.rating.secondRatingDays);
    return this.links.path('rate', ticketId, request.finishedAt + days * 86_400_000);
  }

  /** Whether a citizen's link was used already. */
  linkUsed(signature: string): boolean {
    return !!this.db.prepare('SELECT 1 FROM used_links WHERE signature = ?').get(signature);
  }

  /** Records a link as used; old records go once their links have expired. */
  useLink(signature: string, ticketId: string, expiresAt: number): void {
    const now = this.clock();
    this.db.prepare('INSERT OR IGNORE INTO used_links (signature, ticket_id, used_at, expires_at) VALUES (?, ?, ?, ?)').run(signature, ticketId, now, expiresAt);
    this.db.prepare('DELETE FROM used_links WHERE expires_at < ?').run(now);
  }

  /** An id for one of the hub's own commands: random, so that no terminal can take it first. */
  static ownId(kind: string): string {
    return `${kind}-${randomUUID()}`;
  }

  caseOf(number: string): unknown {
    const row = this.db.prepare<[string], { body: string }>('SELECT body FROM cases WHERE number = ?').get(number);
    return row ? JSON.parse(row.body) : undefined;
  }

  ratingsOn(day: string): unknown[] {
    return this.db.prepare<[string], { body: string }>('SELECT body FROM ratings WHERE day = ? ORDER BY rowid').all(day).map((r) => JSON.parse(r.body));
  }

  followUps(open: boolean): unknown[] {
    return this.db.prepare<[number], { body: string }>('SELECT body FROM follow_ups WHERE closed = ? ORDER BY rowid').all(open ? 0 : 1).map((r) => JSON.parse(r.body));
  }

  /** Brings the read tables in line with what `event` changed in the view. */
  private persist(event: HallEvent): void {
    const v = this.view;
    const ticket = (id: string) => {
      const t = v.tickets.get(id);
      if (t) this.st.putTicket.run({ ...t, seq: event.seq, body: JSON.stringify(t) });
      return t;
    };
    const window = (n: number) => {
      const w = v.windows.get(n);
      if (w) this.st.putWindow.run(n, JSON.stringify(w));
    };
    switch (event.type) {
      case 'catalogue.replaced':
        this.st.putHall.run('catalogue', JSON.stringify(v.catalogue));
        this.st.putHall.run('pending', JSON.stringify(v.pending));
        for (const w of v.windows.keys()) window(w);
        break;
      case 'window.itemsAssigned':
      case 'window.temporaryOpened':
      case 'item.todaySet':
      case 'calendar.yearSet':
        this.st.putHall.run('catalogue', JSON.stringify(v.catalogue));
        this.st.putHall.run('pending', JSON.stringify(v.pending));
        if (event.type === 'window.temporaryOpened') window(event.window.number);
        break;
      case 'change.scheduled':
      case 'change.cancelled':
        this.st.putHall.run('pending', JSON.stringify(v.pending));
        break;
      case 'day.opened':
        this.st.putHall.run('day', v.day);
        // The new day ends temporary windows and today's changes of items.
        this.st.putHall.run('catalogue', JSON.stringify(v.catalogue));
        this.st.dropOldCounters.run(v.day);
        for (const w of v.windows.keys()) window(w);
        break;
      case 'appointment.booked':
      case 'appointment.cancelled': {
        const a = v.appointments.get(event.code);
        if (a) this.st.putAppointment.run(a.code, a.day, JSON.stringify(a));
        break;
      }
      case 'ticket.issued': {
        const t = ticket(event.ticket.id)!;
        const key = counterKey(t.day, parseTicketNumber(t.number)!.prefix);
        this.st.putCounter.run(key, v.counters.get(key) ?? 0);
        if (t.appointment) {
          const a = v.appointments.get(t.appointment.code);
          if (a) this.st.putAppointment.run(a.code, a.day, JSON.stringify(a));
        }
        break;
      }
      case 'ticket.finished': {
        const t = ticket(event.id)!;
        this.st.putServiceTimes.run(t.serviceCode, JSON.stringify(v.serviceTimes.get(t.serviceCode) ?? []));
        break;
      }
      case 'ticket.called':
        ticket(event.id);
        window(event.window);
        break;
      case 'ticket.voided': {
        const t = ticket(event.id);
        const a = t?.appointment ? v.appointments.get(t.appointment.code) : undefined;
        if (a) this.st.putAppointment.run(a.code, a.day, JSON.stringify(a));
        break;
      }
      case 'ticket.recalled':
      case 'ticket.started':
      case 'ticket.noShow':
      case 'ticket.held':
      case 'ticket.transferred':
        ticket(event.id);
        break;
      case 'window.opened':
      case 'window.closed':
      case 'window.paused':
      case 'window.resumed':
        window(event.window);
        break;
      case 'case.recorded':
      case 'case.amended': {
        const c = event.case;
        this.st.putCase.run(c.number, c.serviceCode, c.state, v.day, event.seq, JSON.stringify(c));
        const key = counterKey(v.day, 'SL');
        if (v.counters.has(key)) this.st.putCounter.run(key, v.counters.get(key));
        break;
      }
      case 'rating.recorded': {
        const r = event.rating;
        this.st.putRating.run(r.id, r.ticketId, v.day, r.level, r.window, r.clerk ?? null, JSON.stringify(r));
        break;
      }
      case 'rating.amended': {
        const r = v.ratings.get(event.ticketId)?.find((x) => x.id === event.ratingId);
        if (r) this.st.amendRating.run(JSON.stringify(r), r.id);
        break;
      }
      case 'followUp.opened':
      case 'followUp.advanced':
      case 'followUp.appealed': {
        const f = v.followUps.get(event.type === 'followUp.opened' ? event.followUp.id : event.id)!;
        this.st.putFollowUp.run(f.id, f.closed ? 1 : 0, JSON.stringify(f));
        break;
      }
      case 'devices.reported':
        this.st.putHall.run(`devices:${event.terminal}`, JSON.stringify(v.devices.get(event.terminal)));
        break;
    }
  }
}
