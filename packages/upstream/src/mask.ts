import { maskIdNumber, type Rating } from '@servicehall/core';
import type { EventRow } from '@servicehall/hub/rows';

/**
 * An event of a hall as the city receives it: its place in the hall's log, its time, its type and
 * what the city is entitled to of its body (see cityBody).
 */
export interface CityEvent {
  seq: number;
  at: number;
  type: string;
  body: Record<string, unknown>;
}

/** An event as the hall's log stores it (packages/hub rows.ts): columns and the rest as JSON. */
export type LogRow = EventRow;

/** What the hall adds to a slim event from its own tables, so that the city can read it alone. */
export interface Enrichment {
  /** ticket.issued: the ticket's id and hall day (a slim event names its number only). */
  ticket?: { id: string; day: string };
  /** rating.recorded: the rating's record (N-02) as the hall keeps it, without the citizen's words, which the event carries. */
  rating?: Omit<Rating, 'aspects' | 'reasons' | 'text' | 'amendedAt'>;
}

// A resident ID number (18 characters, or 15 digits) and a mainland mobile number, wherever a person typed them.
const ID_NUMBER = /(?<![\dA-Za-z])(\d{17}[\dXx]|\d{15})(?![\dA-Za-z])/g;
const MOBILE = /(?<!\d)(\+?86[- ]?)?(1[3-9]\d)[- ]?(\d{4})[- ]?(\d{4})(?!\d)/g;

// Half of a UTF-16 surrogate pair without its other half (words cut at a length in the middle of 😀).
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * Text as PostgreSQL's text and jsonb can hold it: each NUL character (U+0000) and each lone half of a surrogate pair
 * (JSON writes it \ud83d, which jsonb refuses) as U+FFFD, the rest as it is; either would fail the whole batch, for
 * ever. A hall's catalogue and its people's words are not the city's to trust.
 */
export const pgSafeText = (text: string): string => (text.includes('\0') ? text.replaceAll('\0', '\uFFFD') : text).replace(LONE_SURROGATE, '\uFFFD');

/** Free text with ID numbers and mobile numbers masked: 1101**********1234, 138****5678; a NUL or a lone surrogate as U+FFFD (pgSafeText). */
export function scrubText(text: string): string {
  return pgSafeText(text).replace(ID_NUMBER, (m) => maskIdNumber(m)).replace(MOBILE, (_m, _cc, a: string, _b: string, c: string) => `${a}****${c}`);
}

function scrub(value: unknown): unknown {
  if (typeof value === 'string') return scrubText(value);
  if (Array.isArray(value)) return value.map(scrub);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[pgSafeText(k)] = scrub(v);
    return out;
  }
  return value;
}

/**
 * What the city is entitled to of an event: names and ID numbers of applicants stay in the hall
 * (the case number is the reference by which the hall finds them), staff are named by id and
 * role, command ids stay behind, and ID or mobile numbers typed into any free text are masked.
 */
export function cityBody(type: string, body: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...body };
  delete out.seq;
  delete out.at;
  delete out.type;
  delete out.commandId;
  if (out.staff && typeof out.staff === 'object') {
    const staff = out.staff as { id?: unknown; role?: unknown };
    out.staff = { id: staff.id, role: staff.role };
  }
  if ((type === 'case.recorded' || type === 'case.amended') && out.case && typeof out.case === 'object') {
    const { applicant, ...rest } = out.case as Record<string, unknown>;
    out.case = applicant ? { ...rest, applicantHeld: true } : rest;
  }
  return scrub(out) as Record<string, unknown>;
}

// What may need the city's eye: an applicant, a staff member's name, the fields of an event written
// whole by an earlier version, what looks like an ID or mobile number (epoch milliseconds and case numbers do not), a NUL or half a surrogate pair.
const NEEDS_CARE = /"(applicant|staff|seq|at|type|commandId)":/;
const ID_NUMBER_ANYWHERE = new RegExp(ID_NUMBER.source);
const MOBILE_ANYWHERE = new RegExp(MOBILE.source);
// A NUL anywhere is written \u0000 in JSON text, a lone surrogate \ud83d (JSON.stringify escapes them; a pair it writes as it is).
const ESCAPED_SURROGATE = /\\u[dD][89a-fA-F]/;
const needsCare = (text: string) =>
  NEEDS_CARE.test(text) || ID_NUMBER_ANYWHERE.test(text) || MOBILE_ANYWHERE.test(text) || text.includes('\\u0000') || ESCAPED_SURROGATE.test(text);

/**
 * A row's body as the city's JSON text. Most events need nothing: the hall's own text goes, and a
 * slim ticket gets its id and day spliced in front; only an event that may hold personal data is
 * parsed and masked.
 */
export function cityBodyText(row: LogRow, enrichment: Enrichment = {}): string {
  const careful = needsCare(row.body);
  if (!careful && enrichment.ticket && row.body.startsWith('{"ticket":{'))
    return `{"ticket":{"id":${JSON.stringify(enrichment.ticket.id)},"day":${JSON.stringify(enrichment.ticket.day)},${row.body.slice('{"ticket":{'.length)}`;
  if (!careful && enrichment.rating) {
    const body = JSON.parse(row.body) as { rating: object };
    return JSON.stringify({ ...body, rating: { ...enrichment.rating, ...body.rating } });
  }
  if (!careful && !enrichment.ticket) return row.body;
  return JSON.stringify(cityEvent(row, enrichment).body);
}

/** A row of the hall's log as the city receives it. */
export function cityEvent(row: LogRow, enrichment: Enrichment = {}): CityEvent {
  const body = cityBody(row.type, JSON.parse(row.body) as Record<string, unknown>);
  if (enrichment.ticket && body.ticket && typeof body.ticket === 'object') body.ticket = { ...enrichment.ticket, ...(body.ticket as object) };
  if (enrichment.rating && body.rating && typeof body.rating === 'object') body.rating = { ...(scrub(enrichment.rating) as object), ...(body.rating as object) };
  return { seq: row.seq, at: row.at, type: row.type, body };
}
