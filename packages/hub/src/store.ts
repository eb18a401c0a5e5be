import {
  applyEvent,
  correctionDeadline,
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
  type BookedAppointment,
  type Ticket,
  type ScheduledChange,
  type StaffRef,
} from '@servicehall/core';
import type { Answer } from '@servicehall/protocol';
import type { Db } from './db';
import { ClerkPins } from './pins';
import { AuditLog, auditSubject } from './staff/audit';
import { AnswerRetention, EXPIRED_ANSWER, isExpired } from './retention';
import {
  CASE_FIELDS,
  RATING_FIELDS,
  TICKET_FIELDS,
  caseBody,
  caseOfRow,
  ratingBody,
  ratingOfRow,
  ticketBody,
  ticketOfRow,
  type CaseRow,
  type RatingRow,
  type TicketRow,
} from './rows';

export interface Executed {
  answer: Answer;
  /** Events this command appended; empty for a refusal or a repeated id. */
  events: HallEvent[];
  /** The id had been seen: this is the first answer again and nothing changed. */
  repeated: boolean;
}

export type EventListener = (events: HallEvent[]) => void;

/**
 * The reads that must not grow with the hall's history, each served by an index (checked with
 * EXPLAIN QUERY PLAN in the tests): start-up loads today and what is still open, lookups go by key.
 */
export const LOOKUPS = {
  ticketsOfDay: `SELECT ${TICKET_FIELDS} FROM tickets WHERE day = ?`,
  ticketById: `SELECT ${TICKET_FIELDS} FROM tickets WHERE id = ?`,
  appointmentsFrom: 'SELECT body FROM appointments WHERE day >= ?',
  casesOfDay: `SELECT ${CASE_FIELDS} FROM cases WHERE day = ?`,
  caseByNumber: `SELECT ${CASE_FIELDS} FROM cases WHERE number = ?`,
  correctionsDue: "SELECT number FROM cases WHERE state = 'correction' AND deadline < ? ORDER BY deadline LIMIT ?",
  correctionsWithoutDeadline: `SELECT ${CASE_FIELDS} FROM cases WHERE state = 'correction' AND deadline IS NULL LIMIT ?`,
  ratingsOfDay: `SELECT ${RATING_FIELDS} FROM ratings WHERE day = ? ORDER BY rowid`,
  ratingsOfTicket: `SELECT ${RATING_FIELDS} FROM ratings WHERE ticket_id = ? ORDER BY rowid`,
  openFollowUps: 'SELECT body FROM follow_ups WHERE closed = 0 ORDER BY rowid',
  followUpsOfDay: 'SELECT body FROM follow_ups WHERE day = ?',
  followUpById: 'SELECT body FROM follow_ups WHERE id = ?',
  closedFollowUps: 'SELECT rowid, body FROM follow_ups WHERE closed = 1 AND rowid < ? ORDER BY rowid DESC LIMIT ?',
  devices: "SELECT value FROM hall WHERE key >= 'devices:' AND key < 'devices;'",
  lastSeq: 'SELECT COALESCE(MAX(seq), 0) AS seq FROM events',
  eventsSince: 'SELECT seq, at, type, command_id, body FROM events WHERE seq > ? ORDER BY seq LIMIT ?',
  answer: 'SELECT answer FROM commands WHERE id = ?',
  // A command and the events it made have the same time.
  commandsOfEvents: 'SELECT id, first_seq, last_seq FROM commands WHERE at >= ? AND at <= ? AND last_seq IS NOT NULL',
} as const;

/** A command's answer as kept: the ticket it names by id (answers kept before held it whole). */
type StoredAnswer = Answer | { ok: true; seq: number; ticketId?: string };

/** How many closed follow-ups one page lists at most. */
export const FOLLOW_UP_PAGE = 100;

/** An event as the log stores it: its sequence, time, type and command id in columns, the rest as JSON. */
interface EventRow {
  seq: number;
  at: number;
  type: string;
  command_id: string | null;
  body: string;
}

/** The event a row holds; rows written before events were slimmed hold the whole event in their body. */
function eventOf(r: EventRow): HallEvent {
  const event = JSON.parse(r.body) as HallEvent;
  event.seq = r.seq;
  event.at = r.at;
  event.type = r.type as HallEvent['type'];
  if (r.command_id !== null) event.commandId = r.command_id;
  return event;
}

/**
 * The hall's single writer. A command is one function inside one SQLite transaction: the rules in
 * core decide it, its events go to the append-only log with the next sequence numbers, the read
 * tables follow, and its answer is stored under its id so that a retry gets the same answer.
 */
export class HallStore {
  view: HallView;
  readonly pins: ClerkPins;
  readonly audit: AuditLog;
  private readonly listeners = new Set<EventListener>();
  private readonly retention: AnswerRetention;
  private readonly st;
  /** Whether the command being run has changed the view (so that its failure needs the view read again). */
  private viewTouched = false;
  /** A command in its own transaction (a savepoint inside a batch's). Made once: better-sqlite3 builds a wrapper each time. */
  private readonly runOne: (command: Command, actor: Actor) => Executed;
  private readonly runBatch: (batch: readonly { command: Command; actor: Actor }[]) => Executed[];

  constructor(
    private readonly db: Db,
    private readonly clock: () => number = Date.now,
  ) {
    this.st = {
      answer: db.prepare<[string], { answer: string }>(LOOKUPS.answer),
      recordAnswer: db.prepare<[string, string, string, number, string, number | null, number | null]>(
        'INSERT INTO commands (id, terminal, type, at, answer, first_seq, last_seq) VALUES (?, ?, ?, ?, ?, ?, ?)',
      ),
      commandsOfEvents: db.prepare<[number, number], { id: string; first_seq: number; last_seq: number }>(LOOKUPS.commandsOfEvents),
      appendEvent: db.prepare('INSERT INTO events (seq, at, type, command_id, body) VALUES (?, ?, ?, ?, ?)'),
      since: db.prepare<[number, number], EventRow>(LOOKUPS.eventsSince),
      putTicket: db.prepare<[string, string, string, string, string, string, number, number, string]>(
        `INSERT INTO tickets (id, day, number, service_code, state, lane, issued_at, seq, body) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET service_code = excluded.service_code, state = excluded.state, seq = excluded.seq, body = excluded.body`,
      ),
      // A ticket changes after it is issued: an update by its id is cheaper than an insert that conflicts.
      updateTicket: db.prepare<[string, string, number, string, string]>('UPDATE tickets SET service_code = ?, state = ?, seq = ?, body = ? WHERE id = ?'),
      putWindow: db.prepare('INSERT INTO windows (number, body) VALUES (?, ?) ON CONFLICT (number) DO UPDATE SET body = excluded.body'),
      putCounter: db.prepare('INSERT INTO counters (key, last) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET last = excluded.last'),
      dropOldCounters: db.prepare("DELETE FROM counters WHERE key NOT LIKE ? || '|%'"),
      putAppointment: db.prepare('INSERT INTO appointments (code, day, body) VALUES (?, ?, ?) ON CONFLICT (code) DO UPDATE SET day = excluded.day, body = excluded.body'),
      putServiceTimes: db.prepare(
        'INSERT INTO service_times (service_code, body) VALUES (?, ?) ON CONFLICT (service_code) DO UPDATE SET body = excluded.body',
      ),
      putHall: db.prepare('INSERT INTO hall (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value'),
      putCase: db.prepare(
        'INSERT INTO cases (number, service_code, state, day, seq, body, deadline) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (number) DO UPDATE SET state = excluded.state, day = excluded.day, seq = excluded.seq, body = excluded.body, deadline = excluded.deadline',
      ),
      lapseCase: db.prepare("UPDATE cases SET state = 'lapsed', seq = ? WHERE number = ?"),
      setDeadline: db.prepare('UPDATE cases SET deadline = ? WHERE number = ?'),
      caseByNumber: db.prepare<[string], CaseRow>(LOOKUPS.caseByNumber),
      ticketById: db.prepare<[string], TicketRow>(LOOKUPS.ticketById),
      correctionsDue: db.prepare<[string, number], { number: string }>(LOOKUPS.correctionsDue),
      correctionsWithoutDeadline: db.prepare<[number], CaseRow>(LOOKUPS.correctionsWithoutDeadline),
      ratingsOfTicket: db.prepare<[string], RatingRow>(LOOKUPS.ratingsOfTicket),
      ratingsOfDay: db.prepare<[string], RatingRow>(LOOKUPS.ratingsOfDay),
      openFollowUps: db.prepare<[], { body: string }>(LOOKUPS.openFollowUps),
      closedFollowUps: db.prepare<[number, number], { rowid: number; body: string }>(LOOKUPS.closedFollowUps),
      putRating: db.prepare('INSERT INTO ratings (id, ticket_id, day, level, window, clerk, body) VALUES (?, ?, ?, ?, ?, ?, ?)'),
      amendRating: db.prepare('UPDATE ratings SET body = ? WHERE id = ?'),
      putFollowUp: db.prepare(
        'INSERT INTO follow_ups (id, closed, body, day) VALUES (?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET closed = excluded.closed, body = excluded.body, day = excluded.day',
      ),
      followUpById: db.prepare<[string], { body: string }>(LOOKUPS.followUpById),
      putPersonal: db.prepare('INSERT INTO personal_data (case_number, applicant, stored_at) VALUES (?, ?, ?) ON CONFLICT (case_number) DO UPDATE SET applicant = excluded.applicant'),
    };
    this.pins = new ClerkPins(db);
    this.audit = new AuditLog(db);
    this.retention = new AnswerRetention(db);
    this.runOne = db.transaction((command: Command, actor: Actor) => this.decideAndAppend(command, actor));
    this.runBatch = db.transaction((batch: readonly { command: Command; actor: Actor }[]) => batch.map((entry) => this.runEntry(entry)));
    this.view = this.load();
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
      const event = db.prepare('INSERT INTO events (seq, at, type, command_id, body) VALUES (?, ?, ?, ?, ?)');
      event.run(seq, now, 'catalogue.replaced', 'seed', JSON.stringify({ catalogue }));
      const fresh = !db.prepare("SELECT 1 FROM hall WHERE key = 'day'").get();
      // A new log says which day it begins on, so that it folds from its first event alone.
      if (fresh) event.run(seq + 1, now, 'day.opened', 'seed', JSON.stringify({ day }));
      const put = db.prepare('INSERT INTO hall (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value');
      put.run('catalogue', JSON.stringify(catalogue));
      if (!db.prepare("SELECT 1 FROM hall WHERE key = 'day'").get()) put.run('day', day);
    })();
  }

  /** Today's view from the read tables: today's tickets, cases and ratings, and what is still open. Indexed reads only. */
  private load(): HallView {
    const row = (key: string) => (this.db.prepare<[string], { value: string }>('SELECT value FROM hall WHERE key = ?').get(key))?.value;
    const catalogueText = row('catalogue');
    // A hall not set up yet holds the empty catalogue until its administrator's setup arrives.
    const catalogue = catalogueText ? (JSON.parse(catalogueText) as Catalogue) : unconfiguredCatalogue();
    const day = row('day') ?? hallDay(this.clock(), catalogue.hall.timeZone);
    const view = emptyView(catalogue, day);
    view.pending = JSON.parse(row('pending') ?? '[]') as ScheduledChange[];
    const bodies = <T>(sql: string, ...args: unknown[]) => this.db.prepare<unknown[], { body: string }>(sql).all(...args).map((r) => JSON.parse(r.body) as T);
    view.seq = (this.db.prepare(LOOKUPS.lastSeq).get() as { seq: number }).seq;
    for (const t of this.db.prepare<[string], TicketRow>(LOOKUPS.ticketsOfDay).all(day).map(ticketOfRow)) {
      view.tickets.set(t.id, t);
      view.nextPlace = Math.max(view.nextPlace, t.place + 1);
    }
    for (const r of this.db.prepare('SELECT body FROM windows').all() as { body: string }[]) {
      const w = JSON.parse(r.body);
      view.windows.set(w.number, w);
    }
    for (const r of this.db.prepare('SELECT key, last FROM counters').all() as { key: string; last: number }[]) view.counters.set(r.key, r.last);
    for (const a of bodies<BookedAppointment>(LOOKUPS.appointmentsFrom, day)) view.appointments.set(a.code, a);
    for (const r of this.db.prepare('SELECT service_code, body FROM service_times').all() as { service_code: string; body: string }[])
      view.serviceTimes.set(r.service_code, JSON.parse(r.body));
    for (const c of this.db.prepare<[string], CaseRow>(LOOKUPS.casesOfDay).all(day).map(caseOfRow)) view.cases.set(c.number, c);
    for (const rating of this.st.ratingsOfDay.all(day).map(ratingOfRow)) view.ratings.set(rating.ticketId, [...(view.ratings.get(rating.ticketId) ?? []), rating]);
    for (const f of bodies<FollowUp>(LOOKUPS.followUpsOfDay, day)) view.followUps.set(f.id, f);
    for (const r of this.db.prepare<[], { value: string }>(LOOKUPS.devices).all()) {
      const d = JSON.parse(r.value) as TerminalDevices;
      view.devices.set(d.terminal, d);
    }
    reindex(view);
    // A finished service of today without a rating still waits for one.
    for (const t of view.tickets.values()) {
      if (t.state !== 'done' || view.ratings.has(t.id) || t.window === undefined) continue;
      const caseNumbers = [...(view.casesOfTicket.get(t.id) ?? [])];
      view.ratingRequests.set(t.id, { ticketId: t.id, ticketNumber: t.number, window: t.window, clerk: t.clerk, serviceCode: t.serviceCode, finishedAt: t.finishedAt ?? 0, caseNumbers });
    }
    return view;
  }

  /** Runs `fn` in one transaction of the hall's database (the console's changes outside the event log: credentials, staff). */
  withTransaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  onEvents(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get seq(): number {
    return this.view.seq;
  }

  /** The hub's time (its clock may be injected). */
  now(): number {
    return this.clock();
  }

  snapshot(): HallSnapshot {
    return toSnapshot(this.view);
  }

  /** Events after `seq`, at most `limit`, in order. */
  eventsSince(seq: number, limit = 1000): HallEvent[] {
    const events = this.st.since.all(seq, limit).map(eventOf);
    const last = events[events.length - 1];
    if (!last) return events;
    // Events within the window of kept answers name the command that made them; older ones no longer do.
    const bySeq = new Map(events.map((e) => [e.seq, e]));
    let from = Infinity;
    let to = -Infinity;
    for (const e of events) {
      from = Math.min(from, e.at);
      to = Math.max(to, e.at);
    }
    for (const c of this.st.commandsOfEvents.all(from, to))
      for (let s = Math.max(c.first_seq, seq + 1); s <= Math.min(c.last_seq, last.seq); s++) {
        const e = bySeq.get(s);
        if (e) e.commandId = c.id;
      }
    return events;
  }

  /** The answer first given to command `id`, if it was seen (and answered within the window answers are kept for). */
  answerOf(id: string): Answer | undefined {
    const row = this.st.answer.get(id);
    if (!row) return undefined;
    const stored = JSON.parse(row.answer) as StoredAnswer;
    if (!('ticketId' in stored) || stored.ticketId === undefined) return stored as Answer;
    const { ticketId, ...answer } = stored;
    const ticket = this.view.tickets.get(ticketId) ?? this.ticketRecord(ticketId);
    return { ...answer, ...(ticket ? { ticket } : {}) };
  }

  /** A ticket as the hall's records hold it (an earlier day's, which the view does not). */
  private ticketRecord(id: string): Ticket | undefined {
    const row = this.st.ticketById.get(id);
    return row ? ticketOfRow(row) : undefined;
  }

  execute(command: Command, actor: Actor): Executed {
    return this.executeBatch([{ command, actor }])[0]!;
  }

  /**
   * Runs commands that arrived together in one outer transaction (group commit: one disk flush for
   * the lot). Each command is still its own transaction inside it, a savepoint: a refusal or a
   * failure of one leaves the others whole. Listeners hear all the batch's events once it is durable.
   */
  executeBatch(batch: readonly { command: Command; actor: Actor }[]): Executed[] {
    let results: Executed[];
    try {
      // One command alone needs no savepoint inside its transaction.
      results = batch.length === 1 ? [this.runEntry(batch[0]!)] : this.runBatch(batch);
    } catch (error) {
      // The transaction rolled back; the view may hold part of it, so it is read again from the tables.
      this.view = this.load();
      throw error;
    }
    const events = results.flatMap((r) => r.events);
    if (events.length > 0) for (const listener of this.listeners) listener(events);
    return results;
  }

  private runEntry({ command, actor }: { command: Command; actor: Actor }): Executed {
    const first = this.answerOf(command.id);
    if (first) return { answer: first, events: [], repeated: true };
    this.viewTouched = false;
    try {
      return this.runOne(command, actor);
    } catch (error) {
      // A bug in one command: its transaction (a savepoint in a batch) is rolled back and the rest of
      // the batch goes on. Deciding never changes the view; only when the command's events had been
      // folded in is the view read again (this connection sees the batch so far).
      console.error('a command failed', command.type, error);
      if (this.viewTouched) this.view = this.load();
      return { answer: { ok: false, code: 'internal', message: 'the hub could not record this command' }, events: [], repeated: false };
    }
  }

  /**
   * Opens the new hall day when midnight has passed, so that screens start the day empty without
   * waiting for the first ticket. Commands open it too; this is for the quiet hours.
   */
  openDayIfDue(): HallEvent[] {
    if (dayChange(this.view, this.clock()).length === 0) return [];
    let appended: HallEvent[];
    try {
      appended = this.db.transaction(() => {
        const out: HallEvent[] = [];
        for (const body of dayChange(this.view, this.clock())) out.push(this.append(body, this.clock()));
        return out;
      })();
    } catch (error) {
      this.view = this.load();
      throw error;
    }
    if (appended.length > 0) for (const listener of this.listeners) listener(appended);
    return appended;
  }

  private append(body: EventBody, now: number, commandId?: string, staff?: StaffRef): HallEvent {
    const event = { ...body, seq: this.view.seq + 1, at: now, ...(commandId ? { commandId } : {}), ...(staff ? { staff } : {}) } as HallEvent;
    // The row's columns hold the sequence, time and type, the body the rest. The command that made
    // it is found through the command's answer, while that is kept (see eventsSince).
    const { type, ...rest } = body;
    this.st.appendEvent.run(event.seq, now, type, null, JSON.stringify(staff ? { ...rest, staff } : rest));
    this.viewTouched = true;
    applyEvent(this.view, event);
    this.persist(event);
    return event;
  }

  private decideAndAppend(command: Command, actor: Actor): Executed {
    const now = this.clock();
    const id = command.id;
    // The command is decided as it came: the rules read only its own fields, never its id or time.
    const body: CommandBody = command;
    if (isExpired(command, now)) {
      this.st.recordAnswer.run(id, actor.terminal, command.type, now, JSON.stringify(EXPIRED_ANSWER), null, null);
      return { answer: EXPIRED_ANSWER, events: [], repeated: false };
    }
    const appended: HallEvent[] = [];
    const staff = actor.role === 'admin' ? actor.staff : undefined;
    for (const dayEvent of dayChange(this.view, now)) appended.push(this.append(dayEvent, now));
    const refusal = this.precheck(body, now);
    const decided = refusal ?? decide(this.view, body, { now, actor, earlierRatings: this.earlierRatings(body), caseOf: this.caseRecord, followUpOf: this.followUpRecord });
    if (!decided.ok) {
      const answer: Answer = {
        ok: false,
        code: decided.code,
        message: decided.message,
        ...(decided.tickets ? { tickets: decided.tickets } : {}),
        ...(decided.materials ? { materials: decided.materials } : {}),
      };
      this.st.recordAnswer.run(id, actor.terminal, command.type, now, JSON.stringify(answer), null, null);
      return { answer, events: appended, repeated: false };
    }
    // A console change is audited with the part of the hall it changes, before and after (in this transaction).
    const before = staff ? auditSubject(this.view, body) : undefined;
    const firstSeq = this.view.seq + 1;
    for (const e of decided.value.events) appended.push(this.append(e, now, id, staff));
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
      if (recorded?.type === 'case.recorded') this.st.putPersonal.run(recorded.case.number, JSON.stringify(body.applicant), now);
    }
    const ticket = decided.value.ticket ? this.view.tickets.get(decided.value.ticket.id) : undefined;
    const seq = this.view.seq;
    // The answer is kept without its ticket, which the tables hold: a repeat gets the ticket as it stands.
    const stored: StoredAnswer = { ok: true, seq, ...(ticket ? { ticketId: ticket.id } : {}) };
    const made = seq >= firstSeq;
    this.st.recordAnswer.run(id, actor.terminal, command.type, now, JSON.stringify(stored), made ? firstSeq : null, made ? seq : null);
    return { answer: { ok: true, seq, ...(ticket ? { ticket } : {}) }, events: appended, repeated: false };
  }


  /** A QR rating of a service from an earlier day: its first rating, from the table (the view keeps today's only). */
  private earlierRatings(body: CommandBody): Rating[] | undefined {
    if (body.type !== 'rate' || body.channel !== 'qr' || !body.ticketId || this.view.ratings.has(body.ticketId)) return undefined;
    return this.st.ratingsOfTicket.all(body.ticketId).map(ratingOfRow);
  }

  /** A follow-up as the hall's records hold it (an earlier day's, which the view does not). */
  private readonly followUpRecord = (id: string): FollowUp | undefined => {
    const row = this.st.followUpById.get(id);
    return row ? (JSON.parse(row.body) as FollowUp) : undefined;
  };

  /** A case as the hall's records hold it (an earlier day's, which the view does not). */
  private readonly caseRecord = (number: string): Case | undefined => {
    const row = this.st.caseByNumber.get(number);
    return row ? caseOfRow(row) : undefined;
  };

  /**
   * Correction cases whose deadline is before `day` and which have not lapsed yet, at most `limit`.
   * Cases recorded before notices carried a deadline get theirs computed and stored first.
   */
  correctionsDue(day: string, limit = 500): string[] {
    for (const c of this.st.correctionsWithoutDeadline.all(limit).map(caseOfRow)) this.st.setDeadline.run(correctionDeadline(c, this.view.catalogue) ?? day, c.number);
    return this.st.correctionsDue.all(day, limit).map((r) => r.number);
  }

  /** Removes command answers older than the window they are kept for; says how many went. */
  pruneAnswers(): number {
    return this.retention.pruneBefore(this.clock());
  }

  /** What only the hub can check: a clerk's PIN (kept out of the pure rules and out of every event). */
  private precheck(body: CommandBody, now: number): Refusal | undefined {
    if (body.type !== 'signIn') return undefined;
    const check = this.pins.check(body.clerk, body.pin, now);
    if (check.ok && check.mustChange)
      return { ok: false, code: 'pin-change-required', message: `clerk ${body.clerk} still has the initial PIN: choose your own in the console (/console) first` };
    return check.ok ? undefined : { ok: false, code: check.code, message: check.message };
  }

  /** The applicant of a case, in full, for staff whose role needs it; every read is logged (H-19). */
  applicantOf(caseNumber: string, who: string, purpose: string): unknown {
    const row = this.db.prepare<[string], { applicant: string }>('SELECT applicant FROM personal_data WHERE case_number = ?').get(caseNumber);
    this.db.prepare('INSERT INTO personal_data_access (at, who, case_number, purpose) VALUES (?, ?, ?, ?)').run(this.clock(), who, caseNumber, purpose);
    return row ? JSON.parse(row.applicant) : undefined;
  }

  caseOf(number: string): unknown {
    return this.caseRecord(number);
  }

  ratingsOn(day: string): Rating[] {
    return this.st.ratingsOfDay.all(day).map(ratingOfRow);
  }

  /** The follow-ups still open, all of them (their steps are due within days). */
  openFollowUps(): FollowUp[] {
    return this.st.openFollowUps.all().map((r) => JSON.parse(r.body) as FollowUp);
  }

  /** Closed follow-ups, newest first, a page at a time: `next` is the cursor of the following page. */
  closedFollowUps(page: { before?: number; limit?: number } = {}): { followUps: FollowUp[]; next?: number } {
    const limit = Math.min(page.limit ?? FOLLOW_UP_PAGE, FOLLOW_UP_PAGE);
    const rows = this.st.closedFollowUps.all(page.before ?? Number.MAX_SAFE_INTEGER, limit);
    const last = rows[rows.length - 1];
    return { followUps: rows.map((r) => JSON.parse(r.body) as FollowUp), ...(rows.length === limit && last ? { next: last.rowid } : {}) };
  }

  /** Brings the read tables in line with what `event` changed in the view. */
  private persistTicket(id: string, seq: number, isNew = false): Ticket | undefined {
    const t = this.view.tickets.get(id);
    if (!t) return undefined;
    const body = ticketBody(t);
    if (isNew || this.st.updateTicket.run(t.serviceCode, t.state, seq, body, t.id).changes === 0)
      this.st.putTicket.run(t.id, t.day, t.number, t.serviceCode, t.state, t.lane, t.issuedAt, seq, body);
    return t;
  }

  private persistWindow(n: number): void {
    const w = this.view.windows.get(n);
    if (w) this.st.putWindow.run(n, JSON.stringify(w));
  }

  private persist(event: HallEvent): void {
    const v = this.view;
    const seq = event.seq;
    switch (event.type) {
      case 'catalogue.replaced':
        this.st.putHall.run('catalogue', JSON.stringify(v.catalogue));
        this.st.putHall.run('pending', JSON.stringify(v.pending));
        for (const w of v.windows.keys()) this.persistWindow(w);
        break;
      case 'window.itemsAssigned':
      case 'window.temporaryOpened':
      case 'item.todaySet':
      case 'calendar.yearSet':
        this.st.putHall.run('catalogue', JSON.stringify(v.catalogue));
        this.st.putHall.run('pending', JSON.stringify(v.pending));
        if (event.type === 'window.temporaryOpened') this.persistWindow(event.window.number);
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
        for (const w of v.windows.keys()) this.persistWindow(w);
        break;
      case 'appointment.booked': {
        const a = v.appointments.get(event.code)!;
        this.st.putAppointment.run(a.code, a.day, JSON.stringify(a));
        break;
      }
      case 'ticket.issued': {
        const t = this.persistTicket('id' in event.ticket ? event.ticket.id : `${v.day}-${event.ticket.number}`, seq, true)!;
        const key = counterKey(t.day, parseTicketNumber(t.number)!.prefix);
        this.st.putCounter.run(key, v.counters.get(key) ?? 0);
        if (t.appointment) {
          const a = v.appointments.get(t.appointment.code);
          if (a) this.st.putAppointment.run(a.code, a.day, JSON.stringify(a));
        }
        break;
      }
      case 'ticket.finished': {
        const t = this.persistTicket(event.id, seq)!;
        this.st.putServiceTimes.run(t.serviceCode, JSON.stringify(v.serviceTimes.get(t.serviceCode) ?? []));
        break;
      }
      case 'ticket.called':
        this.persistTicket(event.id, seq);
        this.persistWindow(event.window);
        break;
      case 'ticket.voided': {
        const t = this.persistTicket(event.id, seq);
        const a = t?.appointment ? v.appointments.get(t.appointment.code) : undefined;
        if (a) this.st.putAppointment.run(a.code, a.day, JSON.stringify(a));
        break;
      }
      case 'ticket.recalled':
      case 'ticket.started':
      case 'ticket.noShow':
      case 'ticket.held':
      case 'ticket.transferred':
        this.persistTicket(event.id, seq);
        break;
      case 'window.opened':
      case 'window.closed':
      case 'window.paused':
      case 'window.resumed':
        this.persistWindow(event.window);
        break;
      case 'case.recorded':
      case 'case.amended': {
        const c = v.cases.get(event.case.number)!;
        const deadline = c.state === 'correction' ? (correctionDeadline(c, v.catalogue) ?? null) : null;
        this.st.putCase.run(c.number, c.serviceCode, c.state, v.day, event.seq, caseBody(c, v.day), deadline);
        const key = counterKey(v.day, 'SL');
        if (v.counters.has(key)) this.st.putCounter.run(key, v.counters.get(key));
        break;
      }
      case 'case.lapsed':
        this.st.lapseCase.run(event.seq, event.number);
        break;
      case 'rating.recorded': {
        const r = v.ratings.get(event.rating.ticketId)!.at(-1)!;
        this.st.putRating.run(r.id, r.ticketId, v.day, r.level, r.window, r.clerk ?? null, ratingBody(r));
        break;
      }
      case 'rating.amended': {
        const r = v.ratings.get(event.ticketId)?.find((x) => x.id === event.ratingId);
        if (r) this.st.amendRating.run(ratingBody(r), r.id);
        break;
      }
      case 'followUp.opened':
      case 'followUp.advanced':
      case 'followUp.appealed': {
        const f = v.followUps.get(event.type === 'followUp.opened' ? event.followUp.id : event.id)!;
        this.st.putFollowUp.run(f.id, f.closed ? 1 : 0, JSON.stringify(f), v.day);
        break;
      }
      case 'devices.reported':
        this.st.putHall.run(`devices:${event.terminal}`, JSON.stringify(v.devices.get(event.terminal)));
        break;
    }
  }
}
