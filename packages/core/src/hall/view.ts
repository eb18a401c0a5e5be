import type { Catalogue, HallWindow } from '../catalogue';
import type { Case } from '../cases';
import type { WorkingCalendar } from '../calendar';
import type { Actor } from '../commands';
import type { DeviceReport, EmergencyCall, EventBody, HallEvent, NumberLease, ScheduledChange } from '../events';
import type { LaneMemory } from '../queue';
import type { FollowUp, Rating, RatingRequest } from '../ratings';
import type { CaseRoute, Complaint, Delivery } from '../casework';
import type { Result } from '../result';
import type { HallAlert } from '../supervision';
import type { Ticket } from '../ticket';

export interface WindowState {
  number: number;
  open: boolean;
  clerk?: string;
  pausedSince?: number;
  pauseReason?: string;
  /** Closed by the hall day's end (its clerk never signed out), at the hall's closing time: until it is opened again. */
  dayEndedAt?: number;
  memory: LaneMemory;
}

export interface TerminalDevices {
  terminal: string;
  role: string;
  /** The window of a window terminal or rating pad, as it said at its report (reports before 2026-12 have none). */
  window?: number;
  at: number;
  devices: DeviceReport[];
}

export interface BookedAppointment {
  code: string;
  serviceCode: string;
  day: string;
  slotStart: number;
  slotEnd: number;
  ticketId?: string;
  /** Booked on a citizen's phone. */
  remote?: boolean;
  /** Cancelled: it no longer takes its slot and cannot check in. */
  cancelledAt?: number;
  /** Cancelled by the hall because a setup removed its item (or gave it another code): the item as it was named. */
  withdrawn?: { itemName: string; itemNameEn?: string };
}

/**
 * The hall as every party sees it: the fold of the event log. The hub keeps one, each terminal
 * keeps one; equal sequence numbers mean equal views. Mutable for speed; only `applyEvent` changes it.
 */
export interface HallView {
  seq: number;
  day: string;
  catalogue: Catalogue;
  tickets: Map<string, Ticket>;
  windows: Map<number, WindowState>;
  /** Last sequence issued, by counterKey(day, prefix). */
  counters: Map<string, number>;
  /** Recent service durations per item, ms, newest last. */
  serviceTimes: Map<string, number[]>;
  appointments: Map<string, BookedAppointment>;
  /** Place in line for the next ticket of the day. */
  nextPlace: number;
  /** Each terminal's devices as last reported, by terminal id (H-04). */
  devices: Map<string, TerminalDevices>;
  /**
   * Today's cases: recorded today, or earlier ones continued today. An earlier case stays in the
   * hall's records, not in the view; the hub reads it when a command names it (DecideContext.caseOf).
   */
  cases: Map<string, Case>;
  /** Finished services not yet rated, by ticket id. */
  ratingRequests: Map<string, RatingRequest>;
  /** Today's ratings, by ticket id (one at the counter, perhaps a second by QR). */
  ratings: Map<string, Rating[]>;
  /** Bad ratings' follow-up cases opened or taken a step today; earlier ones are in the hall's records. */
  followUps: Map<string, FollowUp>;
  /** Changes waiting for the next hall day, in the order they were made. */
  pending: ScheduledChange[];
  /** Supervisors' alerts by id: today's, and those still standing from earlier days (H-04, H-16, H-18, N-03). */
  alerts: Map<string, HallAlert>;
  /** Today's number leases (应急取号), in the order granted. */
  leases: NumberLease[];
  /** Calls typed at windows while no hub answered whose tickets the hub does not know yet, by ticket number. */
  emergencyCalls: Map<string, EmergencyCall[]>;
  /** Index: the tickets waiting (state issued), by id. Derived from `tickets` by `reindex`. */
  waiting: Map<string, Ticket>;
  /** Index: the tickets waiting for each service item, by id. Derived from `tickets`. */
  waitingFor: Map<string, Map<string, Ticket>>;
  /** Index: the tickets waiting for a window a transfer named, per window, by id. Derived from `tickets`. */
  waitingAt: Map<number, Map<string, Ticket>>;
  /** Index: the ticket each window is dealing with now (called or serving). Derived from `tickets`. */
  current: Map<number, string>;
  /** Index: ids of the tickets held (挂起). Derived from `tickets`. */
  held: Set<string>;
  /** Index: today's tickets per item they were issued for, voided ones not counted (the daily quota). Derived from `tickets`. */
  issuedFor: Map<string, number>;
  /** Index: today's case numbers per ticket id, in number order. Derived from `cases`. */
  casesOfTicket: Map<string, string[]>;
  /** Index: the ticket each window finished last today (the service its rating pad may ask about). Derived from `tickets`. */
  lastFinished: Map<number, string>;
}

/** The view as plain JSON, for snapshots over the wire and for tests. */
export interface HallSnapshot {
  seq: number;
  day: string;
  catalogue: Catalogue;
  tickets: Ticket[];
  windows: WindowState[];
  counters: Record<string, number>;
  serviceTimes: Record<string, number[]>;
  appointments: BookedAppointment[];
  nextPlace: number;
  devices: TerminalDevices[];
  cases: Case[];
  ratingRequests: RatingRequest[];
  ratings: Rating[];
  followUps: FollowUp[];
  pending: ScheduledChange[];
  alerts?: HallAlert[];
  leases?: NumberLease[];
  emergencyCalls?: EmergencyCall[];
}

export function emptyView(catalogue: Catalogue, day: string): HallView {
  return {
    seq: 0,
    day,
    catalogue,
    tickets: new Map(),
    windows: new Map(catalogue.windows.map((w) => [w.number, freshWindow(w.number, catalogue)])),
    counters: new Map(),
    serviceTimes: new Map(),
    appointments: new Map(),
    nextPlace: 1,
    devices: new Map(),
    cases: new Map(),
    ratingRequests: new Map(),
    ratings: new Map(),
    followUps: new Map(),
    pending: [],
    alerts: new Map(),
    leases: [],
    emergencyCalls: new Map(),
    waiting: new Map(),
    waitingFor: new Map(),
    waitingAt: new Map(),
    current: new Map(),
    held: new Set(),
    issuedFor: new Map(),
    casesOfTicket: new Map(),
    lastFinished: new Map(),
  };
}

/** A window that opens calls a waiting priority ticket first, then interleaves. */
export function freshWindow(number: number, catalogue: Catalogue): WindowState {
  return { number, open: false, memory: { ordinarySincePriority: catalogue.queue.ordinaryPerPriority } };
}

export function toSnapshot(view: HallView): HallSnapshot {
  return {
    seq: view.seq,
    day: view.day,
    catalogue: view.catalogue,
    tickets: [...view.tickets.values()],
    // applyEvent changes windows, service times and appointments in place: copy them, or the snapshot moves with the view.
    windows: [...view.windows.values()].map((w) => ({ ...w })),
    counters: Object.fromEntries(view.counters),
    serviceTimes: Object.fromEntries([...view.serviceTimes].map(([code, times]) => [code, [...times]])),
    appointments: [...view.appointments.values()].map((a) => ({ ...a })),
    nextPlace: view.nextPlace,
    devices: [...view.devices.values()],
    cases: [...view.cases.values()],
    ratingRequests: [...view.ratingRequests.values()],
    ratings: [...view.ratings.values()].flat(),
    followUps: [...view.followUps.values()].map((f) => ({ ...f, done: [...f.done] })),
    pending: [...view.pending],
    alerts: [...view.alerts.values()],
    leases: [...view.leases],
    emergencyCalls: [...view.emergencyCalls.values()].flat(),
  };
}

export function fromSnapshot(s: HallSnapshot): HallView {
  return reindex({
    seq: s.seq,
    day: s.day,
    catalogue: s.catalogue,
    tickets: new Map(s.tickets.map((t) => [t.id, t])),
    windows: new Map(s.windows.map((w) => [w.number, { ...w }])),
    counters: new Map(Object.entries(s.counters)),
    serviceTimes: new Map(Object.entries(s.serviceTimes).map(([code, times]) => [code, [...times]])),
    appointments: new Map(s.appointments.map((a) => [a.code, { ...a }])),
    nextPlace: s.nextPlace,
    devices: new Map((s.devices ?? []).map((d) => [d.terminal, d])),
    cases: new Map((s.cases ?? []).map((c) => [c.number, c])),
    ratingRequests: new Map((s.ratingRequests ?? []).map((r) => [r.ticketId, r])),
    ratings: groupRatings(s.ratings ?? []),
    followUps: new Map((s.followUps ?? []).map((f) => [f.id, { ...f, done: [...f.done] }])),
    pending: [...(s.pending ?? [])],
    alerts: new Map((s.alerts ?? []).map((a) => [a.id, a])),
    leases: [...(s.leases ?? [])],
    emergencyCalls: groupCalls(s.emergencyCalls ?? []),
    waiting: new Map(),
    waitingFor: new Map(),
    waitingAt: new Map(),
    current: new Map(),
    held: new Set(),
    issuedFor: new Map(),
    casesOfTicket: new Map(),
    lastFinished: new Map(),
  });
}

function groupCalls(list: readonly EmergencyCall[]): Map<string, EmergencyCall[]> {
  const out = new Map<string, EmergencyCall[]>();
  for (const c of list) out.set(c.number, [...(out.get(c.number) ?? []), c]);
  return out;
}

function groupRatings(list: readonly Rating[]): Map<string, Rating[]> {
  const out = new Map<string, Rating[]>();
  for (const r of list) out.set(r.ticketId, [...(out.get(r.ticketId) ?? []), r]);
  return out;
}

/** Empties the view's indexes (every one of them: a new index is added here). */
export function clearIndexes(view: HallView): void {
  view.waiting.clear();
  view.waitingFor.clear();
  view.waitingAt.clear();
  view.current.clear();
  view.held.clear();
  view.issuedFor.clear();
  view.casesOfTicket.clear();
  view.lastFinished.clear();
}

/** Rebuilds the view's indexes from its tickets and cases (after loading them by other means than events). */
export function reindex(view: HallView): HallView {
  clearIndexes(view);
  for (const t of view.tickets.values()) indexTicket(view, undefined, t);
  for (const c of view.cases.values()) indexCase(view, c);
  return view;
}

/** The item a ticket counts against for the daily quota: the one it was issued for, wherever a transfer sent it since. */
export const issuedItem = (t: Ticket): string => t.transfers[0]?.fromService ?? t.serviceCode;

function indexTicket(view: HallView, before: Ticket | undefined, t: Ticket): void {
  if (before?.window !== undefined && view.current.get(before.window) === t.id) view.current.delete(before.window);
  if (before) {
    unlist(view.waitingFor, before.serviceCode, t.id);
    if (before.targetWindow !== undefined) unlist(view.waitingAt, before.targetWindow, t.id);
  }
  if (t.state === 'issued') {
    view.waiting.set(t.id, t);
    list(view.waitingFor, t.serviceCode, t);
    noteIssueOrder(view.waitingFor.get(t.serviceCode)!, t);
    if (t.targetWindow !== undefined) list(view.waitingAt, t.targetWindow, t);
  } else view.waiting.delete(t.id);
  if (t.state === 'held') view.held.add(t.id);
  else view.held.delete(t.id);
  if ((t.state === 'called' || t.state === 'serving') && t.window !== undefined) view.current.set(t.window, t.id);
  if (before && before.state !== 'voided') countIssued(view, issuedItem(before), -1);
  if (t.state !== 'voided') countIssued(view, issuedItem(t), 1);
  if (t.state === 'done' && t.window !== undefined) {
    const last = view.tickets.get(view.lastFinished.get(t.window) ?? '');
    if (!last || last.id === t.id || finishedBefore(last, t)) view.lastFinished.set(t.window, t.id);
  }
}

/** Finish order at a window; the place breaks a tie, so that the fold and a rebuilt index agree. */
const finishedBefore = (a: Ticket, b: Ticket): boolean => (a.finishedAt ?? 0) < (b.finishedAt ?? 0) || ((a.finishedAt ?? 0) === (b.finishedAt ?? 0) && a.place < b.place);

/**
 * Beside each item's waiting list (not in the view: nothing a view's copy must have), the latest
 * issue time listed so far, and the lists where a ticket came in behind a later one (a transfer, a
 * ticket back to the lines): while a list took its tickets in the order they were issued, its first
 * is the one waiting longest (oldestWaiting), whatever left it since.
 */
const listedUpTo = new WeakMap<Map<string, Ticket>, number>();
const outOfOrder = new WeakSet<Map<string, Ticket>>();

function noteIssueOrder(m: Map<string, Ticket>, t: Ticket): void {
  const upTo = listedUpTo.get(m);
  if (upTo !== undefined && t.issuedAt < upTo) outOfOrder.add(m);
  else listedUpTo.set(m, t.issuedAt);
}

/**
 * The ticket of an item that has waited longest (the earliest issued among those waiting): the
 * first of its list while the list took its tickets in issue order (most days, every list), else
 * the earliest of them all. The supervisors' review asks it of every item several times a second.
 */
export function oldestWaiting(view: HallView, serviceCode: string): Ticket | undefined {
  const m = view.waitingFor.get(serviceCode);
  if (!m) return undefined;
  if (!outOfOrder.has(m)) return m.values().next().value;
  let oldest: Ticket | undefined;
  for (const t of m.values()) if (!oldest || t.issuedAt < oldest.issuedAt) oldest = t;
  return oldest;
}

function list<K>(index: Map<K, Map<string, Ticket>>, key: K, t: Ticket): void {
  let m = index.get(key);
  if (!m) index.set(key, (m = new Map()));
  m.set(t.id, t);
}

/** Never an empty map left behind: a view and its copy from a snapshot stay equal. */
function unlist<K>(index: Map<K, Map<string, Ticket>>, key: K, id: string): void {
  const m = index.get(key);
  if (m?.delete(id) && m.size === 0) index.delete(key);
}

/** Counts only, and never a zero left behind: a view and its copy from a snapshot stay equal. */
function countIssued(view: HallView, item: string, by: number): void {
  const n = (view.issuedFor.get(item) ?? 0) + by;
  if (n === 0) view.issuedFor.delete(item);
  else view.issuedFor.set(item, n);
}

/** Keeps the ticket-to-cases index true for a case put into the view (`before`: as the view held it until now). */
export function indexCase(view: HallView, c: Case, before?: Case): void {
  // A case continued in another visit (a correction brought back) leaves its earlier ticket.
  if (before && before.ticketId !== c.ticketId) unindexCase(view, before);
  if (c.ticketId === undefined) return;
  const numbers = view.casesOfTicket.get(c.ticketId);
  if (!numbers) view.casesOfTicket.set(c.ticketId, [c.number]);
  // Number order, not the order of folding: a view rebuilt from a snapshot must agree (a rating names the first).
  else if (!numbers.includes(c.number)) numbers.splice(numbers.filter((n) => n < c.number).length, 0, c.number);
}

/** Keeps the ticket-to-cases index true for a case leaving the view. */
export function unindexCase(view: HallView, c: Case): void {
  if (c.ticketId === undefined) return;
  const left = view.casesOfTicket.get(c.ticketId)?.filter((n) => n !== c.number);
  if (left?.length) view.casesOfTicket.set(c.ticketId, left);
  else view.casesOfTicket.delete(c.ticketId);
}

/** Puts a ticket into the view, keeping the indexes true. */
export function putTicket(view: HallView, t: Ticket): void {
  indexTicket(view, view.tickets.get(t.id), t);
  view.tickets.set(t.id, t);
}

/** The event does not fit the view: the holder missed something and must take a snapshot. */
export class OutOfStep extends Error {
  override name = 'OutOfStep';
}

export function must<T>(r: Result<T>, event: HallEvent): T {
  if (!r.ok) throw new OutOfStep(`event ${event.seq} (${event.type}) does not apply: ${r.message}`);
  return r.value;
}

export function ticketOf(view: HallView, id: string, event: HallEvent): Ticket {
  const t = view.tickets.get(id);
  if (!t) throw new OutOfStep(`event ${event.seq} names unknown ticket ${id}`);
  return t;
}

/** A window's state for reading (deciding, ordering): never changes the view. */
export function windowState(view: HallView, number: number): WindowState {
  return view.windows.get(number) ?? freshWindow(number, view.catalogue);
}

/** A window's state for the fold to change, made when the window is new. */
export function windowOf(view: HallView, number: number): WindowState {
  let w = view.windows.get(number);
  if (!w) {
    w = freshWindow(number, view.catalogue);
    view.windows.set(number, w);
  }
  return w;
}

export function waitingTickets(view: HallView): Ticket[] {
  return [...view.waiting.values()];
}

/**
 * The waiting tickets a window may be able to call: those of the items it serves, and those a
 * transfer sent to it (which the window may no longer serve the item of, after a change today),
 * each once, without a list of them all. Whether it may call each is servesTicket's to say.
 */
export function* waitingForWindow(view: HallView, window: Pick<HallWindow, 'number' | 'serves'>): Generator<Ticket> {
  const codes = new Set(window.serves);
  for (const code of codes) {
    const forItem = view.waitingFor.get(code);
    if (forItem) yield* forItem.values();
  }
  for (const t of view.waitingAt.get(window.number)?.values() ?? []) if (!codes.has(t.serviceCode)) yield t;
}

/**
 * The lists the tickets a window may call wait in, as they are: its items' and the one of tickets
 * sent to it (a ticket may be in two). For nextTicketIn, on every call, over however many wait.
 */
export function waitingListsForWindow(view: HallView, window: Pick<HallWindow, 'number' | 'serves'>): Iterable<Ticket>[] {
  const lists: Iterable<Ticket>[] = [];
  for (const code of window.serves) {
    const forItem = view.waitingFor.get(code);
    if (forItem) lists.push(forItem.values());
  }
  const sent = view.waitingAt.get(window.number);
  if (sent) lists.push(sent.values());
  return lists;
}

/** The ticket a window is dealing with now: called or being served there. */
export function currentTicket(view: HallView, window: number): Ticket | undefined {
  const id = view.current.get(window);
  return id === undefined ? undefined : view.tickets.get(id);
}

export function heldTickets(view: HallView, window: number): Ticket[] {
  const out: Ticket[] = [];
  for (const id of view.held) {
    const t = view.tickets.get(id)!;
    if (t.window === window) out.push(t);
  }
  return out.sort((a, b) => a.place - b.place);
}

export function isWindowReady(w: WindowState | undefined): boolean {
  return !!w && w.open && w.pausedSince === undefined;
}

export interface Decision {
  events: EventBody[];
  /** What the command answers besides the events: the ticket it made or touched. */
  ticket?: Ticket;
}

export interface DecideContext {
  now: number;
  actor: Actor;
  /** The working-day calendar for due dates; the statutory one unless the hall has its own. */
  calendar?: WorkingCalendar;
  /** Ratings of a service from an earlier day, which the view no longer holds (a later second rating). */
  earlierRatings?: readonly Rating[];
  /** The verified phone behind a phone's command: its numbers and bookings, which events never name. */
  holder?: HolderHistory;
  /** A case from an earlier day, which the view no longer holds, by its number (the hub reads its records). */
  caseOf?: (number: string) => Case | undefined;
  /** A ticket from an earlier day, which the view no longer holds, by its id. */
  ticketOf?: (id: string) => Ticket | undefined;
  /** A follow-up from an earlier day, which the view no longer holds, by its id. */
  followUpOf?: (id: string) => FollowUp | undefined;
  /** Complaints, case routes and deliveries live in the hall's records only (see casework). */
  complaintOf?: (id: string) => Complaint | undefined;
  caseRouteOf?: (caseNumber: string) => CaseRoute | undefined;
  deliveryOf?: (caseNumber: string) => Delivery | undefined;
  /** Whether the hub stores a file of evidence with this hash. */
  evidenceOf?: (hash: string) => boolean;
  /** A lease of an earlier day, which the view no longer holds (an emergency ticket reconciled after midnight). */
  leaseOf?: (day: string, prefix: string, sequence: number) => NumberLease | undefined;
}

/**
 * What the hub knows of one verified phone number, kept apart from the events (hashed, never the
 * number): the numbers it took by phone and the bookings it made, today's and within the no-show rule's days.
 */
export interface HolderHistory {
  tickets: { day: string; state: Ticket['state'] }[];
  appointments: { code: string; serviceCode: string; day: string; slotEnd: number; checkedIn: boolean; cancelled: boolean }[];
}

/** The events of one family, by type. */
export type EventOf<T extends HallEvent['type']> = Extract<HallEvent, { type: T }>;
