import { findItem, findWindow, type ServiceItem } from '../catalogue';
import { clockMinutes, localTime, zonedInstant } from '../clock';
import type { CommandBody } from '../commands';
import type { EventBody } from '../events';
import { changed } from '../copy';
import { counterKey, formatTicketNumber, nextFreeSequence, parseTicketNumber } from '../numbering';
import { nextTicketIn, queueOrder, rememberCall } from '../queue';
import { RECENT_SERVICES } from '../wait';
import { ok, refuse, type Refusal, type Result } from '../result';
import { inBothLanguages } from '../strings';
import {
  callTicket,
  finishService,
  holdTicket,
  markNoShow,
  recallTicket,
  startService,
  transferTicket,
  voidTicket,
  type IssuedTicket,
  type Ticket,
} from '../ticket';
import {
  currentTicket,
  isWindowReady,
  must,
  OutOfStep,
  putTicket,
  ticketOf,
  waitingForWindow,
  waitingListsForWindow,
  windowOf,
  windowState,
  type DecideContext,
  type Decision,
  type EventOf,
  type HallView,
  type WindowState,
} from './view';
import { itemToday } from './setup';
import { hallHours } from './supervision';

// Tickets and the queue: issuing, appointments, calling, serving, transfers, and the waits they make.

export type TicketEventType =
  | 'ticket.issued'
  | 'ticket.called'
  | 'ticket.recalled'
  | 'ticket.started'
  | 'ticket.finished'
  | 'ticket.noShow'
  | 'ticket.held'
  | 'ticket.transferred'
  | 'ticket.voided'
  | 'ticket.dayEnded';

export type TicketCommand = Extract<
  CommandBody,
  {
    type:
      | 'issueTicket'
      | 'checkInAppointment'
      | 'voidTicket'
      | 'callNext'
      | 'callTicket'
      | 'recall'
      | 'startService'
      | 'finishService'
      | 'markNoShow'
      | 'holdTicket'
      | 'transferTicket';
  }
>;

/** How long after issuing a ticket its kiosk may still void it (a print that failed, an answer that came late). */
export const KIOSK_VOID_MINUTES = 10;

export function applyTicketEvent(view: HallView, event: EventOf<TicketEventType>): void {
  switch (event.type) {
    case 'ticket.issued': {
      const t = issuedTicket(view, event);
      if (view.tickets.has(t.id)) throw new OutOfStep(`event ${event.seq} issues ${t.id} twice`);
      putTicket(view, t);
      const { prefix, sequence } = parseTicketNumber(t.number)!;
      const key = counterKey(t.day, prefix);
      // A leased number is the kiosk's, not the hub's: the hub's own numbering goes on below the leases.
      if (!t.emergency) view.counters.set(key, Math.max(view.counters.get(key) ?? 0, sequence));
      view.nextPlace = Math.max(view.nextPlace, t.place + 1);
      if (t.appointment) {
        const a = view.appointments.get(t.appointment.code);
        if (a) a.ticketId = t.id;
      }
      break;
    }
    case 'ticket.called': {
      const clerk = 'clerk' in event ? event.clerk : windowState(view, event.window).clerk;
      const t = must(callTicket(ticketOf(view, event.id, event), event.window, clerk, event.happenedAt ?? event.at), event);
      putTicket(view, t);
      if (event.happenedAt !== undefined) view.emergencyCalls.delete(t.number);
      const w = windowOf(view, event.window);
      w.memory = rememberCall(w.memory, t);
      break;
    }
    case 'ticket.recalled': {
      const t = ticketOf(view, event.id, event);
      // The cap and cooldown were checked when the command was decided; the fold only counts.
      if (t.state !== 'called') throw new OutOfStep(`event ${event.seq} recalls ${t.number} in state ${t.state}`);
      putTicket(view, changed(t, { recalls: t.recalls + 1, lastCalledAt: event.at }));
      break;
    }
    case 'ticket.started':
      putTicket(view, must(startService(ticketOf(view, event.id, event), event.happenedAt ?? event.at), event));
      break;
    case 'ticket.finished': {
      const at = event.happenedAt ?? event.at;
      const t = must(finishService(ticketOf(view, event.id, event), at), event);
      putTicket(view, t);
      if (t.servingAt !== undefined) {
        const times = view.serviceTimes.get(t.serviceCode) ?? [];
        times.push(at - t.servingAt);
        if (times.length > RECENT_SERVICES) times.shift();
        view.serviceTimes.set(t.serviceCode, times);
      }
      view.ratingRequests.set(t.id, {
        ticketId: t.id,
        ticketNumber: t.number,
        window: event.window ?? t.window!,
        clerk: t.clerk,
        serviceCode: t.serviceCode,
        finishedAt: at,
        caseNumbers: [...(view.casesOfTicket.get(t.id) ?? [])],
      });
      break;
    }
    case 'ticket.noShow':
      putTicket(view, must(markNoShow(ticketOf(view, event.id, event), event.happenedAt ?? event.at), event));
      break;
    case 'ticket.held':
      putTicket(view, must(holdTicket(ticketOf(view, event.id, event), event.at), event));
      break;
    case 'ticket.transferred':
      putTicket(
        view,
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
    case 'ticket.dayEnded': {
      const t = ticketOf(view, event.id, event);
      if (!UNFINISHED.has(t.state)) throw new OutOfStep(`event ${event.seq} ends the day of ${t.number} in state ${t.state}`);
      // Not a service time of the item's (the expected waits), nor a service to rate: the clerk did not finish it.
      putTicket(view, t.state === 'serving' ? changed(t, { state: 'done', finishedAt: event.happenedAt, dayEndedAt: event.happenedAt }) : changed(t, { dayEndedAt: event.happenedAt }));
      break;
    }
    case 'ticket.voided': {
      const t = must(voidTicket(ticketOf(view, event.id, event), event.reason), event);
      putTicket(view, t);
      // A checked-in appointment whose ticket nobody holds (its print failed) may check in again.
      const a = t.appointment ? view.appointments.get(t.appointment.code) : undefined;
      if (a?.ticketId === t.id) a.ticketId = undefined;
      break;
    }
  }
}

/** The states a ticket may be in when its hall day ends unfinished: waiting, called, serving or held. */
const UNFINISHED: ReadonlySet<Ticket['state']> = new Set(['issued', 'called', 'serving', 'held']);

/**
 * The day's tickets left unfinished when it ends, each ended by a ticket.dayEnded event: a service
 * then open at the hall's closing time (`closesAt`, see closingInstant), or at its own start when it
 * began later, so that its service time is not a night long.
 */
export function dayEndEvents(view: HallView, closesAt: number | undefined): EventBody[] {
  const out: EventBody[] = [];
  for (const t of view.tickets.values()) {
    if (!UNFINISHED.has(t.state)) continue;
    const last = Math.max(t.servingAt ?? 0, t.heldAt ?? 0, t.lastCalledAt ?? 0, t.calledAt ?? 0, t.issuedAt);
    out.push({ type: 'ticket.dayEnded', id: t.id, happenedAt: Math.max(closesAt ?? last, last) });
  }
  return out;
}

/** When the hall's day closes (the latest end of its items' issuing hours); undefined before its first day or with no hours. */
export function closingInstant(view: HallView): number | undefined {
  if (!view.day) return undefined;
  const hours = hallHours(view);
  return hours ? zonedInstant(view.day, hours.closesAt, view.catalogue.hall.timeZone) : undefined;
}

/** The waiting line a window would call from, in the order it would call it. */
export function windowQueue(view: HallView, window: number, now: number): Ticket[] {
  const w = findWindow(view.catalogue, window);
  if (!w) return [];
  return queueOrder([...waitingForWindow(view, w)], w, { now, policy: view.catalogue.queue, memory: windowState(view, window).memory });
}

/** Why `item` gives no number now: closed today, outside its issuing hours, or its daily quota (kiosk and phone alike) is spent. */
export function issuingRefusal(item: ServiceItem, view: HallView, now: number): Refusal | undefined {
  const today = itemToday(item, view.day);
  const nameEn = item.nameEn ?? item.name;
  // Said with what the citizen needs beyond the code's sentence: the hall's notice, today's hours.
  if (today.closedNotice) {
    const notice = today.closedNotice.trim().replace(/[。.！!；;，,\s]+$/u, '');
    return refuse(
      'closed-today',
      inBothLanguages(
        `抱歉，${item.name}今日已暂停取号：${notice}。您可以改日办理，或通过网上办事大厅办理。`,
        `Sorry, ${nameEn} has stopped issuing tickets for today: ${notice}. You can come another day or apply online.`,
      ),
    );
  }
  const minutes = localTime(now, view.catalogue.hall.timeZone).minutes;
  const open = today.issuingHours.some((h) => minutes >= clockMinutes(h.from) && minutes < clockMinutes(h.to));
  if (!open) {
    const hours = (sep: string) => today.issuingHours.map((h) => `${h.from}-${h.to}`).join(sep);
    if (today.issuingHours.length === 0) return refuse('outside-issuing-hours', `${item.name} issues no tickets today`);
    return refuse(
      'outside-issuing-hours',
      inBothLanguages(
        `抱歉，${item.name}今天的取号时段为 ${hours('、')}，现在不在取号时段内。您可以在取号时段内再来，或通过网上办事大厅办理。`,
        `Sorry, ${nameEn} issues tickets today at ${hours(', ')}, and not at this hour. Please come back then, or apply online.`,
      ),
    );
  }
  const left = dailyQuotaLeft(view, item);
  if (left === 0) return refuse('daily-quota-reached', `${item.name} has reached today's quota of ${today.dailyQuota}`);
  return undefined;
}

/** Numbers `item` may still give today under its daily quota (kiosk and phone together); undefined without a quota. */
export function dailyQuotaLeft(view: HallView, item: ServiceItem): number | undefined {
  const dailyQuota = itemToday(item, view.day).dailyQuota;
  if (dailyQuota === undefined) return undefined;
  // A ticket counts against the item it was issued for, wherever a transfer has sent it since.
  return Math.max(0, dailyQuota - (view.issuedFor.get(item.code) ?? 0));
}

/**
 * What a ticket.issued event carries: what the kiosk (or the phone) chose and the number it got. The
 * rest of a new ticket (its id, day, state, time) follows from the view it is folded into and the event's time.
 */
export function issuedPart(t: Ticket): IssuedTicket {
  return {
    number: t.number,
    serviceCode: t.serviceCode,
    ...(t.lane !== 'ordinary' ? { lane: t.lane } : {}),
    place: t.place,
    ...(t.priorityReason ? { priorityReason: t.priorityReason } : {}),
    ...(t.appointment ? { appointment: t.appointment } : {}),
    ...(t.remote ? { remote: true } : {}),
    ...(t.emergency ? { issuedAt: t.issuedAt, emergency: t.emergency } : {}),
  };
}

/**
 * The ticket a ticket.issued event makes; events written before it was slimmed carry the ticket
 * whole. The terminal that issued it (which alone may void it) is the event's `by`.
 */
export function issuedTicket(view: HallView, event: EventOf<'ticket.issued'>): Ticket {
  const t = event.ticket;
  if ('id' in t) return t;
  return {
    id: `${view.day}-${t.number}`,
    day: view.day,
    state: 'issued',
    issuedAt: event.at,
    recalls: 0,
    transfers: [],
    ...(event.by !== undefined ? { issuedBy: event.by } : {}),
    ...t,
    lane: t.lane ?? 'ordinary',
  };
}

export function newTicket(view: HallView, item: ServiceItem, day: string, now: number, extra: Pick<Ticket, 'lane'> & Partial<Ticket>): Result<Ticket> {
  const seq = nextFreeSequence(view.counters.get(counterKey(day, item.prefix)), view.catalogue.numbering, view.leases, day, item.prefix);
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

export function windowFor(view: HallView, number: number): Result<WindowState> {
  if (!findWindow(view.catalogue, number)) return refuse('not-found', `there is no window ${number}`);
  return ok(windowState(view, number));
}

export function readyWindow(view: HallView, number: number): Result<WindowState> {
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
 * The booking of a code typed at the kiosk as the phone shows it, in whatever case the keyboard gives (codes are capitals
 * and digits), grouped by spaces or a dash as it is read out, or full-width from a scanner or keyboard behind a Chinese input method.
 */
export function bookedAppointment(view: HallView, code: string) {
  return view.appointments.get(code) ?? view.appointments.get(code.normalize('NFKC').replace(/[\s-]/g, '').toUpperCase());
}

export function decideTicketCommand(view: HallView, command: TicketCommand, ctx: DecideContext): Result<Decision> {
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
        issuedBy: by,
      });
      if (!t.ok) return t;
      return ok({ events: [{ type: 'ticket.issued', ticket: issuedPart(t.value), by }], ticket: t.value });
    }
    case 'checkInAppointment': {
      const a = bookedAppointment(view, command.code);
      if (!a) return refuse('appointment-unknown', `no appointment has the code ${command.code}`);
      if (a.withdrawn)
        return refuse(
          'appointment-withdrawn',
          inBothLanguages(
            `抱歉，本大厅已不再办理“${a.withdrawn.itemName}”，您的这个预约已由大厅取消。请到服务台咨询，工作人员将为您安排；也可以预约其他事项。`,
            `Sorry, this hall no longer offers "${a.withdrawn.itemNameEn ?? a.withdrawn.itemName}", so the hall has cancelled this booking. Please ask at the service desk, where our staff will help you, or book another service.`,
          ),
        );
      if (a.cancelledAt !== undefined) return refuse('appointment-cancelled', `appointment ${command.code} was cancelled`);
      if (a.ticketId) return refuse('appointment-used', `appointment ${command.code} has checked in already`);
      if (a.day !== view.day) return refuse('appointment-wrong-day', `appointment ${command.code} is for ${a.day}`);
      const item = findItem(view.catalogue, a.serviceCode);
      if (!item) return refuse('not-found', `there is no service item ${a.serviceCode}`);
      const t = newTicket(view, item, view.day, now, {
        lane: 'appointment',
        appointment: { code: a.code, slotStart: a.slotStart, slotEnd: a.slotEnd },
        issuedBy: by,
      });
      if (!t.ok) return t;
      return ok({ events: [{ type: 'ticket.issued', ticket: issuedPart(t.value), by }], ticket: t.value });
    }
    case 'voidTicket': {
      const t = view.tickets.get(command.ticketId);
      if (!t) return refuse('not-found', `there is no ticket ${command.ticketId}`);
      // A kiosk voids what it could not hand over: its own ticket, within minutes of issuing it. Anything else goes through a supervisor.
      if (ctx.actor.role === 'kiosk') {
        if (t.issuedBy !== ctx.actor.terminal) return refuse('forbidden', `ticket ${t.number} was not issued by ${ctx.actor.terminal}: a supervisor voids it`);
        if (now - t.issuedAt > KIOSK_VOID_MINUTES * 60_000) return refuse('forbidden', `ticket ${t.number} was issued more than ${KIOSK_VOID_MINUTES} minutes ago: a supervisor voids it`);
      }
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
      const t = nextTicketIn(waitingListsForWindow(view, hallWindow), hallWindow, { now, policy: view.catalogue.queue, memory: w.value.memory });
      if (!t) return refuse('queue-empty', `nobody is waiting for window ${command.window}`);
      const called = callTicket(t, command.window, w.value.clerk, now);
      if (!called.ok) return called;
      return ok({ events: [{ type: 'ticket.called', id: t.id, window: command.window }], ticket: called.value });
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
          const first = nextTicketIn(waitingListsForWindow(view, hallWindow), hallWindow, { now, policy: view.catalogue.queue, memory: w.value.memory });
          if (first && first.id !== t.id) return refuse('bad-request', `calling ${t.number} before ${first.number} needs a reason`);
        }
      }
      const called = callTicket(t, command.window, w.value.clerk, now);
      if (!called.ok) return called;
      return ok({
        events: [{ type: 'ticket.called', id: t.id, window: command.window, ...(command.reason ? { outOfOrderReason: command.reason } : {}) }],
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
      return ok({ events: [{ type, id: t.value.id }], ticket: r.value });
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
  }
}
