import {
  applyEvent,
  emptyView,
  issuedItem,
  localTime,
  unconfiguredCatalogue,
  type Case,
  type Catalogue,
  type FollowUp,
  type HallEvent,
  type HallView,
  type Outcome,
  type RatingLevel,
  type Ticket,
} from '@servicehall/core';
import { bucketOf } from './buckets';
import { COUNTER_FAMILY, FACT_TABLE_LIST, FACT_TABLES, MAX_COUNTERS, PAUSE_COUNTERS, type Counter, type FactTable, type PlaceColumns, type RowChange } from './schema';

/** Where and when a fact happened: the key of its rows in every fact table. */
export interface FactPlace {
  /** The hall's local day (YYYY-MM-DD), its month (YYYY-MM) and hour (0-23). */
  day: string;
  month: string;
  hour: number;
  serviceCode: string;
  department: string;
  window: number;
  clerk: string;
  /** A pause's reason (pauses only). */
  reason?: string;
}

/** Counters to add at one place: what one event changes in the fact tables. */
export interface FactIncrement extends FactPlace {
  add: Partial<Record<Counter, number>>;
}

/** What an event's facts need of the view as it stood before the event (the view after it is passed too). */
export interface Before {
  ticket?: Ticket;
  window?: { clerk?: string; pausedSince?: number; pauseReason?: string };
  followUp?: FollowUp;
}

export interface FactOptions {
  /** A case the view no longer holds (an earlier day's, lapsing now), from the hall's records. */
  caseOf?: (number: string) => Case | undefined;
}

/** Takes what `eventFacts` needs of the view before `event` is applied to it. */
export function factsBefore(view: HallView, event: HallEvent): Before {
  switch (event.type) {
    case 'ticket.called':
    case 'ticket.recalled':
    case 'ticket.started':
    case 'ticket.finished':
    case 'ticket.noShow':
    case 'ticket.held':
    case 'ticket.transferred':
    case 'ticket.voided':
    case 'ticket.dayEnded':
      return { ticket: view.tickets.get(event.id) };
    case 'window.resumed':
    case 'window.closed': {
      const w = view.windows.get(event.window);
      return w ? { window: { clerk: w.clerk, pausedSince: w.pausedSince, pauseReason: w.pauseReason } } : {};
    }
    case 'followUp.advanced':
      return { followUp: view.followUps.get(event.id) ?? event.followUp };
    default:
      return {};
  }
}

/** The department a fact belongs to: its item's, else its window's, else its clerk's. */
export function departmentOf(catalogue: Catalogue, serviceCode: string, window: number, clerk: string): string {
  const item = serviceCode ? catalogue.items.find((i) => i.code === serviceCode) : undefined;
  if (item) return item.department;
  const w = window ? catalogue.windows.find((x) => x.number === window) : undefined;
  if (w?.department) return w.department;
  return (clerk ? catalogue.clerks.find((c) => c.number === clerk)?.department : undefined) ?? '';
}

/**
 * The hall's day and hour of an instant, remembered per quarter of an hour (every zone's offset is
 * a whole number of quarters): the fact rules ask it several times an event, for times all over the day.
 */
const hours = new Map<string, { day: string; minutes: number }>();
function localHour(at: number, tz: string): { day: string; minutes: number } {
  const quarter = Math.floor(at / 900_000);
  const key = `${tz}|${quarter}`;
  let h = hours.get(key);
  if (!h) {
    if (hours.size > 50_000) hours.clear();
    const t = localTime(quarter * 900_000, tz);
    hours.set(key, (h = { day: t.day, minutes: t.minutes - (t.minutes % 60) }));
  }
  return h;
}

/** An event's fact row at a desk and time: its place in the fact tables, with the counters it adds. */
function placer(catalogue: Catalogue) {
  const tz = catalogue.hall.timeZone;
  const departments = new Map<string, string>();
  return (at: number, serviceCode: string, window: number | undefined, clerk: string | undefined, add: FactIncrement['add'], reason?: string): FactIncrement => {
    const local = localHour(at, tz);
    const w = window ?? 0;
    const c = clerk ?? '';
    const dk = `${serviceCode}|${w}|${c}`;
    let department = departments.get(dk);
    if (department === undefined) departments.set(dk, (department = departmentOf(catalogue, serviceCode, w, c)));
    return {
      day: local.day,
      month: local.day.slice(0, 7),
      hour: Math.floor(local.minutes / 60),
      serviceCode,
      department,
      window: w,
      clerk: c,
      ...(reason !== undefined ? { reason } : {}),
      add,
    };
  };
}
type Place = ReturnType<typeof placer>;
const placers = new WeakMap<Catalogue, Place>();
function placerOf(catalogue: Catalogue): Place {
  let p = placers.get(catalogue);
  if (!p) placers.set(catalogue, (p = placer(catalogue)));
  return p;
}

const seconds = (ms: number) => Math.max(0, Math.round(ms / 1000));

/** Issued: when and for what item (the one it was issued for, wherever a transfer sent it). */
const issuedFact = (t: Ticket, place: Place): FactIncrement => place(t.issuedAt, issuedItem(t), 0, '', t.state === 'voided' ? { issued: 1, voided: 1 } : { issued: 1 });

/** The first call and the wait before it, at the desk that first called it (a transfer passes the ticket on from there; 首问负责). */
function calledFact(t: Ticket, place: Place): FactIncrement {
  const first = t.transfers[0];
  const desk = first ? { code: first.fromService, window: first.fromWindow, clerk: t.firstClerk } : { code: t.serviceCode, window: t.window, clerk: t.clerk };
  const wait = seconds(t.calledAt! - t.issuedAt);
  return place(t.calledAt!, desk.code, desk.window, desk.clerk, { called: 1, wait_s: wait, wait_max_s: wait, [`w${bucketOf(wait)}`]: 1 });
}

function servedFact(t: Ticket, place: Place): FactIncrement {
  const service = seconds(t.finishedAt! - (t.servingAt ?? t.finishedAt!));
  return place(t.finishedAt!, t.serviceCode, t.window, t.clerk, { served: 1, service_s: service, service_max_s: service, [`s${bucketOf(service)}`]: 1 });
}

const noShowFact = (t: Ticket, place: Place): FactIncrement => place(t.lastCalledAt ?? t.calledAt ?? t.issuedAt, t.serviceCode, t.window, t.clerk, { no_shows: 1 });

/** 未办理: the hall day ended before it was served; at the desk that last called it (then as a no-show is), else at its item when issued. */
const unservedFact = (t: Ticket, place: Place): FactIncrement =>
  t.calledAt !== undefined ? place(t.lastCalledAt ?? t.calledAt, t.serviceCode, t.window, t.clerk, { unserved: 1 }) : place(t.issuedAt, t.serviceCode, 0, '', { unserved: 1 });

/** A transfer or referral, at the desk that passed the ticket on: the record names the clerk of the first desk only, a later one is the window's. */
function transferFact(t: Ticket, i: number, place: Place): FactIncrement {
  const tr = t.transfers[i]!;
  return place(tr.at, tr.fromService, tr.fromWindow, i === 0 ? t.firstClerk : undefined, tr.referral ? { referred: 1 } : { transferred: 1 });
}

/**
 * A ticket's facts as its record stands, which its events add one by one: issued (when and for
 * what), its first call and wait, its service (where it was finished), its no-show, its transfers
 * and referrals, voided. The events' increments of a ticket always sum to these (tested).
 */
export function ticketFacts(t: Ticket, catalogue: Catalogue): FactIncrement[] {
  const place = placerOf(catalogue);
  const out = [issuedFact(t, place)];
  if (t.calledAt !== undefined) out.push(calledFact(t, place));
  if (t.state === 'done' && t.finishedAt !== undefined) out.push(servedFact(t, place));
  if (t.state === 'no-show') out.push(noShowFact(t, place));
  if (t.dayEndedAt !== undefined && t.state !== 'done') out.push(unservedFact(t, place));
  t.transfers.forEach((_, i) => out.push(transferFact(t, i, place)));
  return out;
}

const OUTCOME_COUNTER: Record<Outcome, Counter> = { accepted: 'accepted', correction: 'corrections', rejected: 'rejected', consultation: 'consultations' };
const LEVEL_COUNTER: Record<RatingLevel, Counter> = {
  'very-satisfied': 'rated_very_satisfied',
  satisfied: 'rated_satisfied',
  'basically-satisfied': 'rated_basically_satisfied',
  dissatisfied: 'rated_dissatisfied',
  'very-dissatisfied': 'rated_very_dissatisfied',
};

/** Whether a follow-up step was done after the working day it was due. */
const late = (f: FollowUp, step: FollowUp['done'][number], tz: string) => {
  const due = f.due[step.step];
  return due !== undefined && localTime(step.at, tz).day > due;
};

/**
 * The fact rule: what one hall event adds to the fact tables, from the event, what the view held
 * before it (factsBefore) and the view after it. Pure; the hub applies the increments in the
 * event's own transaction, the city applies the same to PostgreSQL.
 */
export function eventFacts(event: HallEvent, before: Before, view: HallView, options: FactOptions = {}): FactIncrement[] {
  const place = placerOf(view.catalogue);
  switch (event.type) {
    case 'ticket.issued': {
      const t = view.tickets.get('id' in event.ticket ? event.ticket.id : `${view.day}-${event.ticket.number}`);
      return t ? [issuedFact(t, place)] : [];
    }
    case 'ticket.called': {
      const t = view.tickets.get(event.id);
      // Only the first call: a ticket called back, recalled or called again after a transfer arrived once.
      return t && t.calledAt !== undefined && before.ticket?.calledAt === undefined ? [calledFact(t, place)] : [];
    }
    case 'ticket.finished': {
      const t = view.tickets.get(event.id);
      return t?.state === 'done' && t.finishedAt !== undefined ? [servedFact(t, place)] : [];
    }
    case 'ticket.dayEnded': {
      const t = view.tickets.get(event.id);
      if (!t || before.ticket?.dayEndedAt !== undefined) return [];
      return [t.state === 'done' ? servedFact(t, place) : unservedFact(t, place)];
    }
    case 'ticket.noShow': {
      const t = view.tickets.get(event.id);
      return t?.state === 'no-show' ? [noShowFact(t, place)] : [];
    }
    case 'ticket.transferred': {
      const t = view.tickets.get(event.id);
      return t && t.transfers.length ? [transferFact(t, t.transfers.length - 1, place)] : [];
    }
    case 'ticket.voided': {
      const t = view.tickets.get(event.id);
      return t && before.ticket?.state !== 'voided' ? [place(t.issuedAt, issuedItem(t), 0, '', { voided: 1 })] : [];
    }
    case 'window.resumed':
    case 'window.closed': {
      const w = before.window;
      if (w?.pausedSince === undefined) return [];
      const ended = event.type === 'window.closed' ? (event.happenedAt ?? event.at) : event.at;
      return [place(w.pausedSince, '', event.window, w.clerk, { pauses: 1, paused_s: seconds(ended - w.pausedSince) }, w.pauseReason ?? '')];
    }
    case 'rating.recorded': {
      const r = view.ratings.get(event.rating.ticketId)?.at(-1);
      if (!r) return [];
      const add: FactIncrement['add'] = { rated: 1, [LEVEL_COUNTER[r.level]]: 1 };
      if (r.isDefault) add.rated_default = 1;
      if (r.count === 2) add.rated_second = 1;
      return [place(r.at, r.serviceCode, r.window, r.clerk, add)];
    }
    case 'case.recorded':
    case 'case.amended': {
      const c = view.cases.get(event.case.number);
      if (!c) return [];
      const add: FactIncrement['add'] = { [OUTCOME_COUNTER[event.outcome]]: 1 };
      if (event.type === 'case.amended') {
        add[OUTCOME_COUNTER[event.from]] = (add[OUTCOME_COUNTER[event.from]] ?? 0) - 1;
        add.amended = 1;
      }
      const notice = c.notices.at(-1);
      if (event.outcome === 'correction' && notice?.at === event.at && notice.breach) add.breaches = 1;
      return [place(event.at, c.serviceCode, c.window, c.clerk, add)];
    }
    case 'case.lapsed': {
      const c = view.cases.get(event.number) ?? options.caseOf?.(event.number);
      return [place(event.at, c?.serviceCode ?? '', c?.window, c?.clerk, { lapsed: 1 })];
    }
    case 'followUp.opened': {
      const f = event.followUp;
      return [place(event.at, '', f.window, f.clerk, { follow_ups_opened: 1 })];
    }
    case 'followUp.advanced': {
      const f = view.followUps.get(event.id);
      if (!f) return [];
      const add: FactIncrement['add'] = {};
      const step = f.done.at(-1);
      if (step && late(f, step, view.catalogue.hall.timeZone)) add.follow_ups_late = 1;
      if (f.closed && !before.followUp?.closed) add.follow_ups_closed = 1;
      return Object.keys(add).length ? [place(event.at, '', f.window, f.clerk, add)] : [];
    }
    case 'complaint.changed': {
      const c = event.complaint;
      const add: FactIncrement['add'] = {};
      if (event.action === 'registered') add.complaints = 1;
      if (event.action === 'replied') {
        add.complaints_replied = 1;
        // Replied after its last working day (H-15).
        if (localHour(event.at, view.catalogue.hall.timeZone).day > c.due) add.complaints_replied_late = 1;
      }
      if (event.action === 'escalated') add.complaints_escalated = 1;
      if (event.action === 'closed') {
        add.complaints_closed = 1;
        if (c.closed?.satisfied) add.complaints_satisfied = 1;
      }
      if (!Object.keys(add).length) return [];
      // A complaint about a window or clerk counts at that desk; one about the hall as a whole, at its department (or none).
      const fact = place(event.at, '', c.about.window, c.about.clerk, add);
      fact.department = c.department ?? fact.department;
      return [fact];
    }
    case 'followUp.appealed': {
      const f = view.followUps.get(event.id) ?? event.followUp;
      return f ? [place(event.at, '', f.window, f.clerk, { follow_ups_appealed: 1 })] : [];
    }
    default:
      return [];
  }
}

/**
 * Folds a hall's log from its first event and says each event's facts: for rebuilding the fact
 * tables from the log (a hub upgraded to reports, the city's copy), with the same rules as the hub.
 */
export class FactFolder {
  readonly view: HallView;
  constructor(
    private readonly options: FactOptions = {},
    catalogue: Catalogue = unconfiguredCatalogue(),
  ) {
    this.view = emptyView(catalogue, '');
  }

  apply(event: HallEvent): FactIncrement[] {
    const before = factsBefore(this.view, event);
    applyEvent(this.view, event);
    return eventFacts(event, before, this.view, this.options);
  }
}

/** Each fact place's field by the key column that holds it. */
const PLACE_OF: Record<keyof PlaceColumns, (f: FactIncrement) => string | number> = {
  day: (f) => f.day,
  month: (f) => f.month,
  hour: (f) => f.hour,
  service_code: (f) => f.serviceCode,
  department: (f) => f.department,
  window_no: (f) => f.window,
  clerk: (f) => f.clerk,
  reason: (f) => f.reason ?? '',
};

const SUMMED_TABLES = FACT_TABLE_LIST.map((table) => ({
  table,
  pauses: table === FACT_TABLES.pauses,
  keyOf: table.keys.map((k) => PLACE_OF[k as keyof PlaceColumns]),
}));

const IS_PAUSE_COUNTER = new Set<string>(PAUSE_COUNTERS);

/** Each counter's family as one bit of a number (the families are few). */
const FAMILY_BIT: ReadonlyMap<string, number> = (() => {
  const families = [...new Set(COUNTER_FAMILY.values())];
  if (families.length > 31) throw new Error(`${families.length} counter families: more than the bits of a number`);
  return new Map([...COUNTER_FAMILY].map(([c, family]) => [c, 1 << families.indexOf(family)]));
})();

/** A table's counters of the families in `moved` (FAMILY_BIT), in its order: one list for each shape, kept. */
const shapes = new Map<FactTable, Map<number, readonly string[]>>();
function countersMoved(table: FactTable, moved: number): readonly string[] {
  const ofTable = shapes.get(table) ?? shapes.set(table, new Map()).get(table)!;
  let counters = ofTable.get(moved);
  if (!counters) ofTable.set(moved, (counters = (table.counters as readonly string[]).filter((c) => (FAMILY_BIT.get(c)! & moved) !== 0)));
  return counters;
}

/**
 * Increments summed per row of every fact table (counters add, maxima keep the larger): a batch of
 * commands, or a fold of the log, makes many increments of the same rows (the hour's, the desk's,
 * the month's), written then as one row change per row. The hub's batches and the city's shipping
 * both write what this sums.
 */
export class FactSums {
  /** The rows summed, by table (a table's rows are taken alone: see take), then by key. */
  private readonly rows = new Map<FactTable, Map<string, { keys: (string | number)[]; add: Map<string, number> }>>();

  /**
   * `into`: the tables that take these increments (every table by default): a fold of the log that
   * makes again the increments of tables written up to different events (the hub writes one table
   * at a time) gives each table those of the events after its own last one.
   */
  add(facts: Iterable<FactIncrement>, into?: (table: FactTable) => boolean): void {
    for (const f of facts) {
      const counters = Object.keys(f.add).filter((c) => f.add[c as Counter] !== 0);
      if (counters.length === 0) continue;
      for (const { table, pauses, keyOf } of SUMMED_TABLES) {
        if (pauses && f.reason === undefined) continue;
        if (into && !into(table)) continue;
        const keys = keyOf.map((of) => of(f));
        const k = keys.join('\u0000');
        let row = this.rows.get(table)?.get(k);
        for (const c of counters) {
          if (pauses && !IS_PAUSE_COUNTER.has(c)) continue;
          if (!row) {
            row = { keys, add: new Map() };
            const ofTable = this.rows.get(table) ?? this.rows.set(table, new Map()).get(table)!;
            ofTable.set(k, row);
          }
          const v = f.add[c as Counter]!;
          const was = row.add.get(c);
          row.add.set(c, MAX_COUNTERS.has(c) ? Math.max(was ?? 0, v) : (was ?? 0) + v);
        }
      }
    }
  }

  get size(): number {
    let n = 0;
    for (const ofTable of this.rows.values()) n += ofTable.size;
    return n;
  }

  /** Whether rows of `table` wait (of any table, when none is named). */
  has(table?: FactTable): boolean {
    return table ? (this.rows.get(table)?.size ?? 0) > 0 : this.size > 0;
  }

  /**
   * The rows summed so far (of `only`, when it is named), and forgets them: each with every counter
   * of the families it moved (COUNTER_FAMILY), in its table's order, 0 for those of them that did not move.
   */
  take(only?: FactTable): RowChange[] {
    const out: RowChange[] = [];
    // A Map read on while its entries are deleted gives each entry still there once.
    for (const table of only ? [only] : this.rows.keys()) {
      const ofTable = this.rows.get(table);
      if (!ofTable) continue;
      this.rows.delete(table);
      for (const row of ofTable.values()) {
        // The families moved, as bits (FAMILY_BIT); a table's rows share a few such shapes, each one list.
        let moved = 0;
        for (const [c, v] of row.add) if (v !== 0) moved |= FAMILY_BIT.get(c)!;
        if (moved === 0) continue;
        const counters = countersMoved(table, moved);
        const values = new Array<string | number>(row.keys.length + counters.length);
        for (let i = 0; i < row.keys.length; i++) values[i] = row.keys[i]!;
        for (let i = 0; i < counters.length; i++) values[row.keys.length + i] = row.add.get(counters[i]!) ?? 0;
        out.push({ table, counters, values });
      }
    }
    return out;
  }
}
