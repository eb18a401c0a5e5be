import {
  applyEvent,
  dayChange,
  decide,
  emptyView,
  hallDay,
  reindex,
  toSnapshot,
  type Actor,
  type Catalogue,
  type Command,
  type EventBody,
  type HallEvent,
  type HallSnapshot,
  type HallView,
  type Ticket,
} from '@servicehall/core';
import type { Answer } from '@servicehall/protocol';
import type { Db } from './db';

export interface Executed {
  answer: Answer;
  /** Events this command appended; empty for a refusal or a repeated id. */
  events: HallEvent[];
  /** The id had been seen: this is the first answer again and nothing changed. */
  repeated: boolean;
}

export type EventListener = (events: HallEvent[]) => void;

/**
 * The hall's single writer. A command is one function inside one SQLite transaction: the rules in
 * core decide it, its events go to the append-only log with the next sequence numbers, the read
 * tables follow, and its answer is stored under its id so that a retry gets the same answer.
 */
export class HallStore {
  view: HallView;
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
      putAppointment: db.prepare('INSERT INTO appointments (code, day, body) VALUES (?, ?, ?) ON CONFLICT (code) DO UPDATE SET body = excluded.body'),
      putServiceTimes: db.prepare(
        'INSERT INTO service_times (service_code, body) VALUES (?, ?) ON CONFLICT (service_code) DO UPDATE SET body = excluded.body',
      ),
      putHall: db.prepare('INSERT INTO hall (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value'),
    };
    this.view = this.load();
  }

  /** Whether the hall has a catalogue yet (a new database has none until one is seeded or put). */
  static hasCatalogue(db: Db): boolean {
    return !!db.prepare("SELECT 1 FROM hall WHERE key = 'catalogue'").get();
  }

  /** Seeds a new database with its first catalogue, once. */
  static seed(db: Db, catalogue: Catalogue, now: number): void {
    if (HallStore.hasCatalogue(db)) return;
    db.transaction(() => {
      const day = hallDay(now, catalogue.hall.timeZone);
      db.prepare('INSERT INTO events (seq, at, type, command_id, body) VALUES (?, ?, ?, ?, ?)').run(
        1,
        now,
        'catalogue.replaced',
        'seed',
        JSON.stringify({ seq: 1, at: now, commandId: 'seed', type: 'catalogue.replaced', catalogue }),
      );
      const put = db.prepare('INSERT INTO hall (key, value) VALUES (?, ?)');
      put.run('catalogue', JSON.stringify(catalogue));
      put.run('day', day);
    })();
  }

  private load(): HallView {
    const row = (key: string) => (this.db.prepare<[string], { value: string }>('SELECT value FROM hall WHERE key = ?').get(key))?.value;
    const catalogueText = row('catalogue');
    if (!catalogueText) throw new Error('the hall database has no catalogue yet: seed one first');
    const catalogue = JSON.parse(catalogueText) as Catalogue;
    const day = row('day') ?? hallDay(this.clock(), catalogue.hall.timeZone);
    const view = emptyView(catalogue, day);
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
    return reindex(view);
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
      results = this.db.transaction(() =>
        batch.map(({ command, actor }) => {
          const first = this.answerOf(command.id);
          if (first) return { answer: first, events: [], repeated: true };
          return this.db.transaction(() => this.decideAndAppend(command, actor))();
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

  private decideAndAppend(command: Command, actor: Actor): Executed {
    const now = this.clock();
    const appended: HallEvent[] = [];
    const append = (body: EventBody, commandId?: string) => {
      const event = { ...body, seq: this.view.seq + 1, at: now, ...(commandId ? { commandId } : {}) } as HallEvent;
      this.st.appendEvent.run(event.seq, now, event.type, commandId ?? null, JSON.stringify(event));
      applyEvent(this.view, event);
      this.persist(event);
      appended.push(event);
    };
    for (const body of dayChange(this.view, now)) append(body);
    const { id, ...body } = command;
    const decided = decide(this.view, body, { now, actor });
    let answer: Answer;
    if (decided.ok) {
      for (const e of decided.value.events) append(e, id);
      const ticket = decided.value.ticket ? this.view.tickets.get(decided.value.ticket.id) : undefined;
      answer = { ok: true, seq: this.view.seq, ...(ticket ? { ticket } : {}) };
    } else {
      answer = { ok: false, code: decided.code, message: decided.message };
    }
    this.st.recordAnswer.run(id, actor.terminal, command.type, now, JSON.stringify(answer));
    return { answer, events: appended, repeated: false };
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
        for (const w of v.windows.keys()) window(w);
        break;
      case 'day.opened':
        this.st.putHall.run('day', v.day);
        this.st.dropOldCounters.run(v.day);
        for (const w of v.windows.keys()) window(w);
        break;
      case 'appointment.booked': {
        const a = v.appointments.get(event.code)!;
        this.st.putAppointment.run(a.code, a.day, JSON.stringify(a));
        break;
      }
      case 'ticket.issued': {
        const t = ticket(event.ticket.id)!;
        const prefix = t.number.replace(/\d+$/, '');
        const key = `${t.day}|${prefix}`;
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
      case 'ticket.recalled':
      case 'ticket.started':
      case 'ticket.noShow':
      case 'ticket.held':
      case 'ticket.transferred':
      case 'ticket.voided':
        ticket(event.id);
        break;
      case 'window.opened':
      case 'window.closed':
      case 'window.paused':
      case 'window.resumed':
        window(event.window);
        break;
    }
  }
}
