import { CaseStateSchema, outcomeOfState, type Case, type CaseState, type HallEvent, type Rating, type Ticket } from '@servicehall/core';

/**
 * The read tables keep each record's searchable fields in columns and the rest as JSON in `body`.
 * A body leaves out what its columns hold and what follows from the rest (a default, a value equal
 * to another field's), so that a year of tickets, ratings and cases stays small; reading puts them
 * back. A field that would follow but is absent is written as null. Rows written before hold whole
 * records in their bodies, which read the same way.
 */

type Fields = Record<string, unknown>;

/** Defaults are plain values, empty lists and empty objects. */
function same(value: unknown, derived: unknown): boolean {
  if (value === derived) return true;
  if (Array.isArray(value)) return Array.isArray(derived) && value.length === 0 && derived.length === 0;
  if (value !== null && typeof value === 'object' && derived !== null && typeof derived === 'object')
    return Object.keys(value).length === 0 && Object.keys(derived).length === 0;
  return false;
}

/** The JSON of `record` without the keys its columns hold and without what `derive` tells from the rest. */
function compact(record: object, columns: readonly string[], derive: (r: Fields) => Fields): string {
  const r = record as Fields;
  const derived = derive(r);
  const out: Fields = {};
  for (const key in r) {
    const value = r[key];
    if (value === undefined || columns.includes(key)) continue;
    if (key in derived && same(value, derived[key])) continue;
    out[key] = value;
  }
  for (const key in derived) if (derived[key] !== undefined && r[key] === undefined) out[key] = null;
  return JSON.stringify(out);
}

/** The record a row holds: its body, its columns, and what follows from them. */
function expand<T>(body: string, columns: Fields, derive: (r: Fields) => Fields): T {
  const r: Fields = { ...JSON.parse(body), ...columns };
  const derived = derive(r);
  for (const key in derived) {
    if (!(key in r)) {
      if (derived[key] !== undefined) r[key] = derived[key];
    } else if (r[key] === null) delete r[key];
  }
  for (const key in r) if (r[key] === undefined || r[key] === null) delete r[key];
  return r as T;
}

export interface TicketRow {
  id: string;
  day: string;
  number: string;
  service_code: string;
  state: string;
  lane: string;
  issued_at: number;
  body: string;
}

const TICKET_COLUMNS = ['id', 'day', 'number', 'serviceCode', 'state', 'lane', 'issuedAt'];
// Called once, served by the clerk who first received it: the usual ticket.
const ticketDerived = (t: Fields): Fields => ({ recalls: 0, transfers: [], lastCalledAt: t.calledAt, firstClerk: t.clerk });

export function ticketBody(t: Ticket): string {
  return compact(t, TICKET_COLUMNS, ticketDerived);
}

export function ticketOfRow(r: TicketRow): Ticket {
  return expand(r.body, { id: r.id, day: r.day, number: r.number, serviceCode: r.service_code, state: r.state, lane: r.lane, issuedAt: r.issued_at }, ticketDerived);
}

export interface RatingRow {
  id: string;
  ticket_id: string;
  level: string;
  window: number;
  clerk: string | null;
  body: string;
}

const RATING_COLUMNS = ['id', 'ticketId', 'level', 'window', 'clerk'];
const ratingDerived = (r: Fields): Fields => ({
  aspects: {},
  reasons: [],
  count: 1,
  isDefault: false,
  anonymous: true,
  // A default rating is the system's; any other, the citizen's.
  raterType: r.isDefault === true ? 'system' : 'citizen',
  // Ticket ids are the day and the number: 2026-11-27-A012.
  ticketNumber: typeof r.ticketId === 'string' ? /^\d{4}-\d{2}-\d{2}-(.+)$/.exec(r.ticketId)?.[1] : undefined,
});

export function ratingBody(r: Rating): string {
  return compact(r, RATING_COLUMNS, ratingDerived);
}

export function ratingOfRow(r: RatingRow): Rating {
  return expand(r.body, { id: r.id, ticketId: r.ticket_id, level: r.level, window: r.window, clerk: r.clerk ?? undefined }, ratingDerived);
}

export interface CaseRow {
  number: string;
  service_code: string;
  state: string;
  day: string;
  body: string;
}

const CASE_COLUMNS = ['number', 'serviceCode', 'state'];
// A case is accepted on the day it is last recorded (accepted is its last outcome); most are received and handled by one clerk, never amended.
const caseDerived =
  (day: string) =>
  (c: Fields): Fields => ({
    notices: [],
    amendments: [],
    firstClerk: c.clerk,
    acceptedOn: c.state === 'accepted' ? day : undefined,
    // The outcome of a case's latest visit is the one its state tells, but for a consultation on a case still waiting for corrections.
    outcome: CaseStateSchema.safeParse(c.state).success ? outcomeOfState(c.state as CaseState) : undefined,
  });

/** The body of case `c` as recorded on `day` (the row's day column). */
export function caseBody(c: Case, day: string): string {
  return compact(c, CASE_COLUMNS, caseDerived(day));
}

export function caseOfRow(r: CaseRow): Case {
  return expand(r.body, { number: r.number, serviceCode: r.service_code, state: r.state }, caseDerived(r.day));
}

/** The columns a read of each table selects for these functions. */
export const TICKET_FIELDS = 'id, day, number, service_code, state, lane, issued_at, body';
export const RATING_FIELDS = 'id, ticket_id, level, window, clerk, body';
export const CASE_FIELDS = 'number, service_code, state, day, body';

/** An event as the log stores it: its sequence, time, type and command id in columns, the rest as JSON. */
export interface EventRow {
  seq: number;
  at: number;
  type: string;
  command_id: string | null;
  body: string;
}

/** The event a row holds; rows written before events were slimmed hold the whole event in their body. */
export function eventOf(r: EventRow): HallEvent {
  const event = JSON.parse(r.body) as HallEvent;
  event.seq = r.seq;
  event.at = r.at;
  event.type = r.type as HallEvent['type'];
  if (r.command_id !== null) event.commandId = r.command_id;
  return event;
}
