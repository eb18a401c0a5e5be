import { dueDate, chinaCalendar, type WorkingCalendar } from './calendar';
import { correctionNotice, formatCaseNumber, maskIdNumber, maskName, type Case } from './cases';
import { findItem, findWindow, type Catalogue, type ServiceItem } from './catalogue';
import { FOLLOW_UP_STEPS, isBadRating, type FollowUp, type Rating, type RatingRequest } from './ratings';
import { clockMinutes, hallDay, localTime } from './clock';
import type { Actor, CommandBody } from './commands';
import type { DeviceReport, EventBody, HallEvent } from './events';
import { counterKey, formatTicketNumber, nextSequence, parseTicketNumber } from './numbering';
import { nextTicket, queueOrder, rememberCall, type LaneMemory } from './queue';
import { ok, refuse, type Refusal, type Result } from './result';
import {
  callTicket,
  finishService,
  holdTicket,
  markNoShow,
  recallTicket,
  startService,
  transferTicket,
  voidTicket,
  type Ticket,
} from './ticket';
import { forbiddenPhrasesIn } from './strings';
import { expectedWait, RECENT_SERVICES, type ExpectedWait } from './wait';

export interface WindowState {
  number: number;
  open: boolean;
  clerk?: string;
  pausedSince?: number;
  pauseReason?: string;
  memory: LaneMemory;
}

export interface TerminalDevices {
  terminal: string;
  role: string;
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
  /** Today's cases, and older ones still waiting for their corrections. */
  cases: Map<string, Case>;
  /** Finished services not yet rated, by ticket id. */
  ratingRequests: Map<string, RatingRequest>;
  /** Today's ratings, by ticket id (one at the counter, perhaps a second by QR). */
  ratings: Map<string, Rating[]>;
  /** Bad ratings' follow-up cases still open (and those closed today). */
  followUps: Map<string, FollowUp>;
  /** Index: ids of the tickets waiting (state issued). Derived from `tickets` by `reindex`. */
  waiting: Set<string>;
  /** Index: the ticket each window is dealing with now (called or serving). Derived from `tickets`. */
  current: Map<number, string>;
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
    waiting: new Set(),
    current: new Map(),
  };
}

/** A window that opens calls a waiting priority ticket first, then interleaves. */
function freshWindow(number: number, catalogue: Catalogue): WindowState {
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
    waiting: new Set(),
    current: new Map(),
  });
}

function groupRatings(list: readonly Rating[]): Map<string, Rating[]> {
  const out = new Map<string, Rating[]>();
  for (const r of list) out.set(r.ticketId, [...(out.get(r.ticketId) ?? []), r]);
  return out;
}

/** Rebuilds the view's indexes from its tickets (after loading them by other means than events). */
export function reindex(view: HallView): HallView {
  view.waiting.clear();
  view.current.clear();
  for (const t of view.tickets.values()) indexTicket(view, undefined, t);
  return view;
}

function indexTicket(view: HallView, before: Ticket | undefined, t: Ticket): void {
  if (before?.window !== undefined && view.current.get(before.window) === t.id) view.current.delete(before.window);
  if (t.state === 'issued') view.waiting.add(t.id);
  else view.waiting.delete(t.id);
  if ((t.state === 'called' || t.state === 'serving') && t.window !== undefined) view.current.set(t.window, t.id);
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

function must<T>(r: Result<T>, event: HallEvent): T {
  if (!r.ok) throw new OutOfStep(`event ${event.seq} (${event.type}) does not apply: ${r.message}`);
  return r.value;
}

function ticketOf(view: HallView, id: string, event: HallEvent): Ticket {
  const t = view.tickets.get(id);
  if (!t) throw new OutOfStep(`event ${event.seq} names unknown ticket ${id}`);
  return t;
}

/** A window's state for reading (deciding, ordering): never changes the view. */
function windowState(view: HallView, number: number): WindowState {
  return view.windows.get(number) ?? freshWindow(number, view.catalogue);
}

/** A window's state for the fold to change, made when the window is new. */
function windowOf(view: HallView, number: number): WindowState {
  let w = view.windows.get(number);
  if (!w) {
    w = freshWindow(number, view.catalogue);
    view.windows.set(number, w);
  }
  return w;
}

/** Folds one event into the view. Throws OutOfStep when the event is not the next one or does not apply. */
export function applyEvent(view: HallView, event: HallEvent): void {
  if (event.seq !== view.seq + 1) throw new OutOfStep(`expected event ${view.seq + 1}, got ${event.seq}`);
  const put = (t: Ticket) => putTicket(view, t);
  switch (event.type) {
    case 'catalogue.replaced': {
      view.catalogue = event.catalogue;
      for (const w of event.catalogue.windows) windowOf(view, w.number);
      break;
    }
    case 'day.opened': {
      view.day = event.day;
      view.tickets.clear();
      view.waiting.clear();
      view.current.clear();
      view.nextPlace = 1;
      for (const key of [...view.counters.keys()]) if (!key.startsWith(`${event.day}|`)) view.counters.delete(key);
      for (const [code, a] of view.appointments) if (a.day < event.day) view.appointments.delete(code);
      for (const w of view.windows.values()) w.memory = { ordinarySincePriority: view.catalogue.queue.ordinaryPerPriority };
      for (const [n, c] of view.cases) if (c.state !== 'correction') view.cases.delete(n);
      view.ratingRequests.clear();
      view.ratings.clear();
      for (const [id, f] of view.followUps) if (f.closed) view.followUps.delete(id);
      break;
    }
    case 'appointment.booked':
      view.appointments.set(event.code, {
        code: event.code,
        serviceCode: event.serviceCode,
        day: event.day,
        slotStart: event.slotStart,
        slotEnd: event.slotEnd,
      });
      break;
    case 'ticket.issued': {
      const t = event.ticket;
      if (view.tickets.has(t.id)) throw new OutOfStep(`event ${event.seq} issues ${t.id} twice`);
      put(t);
      const { prefix, sequence } = parseTicketNumber(t.number)!;
      const key = counterKey(t.day, prefix);
      view.counters.set(key, Math.max(view.counters.get(key) ?? 0, sequence));
      view.nextPlace = Math.max(view.nextPlace, t.place + 1);
      if (t.appointment) {
        const a = view.appointments.get(t.appointment.code);
        if (a) a.ticketId = t.id;
      }
      break;
    }
    case 'ticket.called': {
      const t = must(callTicket(ticketOf(view, event.id, event), event.window, event.clerk, event.at), event);
      put(t);
      const w = windowOf(view, event.window);
      w.memory = rememberCall(w.memory, t);
      break;
    }
    case 'ticket.recalled': {
      const t = ticketOf(view, event.id, event);
      // The cap and cooldown were checked when the command was decided; the fold only counts.
      if (t.state !== 'called') throw new OutOfStep(`event ${event.seq} recalls ${t.number} in state ${t.state}`);
      put({ ...t, recalls: t.recalls + 1, lastCalledAt: event.at });
      break;
    }
    case 'ticket.started':
      put(must(startService(ticketOf(view, event.id, event), event.at), event));
      break;
    case 'ticket.finished': {
      const t = must(finishService(ticketOf(view, event.id, event), event.at), event);
      put(t);
      if (t.servingAt !== undefined) {
        const times = view.serviceTimes.get(t.serviceCode) ?? [];
        times.push(event.at - t.servingAt);
        if (times.length > RECENT_SERVICES) times.shift();
        view.serviceTimes.set(t.serviceCode, times);
      }
      view.ratingRequests.set(t.id, {
        ticketId: t.id,
        ticketNumber: t.number,
        window: event.window,
        clerk: t.clerk,
        serviceCode: t.serviceCode,
        finishedAt: event.at,
        caseNumbers: [...view.cases.values()].filter((c) => c.ticketId === t.id).map((c) => c.number),
      });
      break;
    }
    case 'ticket.noShow':
      put(must(markNoShow(ticketOf(view, event.id, event), event.at), event));
      break;
    case 'ticket.held':
      put(must(holdTicket(ticketOf(view, event.id, event), event.at), event));
      break;
    case 'ticket.transferred':
      put(
        must(
          transferTicket(ticketOf(view, event.id, event), {
            toService: event.toService,
            toWindow: event.toWindow,
            reason: event.reason,
            by: event.by,
            at: event.at,
            referral: event.referral,
          }),
          event,
        ),
      );
      break;
    case 'ticket.voided': {
      const t = must(voidTicket(ticketOf(view, event.id, event), event.reason), event);
      put(t);
      // A checked-in appointment whose ticket nobody holds (its print failed) may check in again.
      const a = t.appointment ? view.appointments.get(t.appointment.code) : undefined;
      if (a?.ticketId === t.id) a.ticketId = undefined;
      break;
    }
    case 'window.opened': {
      const w = windowOf(view, event.window);
      w.open = true;
      w.clerk = event.clerk;
      w.pausedSince = undefined;
      w.pauseReason = undefined;
      break;
    }
    case 'window.closed': {
      const w = windowOf(view, event.window);
      w.open = false;
      w.clerk = undefined;
      w.pausedSince = undefined;
      w.pauseReason = undefined;
      break;
    }
    case 'window.paused': {
      const w = windowOf(view, event.window);
      w.pausedSince = event.at;
      w.pauseReason = event.reason;
      break;
    }
    case 'window.resumed': {
      const w = windowOf(view, event.window);
      w.pausedSince = undefined;
      w.pauseReason = undefined;
      break;
    }
    case 'devices.reported':
      view.devices.set(event.terminal, { terminal: event.terminal, role: event.role, at: event.at, devices: event.devices });
      break;
    case 'case.recorded': {
      view.cases.set(event.case.number, event.case);
      const m = /^SL(\d{4})(\d{2})(\d{2})(\d{4})$/.exec(event.case.number);
      if (m && `${m[1]}-${m[2]}-${m[3]}` === view.day) {
        const key = counterKey(view.day, 'SL');
        view.counters.set(key, Math.max(view.counters.get(key) ?? 0, Number(m[4])));
      }
      break;
    }
    case 'rating.recorded':
      view.ratingRequests.delete(event.rating.ticketId);
      view.ratings.set(event.rating.ticketId, [...(view.ratings.get(event.rating.ticketId) ?? []), event.rating]);
      break;
    case 'followUp.opened':
      view.followUps.set(event.followUp.id, event.followUp);
      break;
    case 'followUp.advanced': {
      const f = view.followUps.get(event.id);
      if (!f) throw new OutOfStep(`event ${event.seq} advances unknown follow-up ${event.id}`);
      view.followUps.set(f.id, { ...f, done: [...f.done, { step: event.step, at: event.at, note: event.note, by: event.by }], closed: event.step === 'revisit' });
      break;
    }
    case 'followUp.appealed': {
      const f = view.followUps.get(event.id);
      if (!f) throw new OutOfStep(`event ${event.seq} appeals unknown follow-up ${event.id}`);
      view.followUps.set(f.id, { ...f, appeal: { at: event.at, reason: event.reason } });
      break;
    }
  }
  view.seq = event.seq;
}

// ---- reading the view ----

export function waitingTickets(view: HallView): Ticket[] {
  const out: Ticket[] = [];
  for (const id of view.waiting) out.push(view.tickets.get(id)!);
  return out;
}

/** The ticket a window is dealing with now: called or being served there. */
export function currentTicket(view: HallView, window: number): Ticket | undefined {
  const id = view.current.get(window);
  return id === undefined ? undefined : view.tickets.get(id);
}

export function heldTickets(view: HallView, window: number): Ticket[] {
  return [...view.tickets.values()].filter((t) => t.state === 'held' && t.window === window);
}

export function isWindowReady(w: WindowState | undefined): boolean {
  return !!w && w.open && w.pausedSince === undefined;
}

/** People waiting for an item and the expected wait for a ticket taken now (H-09). */
export function itemWait(view: HallView, code: string): ExpectedWait {
  return waitBehind(view, code, waitingTickets(view).filter((t) => t.serviceCode === code).length);
}

/** The expected wait of a ticket that has `ahead` people before it for its item. */
export function ticketWait(view: HallView, ticket: Ticket): ExpectedWait {
  let ahead = 0;
  for (const t of waitingTickets(view)) if (t.serviceCode === ticket.serviceCode && t.place < ticket.place) ahead += 1;
  return waitBehind(view, ticket.serviceCode, ahead);
}

function waitBehind(view: HallView, code: string, waiting: number): ExpectedWait {
  const item = findItem(view.catalogue, code);
  const openWindows = view.catalogue.windows.filter((w) => w.serves.includes(code) && isWindowReady(view.windows.get(w.number))).length;
  return expectedWait({
    waiting,
    recentServiceMs: view.serviceTimes.get(code) ?? [],
    typicalServiceMinutes: item?.typicalServiceMinutes ?? 8,
    openWindows,
  });
}

/** The waiting line a window would call from, in the order it would call it. */
export function windowQueue(view: HallView, window: number, now: number): Ticket[] {
  const w = findWindow(view.catalogue, window);
  if (!w) return [];
  return queueOrder(waitingTickets(view), w, { now, policy: view.catalogue.queue, memory: windowState(view, window).memory });
}

// ---- deciding commands ----

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
}

function issuingRefusal(item: ServiceItem, view: HallView, now: number): Refusal | undefined {
  const minutes = localTime(now, view.catalogue.hall.timeZone).minutes;
  const open = item.issuingHours.some((h) => minutes >= clockMinutes(h.from) && minutes < clockMinutes(h.to));
  if (!open) {
    const hours = item.issuingHours.map((h) => `${h.from}-${h.to}`).join(', ');
    return refuse('outside-issuing-hours', `${item.name} issues tickets ${hours}`);
  }
  if (item.dailyQuota !== undefined) {
    let issued = 0;
    // A ticket counts against the item it was issued for, wherever a transfer has sent it since.
    for (const t of view.tickets.values()) if ((t.transfers[0]?.fromService ?? t.serviceCode) === item.code && t.state !== 'voided') issued += 1;
    if (issued >= item.dailyQuota) return refuse('daily-quota-reached', `${item.name} has reached today's quota of ${item.dailyQuota}`);
  }
  return undefined;
}

function newTicket(view: HallView, item: ServiceItem, day: string, now: number, extra: Pick<Ticket, 'lane'> & Partial<Ticket>): Result<Ticket> {
  const seq = nextSequence(view.counters.get(counterKey(day, item.prefix)), view.catalogue.numbering);
  if (!seq.ok) return seq;
  const number = formatTicketNumber(item.prefix, seq.value, view.catalogue.numbering.digits);
  return ok({
    id: `${day}-${number}`,
    number,
    day,
    serviceCode: item.code,
    state: 'issued',
    issuedAt: now,
    place: day === view.day ? view.nextPlace : 1,
    recalls: 0,
    transfers: [],
    ...extra,
  });
}

/** Events that must come before any command on a new hall day. */
export function dayChange(view: HallView, now: number): EventBody[] {
  const day = hallDay(now, view.catalogue.hall.timeZone);
  return day > view.day ? [{ type: 'day.opened', day }] : [];
}

function windowFor(view: HallView, number: number): Result<WindowState> {
  if (!findWindow(view.catalogue, number)) return refuse('not-found', `there is no window ${number}`);
  return ok(windowState(view, number));
}

function readyWindow(view: HallView, number: number): Result<WindowState> {
  const w = windowFor(view, number);
  if (!w.ok) return w;
  if (!w.value.open) return refuse('window-closed', `window ${number} is not open`);
  if (w.value.pausedSince !== undefined) return refuse('window-closed', `window ${number} is paused`);
  return w;
}

function current(view: HallView, window: number): Result<Ticket> {
  const t = currentTicket(view, window);
  return t ? ok(t) : refuse('not-found', `window ${window} has no current ticket`);
}

/**
 * Checks a command against the hall's rules and says what happens, without changing anything.
 * Runs on a view that already has today's `day.opened` applied (see dayChange).
 */
export function decide(view: HallView, command: CommandBody, ctx: DecideContext): Result<Decision> {
  const { now } = ctx;
  const by = ctx.actor.terminal;
  switch (command.type) {
    case 'issueTicket': {
      const item = findItem(view.catalogue, command.serviceCode);
      if (!item) return refuse('not-found', `there is no service item ${command.serviceCode}`);
      const closed = issuingRefusal(item, view, now);
      if (closed) return closed;
      const lane = command.lane;
      const t = newTicket(view, item, view.day, now, {
        lane,
        priorityReason: lane === 'priority' ? (command.priorityReason ?? 'other') : undefined,
      });
      if (!t.ok) return t;
      return ok({ events: [{ type: 'ticket.issued', ticket: t.value, by }], ticket: t.value });
    }
    case 'bookAppointment': {
      const item = findItem(view.catalogue, command.serviceCode);
      if (!item) return refuse('not-found', `there is no service item ${command.serviceCode}`);
      if (command.slotEnd <= command.slotStart) return refuse('bad-request', 'the slot must end after it starts');
      if (view.appointments.has(command.code)) return refuse('conflict', `appointment ${command.code} exists already`);
      const day = hallDay(command.slotStart, view.catalogue.hall.timeZone);
      return ok({ events: [{ type: 'appointment.booked', code: command.code, serviceCode: item.code, day, slotStart: command.slotStart, slotEnd: command.slotEnd }] });
    }
    case 'checkInAppointment': {
      const a = view.appointments.get(command.code);
      if (!a) return refuse('appointment-unknown', `no appointment has the code ${command.code}`);
      if (a.ticketId) return refuse('appointment-used', `appointment ${command.code} has checked in already`);
      if (a.day !== view.day) return refuse('appointment-wrong-day', `appointment ${command.code} is for ${a.day}`);
      const item = findItem(view.catalogue, a.serviceCode);
      if (!item) return refuse('not-found', `there is no service item ${a.serviceCode}`);
      const t = newTicket(view, item, view.day, now, {
        lane: 'appointment',
        appointment: { code: a.code, slotStart: a.slotStart, slotEnd: a.slotEnd },
      });
      if (!t.ok) return t;
      return ok({ events: [{ type: 'ticket.issued', ticket: t.value, by }], ticket: t.value });
    }
    case 'voidTicket': {
      const t = view.tickets.get(command.ticketId);
      if (!t) return refuse('not-found', `there is no ticket ${command.ticketId}`);
      const r = voidTicket(t, command.reason);
      if (!r.ok) return r;
      return ok({ events: [{ type: 'ticket.voided', id: t.id, reason: command.reason }], ticket: r.value });
    }
    case 'callNext': {
      const w = readyWindow(view, command.window);
      if (!w.ok) return w;
      const busy = currentTicket(view, command.window);
      if (busy) return refuse('window-busy', `window ${command.window} is still with ${busy.number}`);
      const hallWindow = findWindow(view.catalogue, command.window)!;
      const t = nextTicket(waitingTickets(view), hallWindow, { now, policy: view.catalogue.queue, memory: w.value.memory });
      if (!t) return refuse('queue-empty', `nobody is waiting for window ${command.window}`);
      const called = callTicket(t, command.window, w.value.clerk, now);
      if (!called.ok) return called;
      return ok({ events: [{ type: 'ticket.called', id: t.id, window: command.window, clerk: w.value.clerk }], ticket: called.value });
    }
    case 'callTicket': {
      const w = readyWindow(view, command.window);
      if (!w.ok) return w;
      const busy = currentTicket(view, command.window);
      if (busy) return refuse('window-busy', `window ${command.window} is still with ${busy.number}`);
      const t = view.tickets.get(command.ticketId);
      if (!t) return refuse('not-found', `there is no ticket ${command.ticketId}`);
      if (t.state === 'held') {
        if (t.window !== command.window) return refuse('not-served-here', `ticket ${t.number} is held at window ${t.window}`);
      } else {
        const hallWindow = findWindow(view.catalogue, command.window)!;
        const serves = t.targetWindow !== undefined ? t.targetWindow === command.window : hallWindow.serves.includes(t.serviceCode);
        if (!serves) return refuse('not-served-here', `window ${command.window} does not serve ${t.serviceCode}`);
        if (!command.reason && t.state === 'issued') {
          const first = nextTicket(waitingTickets(view), hallWindow, { now, policy: view.catalogue.queue, memory: w.value.memory });
          if (first && first.id !== t.id) return refuse('bad-request', `calling ${t.number} before ${first.number} needs a reason`);
        }
      }
      const called = callTicket(t, command.window, w.value.clerk, now);
      if (!called.ok) return called;
      return ok({
        events: [{ type: 'ticket.called', id: t.id, window: command.window, clerk: w.value.clerk, outOfOrderReason: command.reason }],
        ticket: called.value,
      });
    }
    case 'recall': {
      const t = current(view, command.window);
      if (!t.ok) return t;
      const r = recallTicket(t.value, now, view.catalogue.queue);
      if (!r.ok) return r;
      return ok({ events: [{ type: 'ticket.recalled', id: t.value.id, window: command.window }], ticket: r.value });
    }
    case 'startService':
    case 'finishService':
    case 'markNoShow':
    case 'holdTicket': {
      const t = current(view, command.window);
      if (!t.ok) return t;
      const step = { startService, finishService, markNoShow, holdTicket }[command.type];
      const r = step(t.value, now);
      if (!r.ok) return r;
      const type = ({ startService: 'ticket.started', finishService: 'ticket.finished', markNoShow: 'ticket.noShow', holdTicket: 'ticket.held' } as const)[
        command.type
      ];
      return ok({ events: [{ type, id: t.value.id, window: command.window }], ticket: r.value });
    }
    case 'transferTicket': {
      let t: Ticket | undefined;
      if (command.ticketId) {
        t = view.tickets.get(command.ticketId);
        if (t && t.window !== command.window) return refuse('not-served-here', `ticket ${t.number} is not at window ${command.window}`);
      } else t = currentTicket(view, command.window);
      if (!t) return refuse('not-found', `window ${command.window} has no ticket to transfer`);
      if (command.toService === undefined && command.toWindow === undefined)
        return refuse('bad-request', 'a transfer names a service item, a window, or both');
      const toService = command.toService ?? t.serviceCode;
      if (!findItem(view.catalogue, toService)) return refuse('not-found', `there is no service item ${toService}`);
      if (command.toWindow !== undefined) {
        const target = findWindow(view.catalogue, command.toWindow);
        if (!target) return refuse('not-found', `there is no window ${command.toWindow}`);
        if (!target.serves.includes(toService)) return refuse('not-served-here', `window ${command.toWindow} does not serve ${toService}`);
      }
      const r = transferTicket(t, { toService, toWindow: command.toWindow, reason: command.reason, by, at: now });
      if (!r.ok) return r;
      return ok({
        events: [
          { type: 'ticket.transferred', id: t.id, fromWindow: command.window, toService, toWindow: command.toWindow, reason: command.reason, by, ...(command.referral ? { referral: true } : {}) },
        ],
        ticket: r.value,
      });
    }
    case 'signIn':
    case 'openWindow': {
      // For signIn the hub has checked the PIN before this point; here the rules of the hall.
      const w = windowFor(view, command.window);
      if (!w.ok) return w;
      if (command.clerk !== undefined) {
        if (!view.catalogue.clerks.some((c) => c.number === command.clerk)) return refuse('not-found', `there is no clerk ${command.clerk}`);
        for (const other of view.windows.values())
          if (other.open && other.clerk === command.clerk && other.number !== command.window)
            return refuse('conflict', `clerk ${command.clerk} is signed in at window ${other.number}; sign out there first`);
      }
      return ok({ events: [{ type: 'window.opened', window: command.window, clerk: command.clerk }] });
    }
    case 'recordOutcome':
      return decideOutcome(view, command, ctx);
    case 'rate':
    case 'defaultRating':
      return decideRating(view, command, ctx);
    case 'advanceFollowUp': {
      const f = view.followUps.get(command.followUpId);
      if (!f) return refuse('not-found', `there is no open follow-up ${command.followUpId}`);
      if (f.closed) return refuse('illegal-transition', `follow-up ${f.id} is closed`);
      const expected = FOLLOW_UP_STEPS[f.done.length];
      if (command.step !== expected) return refuse('illegal-transition', `follow-up ${f.id} is at step ${expected}, not ${command.step}`);
      return ok({ events: [{ type: 'followUp.advanced', id: f.id, step: command.step, note: command.note, by }] });
    }
    case 'appealFollowUp': {
      const f = view.followUps.get(command.followUpId);
      if (!f) return refuse('not-found', `there is no open follow-up ${command.followUpId}`);
      if (f.closed || f.appeal) return refuse('illegal-transition', `follow-up ${f.id} is closed or appealed already`);
      return ok({ events: [{ type: 'followUp.appealed', id: f.id, reason: command.reason }] });
    }
    case 'closeWindow': {
      const w = windowFor(view, command.window);
      if (!w.ok) return w;
      const busy = currentTicket(view, command.window);
      if (busy) return refuse('window-busy', `window ${command.window} is still with ${busy.number}`);
      return ok({ events: [{ type: 'window.closed', window: command.window }] });
    }
    case 'pauseWindow': {
      const w = readyWindow(view, command.window);
      if (!w.ok) return w;
      return ok({ events: [{ type: 'window.paused', window: command.window, reason: command.reason }] });
    }
    case 'resumeWindow': {
      const w = windowFor(view, command.window);
      if (!w.ok) return w;
      if (w.value.pausedSince === undefined) return refuse('illegal-transition', `window ${command.window} is not paused`);
      return ok({ events: [{ type: 'window.resumed', window: command.window }] });
    }
    case 'reportDevices': {
      const before = view.devices.get(ctx.actor.terminal);
      // Polling agents report often; only a change becomes an event.
      if (before && JSON.stringify(before.devices) === JSON.stringify(command.devices)) return ok({ events: [] });
      return ok({ events: [{ type: 'devices.reported', terminal: ctx.actor.terminal, role: ctx.actor.role, devices: command.devices }] });
    }
    case 'replaceCatalogue': {
      const inUse = [...view.tickets.values()].filter((t) => t.state !== 'done' && t.state !== 'voided' && t.state !== 'no-show');
      const missing = inUse.find((t) => !findItem(command.catalogue, t.serviceCode));
      if (missing) return refuse('conflict', `ticket ${missing.number} still needs service item ${missing.serviceCode}`);
      return ok({ events: [{ type: 'catalogue.replaced', catalogue: command.catalogue }] });
    }
  }
}

type OutcomeCommand = Extract<CommandBody, { type: 'recordOutcome' }>;

/** One outcome of a visit for one item (H-07): accepted with due dates, correction notice, not accepted, or consultation. */
function decideOutcome(view: HallView, command: OutcomeCommand, ctx: DecideContext): Result<Decision> {
  const t = currentTicket(view, command.window);
  if (!t || t.state !== 'serving') return refuse('illegal-transition', `window ${command.window} is not serving anyone: start the service first`);
  const item = findItem(view.catalogue, command.serviceCode);
  if (!item) return refuse('not-found', `there is no service item ${command.serviceCode}`);
  const existing = command.caseNumber ? view.cases.get(command.caseNumber) : undefined;
  if (command.caseNumber && !existing) return refuse('not-found', `there is no open case ${command.caseNumber}`);
  if (existing && existing.serviceCode !== item.code) return refuse('bad-request', `case ${existing.number} is for ${existing.serviceCode}, not ${item.code}`);
  if (existing && existing.state !== 'correction') return refuse('illegal-transition', `case ${existing.number} is ${existing.state} already`);
  const clerk = view.windows.get(command.window)?.clerk;
  let number = existing?.number;
  if (!number) {
    const next = (view.counters.get(counterKey(view.day, 'SL')) ?? 0) + 1;
    number = formatCaseNumber(view.day, next);
  }
  const base: Case = existing ?? {
    number,
    serviceCode: item.code,
    state: 'consulted',
    ticketId: t.id,
    window: command.window,
    clerk,
    firstClerk: t.firstClerk ?? clerk,
    openedAt: ctx.now,
    notices: [],
  };
  const applicant = command.applicant
    ? { name: maskName(command.applicant.name), ...(command.applicant.idNumber ? { idNumber: maskIdNumber(command.applicant.idNumber) } : {}) }
    : base.applicant;
  const touched: Case = { ...base, ticketId: t.id, window: command.window, clerk, applicant };
  switch (command.outcome) {
    case 'accepted': {
      const calendar = ctx.calendar ?? chinaCalendar;
      const promised = dueDate(calendar, view.day, item.promisedLimitDays);
      const legal = dueDate(calendar, view.day, item.legalLimitDays);
      const c: Case = { ...touched, state: 'accepted', acceptedOn: view.day, promisedDue: promised.day, legalDue: legal.day, dueCertain: promised.certain && legal.certain };
      return ok({ events: [{ type: 'case.recorded', outcome: 'accepted', case: c }] });
    }
    case 'correction': {
      const materials = command.materials ?? [];
      if (materials.length === 0) return refuse('bad-request', 'a correction notice names every missing material: choose at least one');
      const known = new Set(item.materials.map((m) => m.id));
      const unknown = materials.filter((m) => !known.has(m));
      if (unknown.length > 0) return refuse('bad-request', `${item.name} has no material ${unknown.join(', ')}`);
      const notice = correctionNotice(base.notices, materials, ctx.now, clerk);
      const c: Case = { ...touched, state: 'correction', notices: [...base.notices, notice] };
      return ok({ events: [{ type: 'case.recorded', outcome: 'correction', case: c }] });
    }
    case 'rejected': {
      if (!command.reason) return refuse('bad-request', 'not accepting needs the reason, stated for the citizen');
      const uncivil = forbiddenPhrasesIn(command.reason);
      if (uncivil.length > 0) return refuse('bad-request', `the reason is printed for the citizen and uses a phrase the handbook forbids (H-14): ${uncivil.join('、')}; please say it civilly`);
      return ok({ events: [{ type: 'case.recorded', outcome: 'rejected', case: { ...touched, state: 'rejected', rejectReason: command.reason } }] });
    }
    case 'consultation':
      return ok({ events: [{ type: 'case.recorded', outcome: 'consultation', case: { ...touched, state: existing ? existing.state : 'consulted' } }] });
  }
}

/** The service a window's pad asks about: the window's most recently finished one still unrated, less any it has handled. */
export function latestRatingRequest(view: HallView, window: number, handled: ReadonlySet<string> = new Set()): RatingRequest | undefined {
  let latest: RatingRequest | undefined;
  for (const r of view.ratingRequests.values()) {
    if (r.window !== window || handled.has(r.ticketId)) continue;
    if (!latest || r.finishedAt > latest.finishedAt) latest = r;
  }
  return latest;
}

type RatingCommand = Extract<CommandBody, { type: 'rate' | 'defaultRating' }>;

/** One rating per service at the counter (一次一评), a second one later by QR, the default when none came (N-01, N-04). */
function decideRating(view: HallView, command: RatingCommand, ctx: DecideContext): Result<Decision> {
  const policy = view.catalogue.rating;
  const padWindow = ctx.actor.role === 'rating-pad' ? ctx.actor.window : undefined;
  let request: RatingRequest | undefined;
  if (command.type === 'defaultRating' || command.ticketId) {
    request = view.ratingRequests.get(command.ticketId!);
  } else {
    const window = command.window ?? padWindow;
    if (window !== undefined) request = latestRatingRequest(view, window);
  }
  const ticketId = request?.ticketId ?? (command.type === 'rate' ? command.ticketId : command.ticketId);
  const earlier = ticketId ? (view.ratings.get(ticketId) ?? ctx.earlierRatings ?? []) : [];
  if (padWindow !== undefined && request && request.window !== padWindow) return refuse('forbidden', `this pad belongs to window ${padWindow}; ticket ${request.ticketNumber} was served at window ${request.window}`);
  if (command.type === 'defaultRating') {
    if (!request) return refuse('already-rated', `ticket ${command.ticketId} has no rating to wait for`);
    if (ctx.now - request.finishedAt < policy.defaultAfterMinutes * 60_000) return refuse('conflict', `the citizen still has time to rate ${request.ticketNumber}`);
    return ok({ events: ratingEvents(view, request, { level: policy.defaultLevel, aspects: {}, reasons: [], channel: 'window-pad', count: 1, isDefault: true }, ctx) });
  }
  if (request) return ok({ events: ratingEvents(view, request, { ...command, count: 1, isDefault: false }, ctx) });
  if (command.channel !== 'qr' || earlier.length === 0) {
    if (earlier.length > 0) return refuse('already-rated', `ticket ${earlier[0]!.ticketNumber} has been rated`);
    return refuse('not-found', 'there is no finished service waiting for a rating here');
  }
  if (earlier.some((r) => r.count === 2)) return refuse('already-rated', `ticket ${earlier[0]!.ticketNumber} has been rated twice`);
  const first = earlier[0]!;
  if (ctx.now - first.at > policy.secondRatingDays * 86_400_000)
    return refuse('conflict', `a second rating is taken within ${policy.secondRatingDays} days of the service`);
  const again: RatingRequest = { ticketId: first.ticketId, ticketNumber: first.ticketNumber, window: first.window, clerk: first.clerk, serviceCode: first.serviceCode, finishedAt: first.at, caseNumbers: first.caseNumber ? [first.caseNumber] : [] };
  return ok({ events: ratingEvents(view, again, { ...command, count: 2, isDefault: false }, ctx) });
}

function ratingEvents(
  view: HallView,
  request: RatingRequest,
  r: Pick<Rating, 'level' | 'aspects' | 'reasons' | 'channel' | 'count' | 'isDefault'> & { text?: string },
  ctx: DecideContext,
): EventBody[] {
  const caseNumber = request.caseNumbers[0];
  const rating: Rating = {
    id: `${request.ticketId}#${r.count}`,
    ticketId: request.ticketId,
    ticketNumber: request.ticketNumber,
    serviceCode: request.serviceCode,
    caseNumber,
    caseState: caseNumber ? view.cases.get(caseNumber)?.state : undefined,
    window: request.window,
    clerk: request.clerk,
    channel: r.channel,
    raterType: r.isDefault ? 'system' : 'citizen',
    anonymous: true,
    level: r.level,
    aspects: r.aspects,
    reasons: r.reasons,
    text: r.text,
    at: ctx.now,
    count: r.count,
    isDefault: r.isDefault,
  };
  const events: EventBody[] = [{ type: 'rating.recorded', rating }];
  if (isBadRating(r.level)) {
    const calendar = ctx.calendar ?? chinaCalendar;
    const days = view.catalogue.rating.followUpDays;
    const due = Object.fromEntries(FOLLOW_UP_STEPS.map((step) => [step, dueDate(calendar, view.day, days[step]).day])) as FollowUp['due'];
    events.push({
      type: 'followUp.opened',
      followUp: { id: `FU-${rating.id.replace('#', '-')}`, ratingId: rating.id, ticketId: rating.ticketId, window: rating.window, clerk: rating.clerk, level: rating.level, openedOn: view.day, due, done: [], closed: false },
    });
  }
  return events;
}
