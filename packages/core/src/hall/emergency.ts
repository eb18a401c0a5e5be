import { findItem, findWindow } from '../catalogue';
import { hallDay } from '../clock';
import type { CommandBody } from '../commands';
import type { EmergencyCall, EventBody, NumberLease } from '../events';
import { counterKey, formatTicketNumber, leaseBlock, leaseOf, parseTicketNumber } from '../numbering';
import { ok, refuse, type Result } from '../result';
import type { EmergencyIssue, Ticket } from '../ticket';
import { issuedPart } from './tickets';
import type { DecideContext, Decision, EventOf, HallView } from './view';

// Emergency mode (应急取号, 应急手动叫号): while no hub answers, kiosks give numbers from leases the
// hub granted earlier and windows call numbers typed by the clerk; each terminal records what it
// did with its own times, and the hub takes those records in when it answers again.

export type EmergencyEventType = 'lease.granted' | 'emergency.callRecorded' | 'emergency.callSetAside' | 'ticket.lateRecorded';

export type EmergencyCommand = Extract<CommandBody, { type: 'takeLease' | 'recordEmergencyTicket' | 'recordEmergencyCall' }>;

/** How far ahead of the hub's clock a terminal's record may be (clocks that differ a little): later than that is refused. */
export const CLOCK_TOLERANCE_MS = 2 * 60_000;

/** A kiosk asks for a new lease when fewer than this many of its numbers of a prefix are left. */
export const LEASE_LOW = 5;

export function applyEmergencyEvent(view: HallView, event: EventOf<EmergencyEventType>): void {
  switch (event.type) {
    case 'lease.granted':
      view.leases.push(event.lease);
      break;
    case 'emergency.callRecorded':
      view.emergencyCalls.set(event.call.number, [...(view.emergencyCalls.get(event.call.number) ?? []), event.call]);
      break;
    case 'emergency.callSetAside':
    case 'ticket.lateRecorded':
      // Kept in the log and the hall's records; today's queue does not change.
      break;
  }
}

/** A typed number as the hall writes it: "a 905" → "A905", the prefix's digits padded. Undefined when it is not a number. */
export function normaliseNumber(text: string, digits: number): string | undefined {
  const parsed = parseTicketNumber(text.replace(/\s+/g, ''));
  return parsed ? formatTicketNumber(parsed.prefix, parsed.sequence, digits) : undefined;
}

/** Today's leases of one terminal. */
export function leasesOf(view: HallView, terminal: string): NumberLease[] {
  return view.leases.filter((l) => l.terminal === terminal && l.day === view.day);
}

export function decideEmergency(view: HallView, command: EmergencyCommand, ctx: DecideContext): Result<Decision> {
  const { now } = ctx;
  const terminal = ctx.actor.terminal;
  switch (command.type) {
    case 'takeLease': {
      if (!view.catalogue.items.some((i) => i.prefix === command.prefix)) return refuse('not-found', `no service item numbers with ${command.prefix}`);
      const block = leaseBlock(view.counters.get(counterKey(view.day, command.prefix)), view.catalogue.numbering, view.leases, view.day, command.prefix, command.size);
      if (!block.ok) return block;
      const lease: NumberLease = { id: `${view.day}|${command.prefix}|${block.value.first}`, terminal, day: view.day, prefix: command.prefix, ...block.value, grantedAt: now };
      return ok({ events: [{ type: 'lease.granted', lease }] });
    }
    case 'recordEmergencyTicket':
      return decideEmergencyTicket(view, command, ctx);
    case 'recordEmergencyCall': {
      const { type: _type, ...given } = command;
      const number = normaliseNumber(given.number, view.catalogue.numbering.digits);
      if (!number) return refuse('bad-request', `${given.number} is not a ticket number`);
      if (given.calledAt > now + CLOCK_TOLERANCE_MS) return refuse('bad-request', `the call of ${number} is recorded as later than now`);
      const call = ordered({ ...given, number }, now);
      if (!findWindow(view.catalogue, call.window)) return refuse('not-found', `there is no window ${call.window}`);
      if (hallDay(call.calledAt, view.catalogue.hall.timeZone) !== view.day) return ok({ events: [{ type: 'emergency.callSetAside', call, reason: 'its hall day is over' }] });
      const t = view.tickets.get(`${view.day}-${number}`);
      if (!t) return ok({ events: [{ type: 'emergency.callRecorded', call }] });
      return ok({ events: callEvents(t, call), ticket: t });
    }
  }
}

/** The call's times in order and never ahead of the hub: called ≤ started ≤ ended ≤ now. */
function ordered(call: EmergencyCall, now: number): EmergencyCall {
  const calledAt = Math.min(call.calledAt, now);
  const startedAt = call.startedAt === undefined ? undefined : Math.min(Math.max(call.startedAt, calledAt), now);
  const endedAt = call.endedAt === undefined ? undefined : Math.min(Math.max(call.endedAt, startedAt ?? calledAt), now);
  return { ...call, calledAt, ...(startedAt !== undefined ? { startedAt } : {}), ...(endedAt !== undefined ? { endedAt } : {}) };
}

/**
 * The events of a typed call of ticket `t`: called, started, finished or no-show, each with its true
 * time; set aside when the ticket is no longer waiting (another window served the number first).
 */
function callEvents(t: Ticket, given: EmergencyCall): EventBody[] {
  // The citizen this window was dealing with when the hub went, finished by typing the number: only what is left happens.
  if ((t.state === 'called' || t.state === 'serving') && t.window === given.window) {
    const call = ordered(given, Number.MAX_SAFE_INTEGER);
    const events: EventBody[] = [];
    if (t.state === 'called' && call.end === 'noShow') return [{ type: 'ticket.noShow', id: t.id, happenedAt: Math.max(call.endedAt ?? call.calledAt, t.lastCalledAt ?? 0) }];
    if (t.state === 'called' && (call.startedAt !== undefined || call.end !== undefined)) events.push({ type: 'ticket.started', id: t.id, happenedAt: Math.max(call.startedAt ?? call.calledAt, t.lastCalledAt ?? 0) });
    const servingAt = t.servingAt ?? 0;
    if (call.end !== undefined) events.push({ type: 'ticket.finished', id: t.id, happenedAt: Math.max(call.endedAt ?? call.calledAt, servingAt, t.lastCalledAt ?? 0) });
    return events;
  }
  const waiting = t.state === 'issued' || (t.state === 'held' && t.window === given.window);
  if (!waiting) return [{ type: 'emergency.callSetAside', call: given, reason: `${t.number} was ${t.state}${t.window !== undefined ? ` at window ${t.window}` : ''} already` }];
  // A kiosk's clock a little ahead of the window's: the call is never before the ticket.
  const call = ordered({ ...given, calledAt: Math.max(given.calledAt, t.issuedAt) }, Number.MAX_SAFE_INTEGER);
  const events: EventBody[] = [{ type: 'ticket.called', id: t.id, window: call.window, ...(call.clerk ? { clerk: call.clerk } : {}), happenedAt: call.calledAt }];
  if (call.end === 'noShow') return [...events, { type: 'ticket.noShow', id: t.id, happenedAt: call.endedAt ?? call.calledAt }];
  if (call.startedAt !== undefined || call.end === 'finished') events.push({ type: 'ticket.started', id: t.id, happenedAt: call.startedAt ?? call.calledAt });
  if (call.end === 'finished') events.push({ type: 'ticket.finished', id: t.id, happenedAt: call.endedAt ?? call.startedAt ?? call.calledAt });
  return events;
}

/** A ticket given from a lease: as the kiosk shows and prints it, and as the hub takes it in (with its place in line). */
export function emergencyTicket(given: {
  number: string;
  day: string;
  serviceCode: string;
  lane: 'ordinary' | 'priority';
  priorityReason?: Ticket['priorityReason'];
  issuedAt: number;
  terminal: string;
  emergency: EmergencyIssue;
  place: number;
}): Ticket {
  return {
    id: `${given.day}-${given.number}`,
    number: given.number,
    day: given.day,
    serviceCode: given.serviceCode,
    lane: given.lane,
    ...(given.lane === 'priority' ? { priorityReason: given.priorityReason ?? 'other' } : {}),
    state: 'issued',
    issuedAt: given.issuedAt,
    place: given.place,
    recalls: 0,
    transfers: [],
    issuedBy: given.terminal,
    emergency: given.emergency,
  };
}

function decideEmergencyTicket(view: HallView, command: Extract<EmergencyCommand, { type: 'recordEmergencyTicket' }>, ctx: DecideContext): Result<Decision> {
  const { now } = ctx;
  const terminal = ctx.actor.terminal;
  const item = findItem(view.catalogue, command.serviceCode);
  if (!item) return refuse('not-found', `there is no service item ${command.serviceCode}`);
  const number = normaliseNumber(command.number, view.catalogue.numbering.digits);
  const parsed = number ? parseTicketNumber(number) : undefined;
  if (!number || !parsed || parsed.prefix !== item.prefix) return refuse('bad-request', `${command.number} is not a number of ${item.name}`);
  if (command.issuedAt > now + CLOCK_TOLERANCE_MS) return refuse('bad-request', `${number} is recorded as issued later than now`);
  const day = hallDay(command.issuedAt, view.catalogue.hall.timeZone);
  const lease = day === view.day ? leaseOf(view.leases, day, parsed.prefix, parsed.sequence) : ctx.leaseOf?.(day, parsed.prefix, parsed.sequence);
  if (!lease || lease.terminal !== terminal) return refuse('forbidden', `${number} is not in a lease of ${terminal} for ${day}`);
  // Never before its lease was granted, never ahead of the hub (a kiosk's clock a little off).
  const issuedAt = Math.max(lease.grantedAt, Math.min(command.issuedAt, now));
  const ticket = emergencyTicket({
    number,
    day,
    serviceCode: item.code,
    lane: command.lane,
    priorityReason: command.priorityReason,
    issuedAt,
    terminal,
    emergency: { terminalAt: command.terminalAt, order: command.order },
    place: day === view.day ? view.nextPlace : 1,
  });
  if (day !== view.day) return ok({ events: [{ type: 'ticket.lateRecorded', ticket }], ticket });
  const known = view.tickets.get(ticket.id);
  // The same record again under another command id (a kiosk's outbox rebuilt): nothing new.
  if (known) return known.issuedBy === terminal && known.emergency ? ok({ events: [], ticket: known }) : refuse('conflict', `${number} was given already`);
  const events: EventBody[] = [{ type: 'ticket.issued', ticket: issuedPart(ticket), by: terminal }];
  // Calls typed at windows before this record came: the first call stands, any other was a second window's.
  const calls = [...(view.emergencyCalls.get(number) ?? [])].sort((a, b) => a.calledAt - b.calledAt || a.window - b.window);
  let t = ticket;
  for (const call of calls) {
    const more = callEvents(t, call);
    events.push(...more);
    if (more[0]?.type === 'ticket.called') t = { ...t, state: 'called', window: call.window };
  }
  return ok({ events, ticket });
}
