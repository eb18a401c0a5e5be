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
import type { Db } from './db';
import { ClerkPins } from './pins';
import { AuditLog, auditSubject } from './staff/audit';

export interface Executed {
  answer: Answer;
  /** Events this command appended; empty for a refusal or a repeated id. */
  events: HallEvent[];
  /** The id had been seen: this is the first answer again and nothing changed. */
  repeated: boolean;
}

export type EventListener = (events: HallEvent[]) => void;

/** What the hub adds to one command: facts kept apart from events, and work done in its transaction. */
export interface ExecuteOptions {
  /** The verified phone behind a phone's command, read inside the transaction (core's DecideContext.holder). */
  holder?: () => HolderHistory;
  /** Runs inside the command's transaction once it is accepted (a phone link, a notice): they commit or roll back together. */
  within?: (answer: Extract<Answer, { ok: true }>) => void;
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
  private readonly st;

  constructor(
    private readonly db: Db,
    private readonly clock: () => number = Date.now,
  ) {
    this.st = {
      answer: db.prepare<[string], { answer: string }>('SELECT answer FROM commands WHERE id = ?'),
      recordAnswer: db.prepare('INSERT INTO commands (id, terminal, type, at, answer) VALUES (?, ?, ?, ?, ?)'),
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
      putFollowUp: db.prepare('INSERT INTO follow_ups (id, closed, body) VALUES (?, ?, ?) ON CONFLICT (id) DO UPDATE SET closed = excluded.closed, body = excluded.body'),
      putPersonal: db.prepare('INSERT INTO personal_data (case_number, applicant, stored_at) VALUES (?, ?, ?) ON CONFLICT (case_number) DO UPDATE SET applicant = excluded.applicant'),
    };
    this.pins = new ClerkPins(db);
    this.audit = new AuditLog(db);
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

  onEvents(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
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

  /** The answer first given to command `id`, if it was seen. */
  answerOf(id: string): Answer | undefined {
    const row = this.st.answer.get(id);
    return row ? (JSON.parse(row.answer) as Answer) : undefined;
  }

  execute(command: Command, actor: Actor, options?: ExecuteOptions): Executed {
    return this.executeBatch([{ command, actor, ...(options ? { options } : {}) }])[0]!;
  }

  /**
   * Runs commands that arrived together in one outer transaction (group commit: one disk flush for
   * the lot). Each command is still its own transaction inside it, a savepoint: a refusal or a
   * failure of one leaves the others whole. Listeners hear all the batch's events once it is durable.
   */
  executeBatch(batch: readonly { command: Command; actor: Actor; options?: ExecuteOptions }[]): Executed[] {
    let results: Executed[];
    try {
      results = this.db.transaction(() =>
        batch.map(({ command, actor, options }): Executed => {
          const first = this.answerOf(command.id);
          if (first) return { answer: first, events: [], repeated: true };
          try {
            return this.db.transaction(() => {
              const executed = this.decideAndAppend(command, actor, options?.holder?.());
              if (executed.answer.ok) options?.within?.(executed.answer);
              return executed;
            })();
          } catch (error) {
            // A bug in one command: its savepoint is rolled back; the view is read again (this
            // connection sees the batch so far) and the rest of the batch goes on.
            console.error('a command failed', command.type, error);
            this.view = this.load();
            return { answer: { ok: false, code: 'internal', message: 'the hub could not record this command' }, events: [], repeated: false };
          }
        }),
      )();
    } catch (error) {
      // The transaction rolled back; the view may hold part of it, so it is read again from the tables.
      this.view = this.load();
      throw error;
    }
    const events = results.flatMap((r) => r.events);
    if (events.length > 0) for (const listener of this.listeners) listener(events);
    return results;
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
    this.st.appendEvent.run(event.seq, now, event.type, commandId ?? null, JSON.stringify(event));
    applyEvent(this.view, event);
    this.persist(event);
    return event;
  }

  private decideAndAppend(command: Command, actor: Actor, holder?: HolderHistory): Executed {
    const now = this.clock();
    const appended: HallEvent[] = [];
    const staff = actor.role === 'admin' ? actor.staff : undefined;
    const append = (body: EventBody, commandId?: string) => appended.push(this.append(body, now, commandId, commandId ? staff : undefined));
    for (const body of dayChange(this.view, now)) append(body);
    const { id, ...body } = command;
    const refusal = this.precheck(body, now);
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
        if (recorded?.type === 'case.recorded') this.st.putPersonal.run(recorded.case.number, JSON.stringify(body.applicant), now);
      }
      const ticket = decided.value.ticket ? this.view.tickets.get(decided.value.ticket.id) : undefined;
      answer = { ok: true, seq: this.view.seq, ...(ticket ? { ticket } : {}) };
    } else {
      answer = { ok: false, code: decided.code, message: decided.message, ...(decided.tickets ? { tickets: decided.tickets } : {}) };
    }
    this.st.recordAnswer.run(id, actor.terminal, command.type, now, JSON.stringify(answer));
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
      case 'case.recorded': {
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
