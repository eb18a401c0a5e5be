import { hallDay } from '../clock';
import type { CommandBody } from '../commands';
import type { EventBody, HallEvent } from '../events';
import type { Result } from '../result';
import { applyAppointmentEvent, decideAppointmentCommand } from './appointments';
import { applyCaseDeadlineEvent, decideLapse } from './case-deadlines';
import { decideRoute } from './case-routes';
import { applyComplaintEvent, decideComplaint } from './complaints';
import { decideDelivery } from './deliveries';
import { applyEmergencyEvent, decideEmergency } from './emergency';
import { applyFollowUpEvent, decideFollowUp } from './follow-ups';
import { applyCaseEvent, decideOutcome } from './outcomes';
import { applyRatingEvent, decideRating } from './ratings';
import { decideRemoteTicket } from './remote';
import { applySetupEvent, catalogueForNewDay, decideSetup, pendingChangesAt, unconfiguredRefusal, type PendingCancel } from './setup';
import { applyTicketEvent, closingInstant, dayEndEvents, decideTicketCommand } from './tickets';
import { clearIndexes, OutOfStep, type DecideContext, type Decision, type EventOf, type HallView } from './view';
import { alertsForNewDay, applySupervisionEvent, decideSupervision } from './supervision';
import { applyWindowEvent, decideWindowCommand, windowDayEndEvents } from './windows';

// The hall's rules as one fold and one decision, each passing to the part of the hall it concerns:
// tickets and the queue, phones' numbers, appointments, windows, cases, ratings, follow-ups, the
// hall's setup. This file only dispatches.

export * from './view';
export { dailyQuotaLeft, issuingRefusal, windowQueue, KIOSK_VOID_MINUTES } from './tickets';
export { itemWait, itemWaits, ticketWait, ticketWaits, WaitBoard } from './waits';
export { activeBookings, bookableDays, bookedIn, bookingBlock, isBookable, noShowDays, slotQuotaOf, slotsOf, type BookingBlock, type Slot } from './appointments';
export { alertsDue, isNear, remoteTicketsToday, type FollowedTicket, type PhoneAlert } from './remote';
export { askedRating, ratingTimeEnds } from './ratings';
export { bookingsByItem, bookingsOfItemsGone, calendarYears, carriedSetup, hallCalendar, itemToday, pendingAtOpening, strandedTickets, type CalendarYear, type PendingCancel, type PendingOutcome } from './setup';
export { caseOfVisit, outcomeOf } from './outcomes';
export { correctionDays, correctionDeadline, isPastDeadline } from './case-deadlines';
export { bookedAppointment, issuedTicket } from './tickets';
export {
  ALERT_SOURCES,
  activeAlerts,
  alertAsItStands,
  alertChanges,
  alertConditions,
  alertDepartment,
  deviceCheck,
  deviceDetail,
  faultDetailNow,
  hallBoard,
  hallHours,
  alertNotice,
  hallItemNames,
  hallTerminalNames,
  hallTerminals,
  terminalReady,
  type AlertCondition,
  type AlertSource,
  type BoardDevice,
  type BoardFigures,
  type BoardItem,
  type BoardTerminal,
  type BoardWindow,
  type HallBoard,
  type SupervisionFacts,
} from './supervision';
export { followUpDepartment, nextFollowUpStep } from './follow-ups';
export { formatComplaintId, isComplaintOverdue } from './complaints';
export { currentRouteStep } from './case-routes';
export { overdueItems, overdueReports, type OpenCasework, type OverdueItem } from './overdue';
export { caseDepartments, complaintDays, departmentOf, routeDays } from './casework';
export { CLOCK_TOLERANCE_MS, emergencyTicket, LEASE_LOW, leasesOf, normaliseNumber } from './emergency';

function applyDayOpened(view: HallView, event: EventOf<'day.opened'>): void {
  view.day = event.day;
  view.catalogue = catalogueForNewDay(view.catalogue, event.day);
  view.tickets.clear();
  clearIndexes(view);
  view.nextPlace = 1;
  for (const key of [...view.counters.keys()]) if (!key.startsWith(`${event.day}|`)) view.counters.delete(key);
  for (const [code, a] of view.appointments) if (a.day < event.day) view.appointments.delete(code);
  for (const w of view.windows.values()) w.memory = { ordinarySincePriority: view.catalogue.queue.ordinaryPerPriority };
  // Cases and follow-ups of earlier days stay in the hall's records; the hub reads one when a command names it.
  view.cases.clear();
  view.ratingRequests.clear();
  view.ratings.clear();
  view.followUps.clear();
  alertsForNewDay(view);
  // Leases end with their day; numbers not given are simply not given.
  view.leases = view.leases.filter((l) => l.day >= event.day);
  view.emergencyCalls.clear();
}

/** Folds one event into the view. Throws OutOfStep when the event is not the next one or does not apply. */
export function applyEvent(view: HallView, event: HallEvent): void {
  if (event.seq !== view.seq + 1) throw new OutOfStep(`expected event ${view.seq + 1}, got ${event.seq}`);
  switch (event.type) {
    case 'day.opened':
      applyDayOpened(view, event);
      break;
    case 'catalogue.replaced':
    case 'window.itemsAssigned':
    case 'window.temporaryOpened':
    case 'item.todaySet':
    case 'change.scheduled':
    case 'change.cancelled':
    case 'calendar.yearSet':
      applySetupEvent(view, event);
      break;
    case 'appointment.booked':
    case 'appointment.cancelled':
      applyAppointmentEvent(view, event);
      break;
    case 'ticket.issued':
    case 'ticket.called':
    case 'ticket.recalled':
    case 'ticket.started':
    case 'ticket.finished':
    case 'ticket.noShow':
    case 'ticket.held':
    case 'ticket.transferred':
    case 'ticket.voided':
    case 'ticket.dayEnded':
      applyTicketEvent(view, event);
      break;
    case 'lease.granted':
    case 'emergency.callRecorded':
    case 'emergency.callSetAside':
    case 'ticket.lateRecorded':
      applyEmergencyEvent(view, event);
      break;
    case 'window.opened':
    case 'window.closed':
    case 'window.paused':
    case 'window.resumed':
    case 'devices.reported':
      applyWindowEvent(view, event);
      break;
    case 'case.recorded':
    case 'case.amended':
      applyCaseEvent(view, event);
      break;
    case 'case.lapsed':
      applyCaseDeadlineEvent(view, event);
      break;
    case 'rating.recorded':
    case 'rating.amended':
      applyRatingEvent(view, event);
      break;
    case 'followUp.opened':
    case 'followUp.advanced':
    case 'followUp.appealed':
    case 'followUp.appealDecided':
      applyFollowUpEvent(view, event);
      break;
    case 'alert.raised':
    case 'alert.cleared':
    case 'alert.acknowledged':
      applySupervisionEvent(view, event);
      break;
    case 'complaint.changed':
      applyComplaintEvent(view, event);
      break;
    case 'caseRoute.changed':
    case 'delivery.recorded':
      // Kept in the hall's records, not the view.
      break;
  }
  view.seq = event.seq;
}

/**
 * Events that must come before any command on a new hall day: the last day's unfinished tickets and
 * open windows end with it at its closing time (dayEndEvents, windowDayEndEvents), the day opens,
 * then the changes that waited for it.
 */
export function dayChange(view: HallView, now: number): EventBody[] {
  return dayOpening(view, now).events;
}

/** A new hall day's events (dayChange), with why each change that waited for it is cancelled, by the change's id. */
export interface DayOpening {
  events: EventBody[];
  cancelled: ReadonlyMap<number, PendingCancel>;
}

/** dayChange, with why the opening cancels each change it cancels (the hub's audit says it in words). */
export function dayOpening(view: HallView, now: number): DayOpening {
  const day = hallDay(now, view.catalogue.hall.timeZone);
  if (day <= view.day) return { events: [], cancelled: new Map() };
  const closesAt = closingInstant(view);
  const pending = pendingChangesAt(view, day);
  return { events: [...dayEndEvents(view, closesAt), ...windowDayEndEvents(view, closesAt), { type: 'day.opened', day }, ...pending.events], cancelled: pending.cancelled };
}

/**
 * Checks a command against the hall's rules and says what happens, without changing anything.
 * Runs on a view that already has today's `day.opened` applied (see dayChange).
 */
export function decide(view: HallView, command: CommandBody, ctx: DecideContext): Result<Decision> {
  const unconfigured = unconfiguredRefusal(view, command);
  if (unconfigured) return unconfigured;
  switch (command.type) {
    case 'takeRemoteTicket':
      return decideRemoteTicket(view, command, ctx);
    case 'bookAppointment':
    case 'cancelAppointment':
      return decideAppointmentCommand(view, command, ctx);
    case 'issueTicket':
    case 'checkInAppointment':
    case 'voidTicket':
    case 'callNext':
    case 'callTicket':
    case 'recall':
    case 'startService':
    case 'finishService':
    case 'markNoShow':
    case 'holdTicket':
    case 'transferTicket':
      return decideTicketCommand(view, command, ctx);
    case 'takeLease':
    case 'recordEmergencyTicket':
    case 'recordEmergencyCall':
      return decideEmergency(view, command, ctx);
    case 'signIn':
    case 'openWindow':
    case 'closeWindow':
    case 'pauseWindow':
    case 'resumeWindow':
    case 'reportDevices':
      return decideWindowCommand(view, command, ctx);
    case 'recordOutcome':
    case 'amendOutcome':
      return decideOutcome(view, command, ctx);
    case 'lapseCase':
      return decideLapse(view, command, ctx);
    case 'rate':
    case 'amendRating':
    case 'defaultRating':
      return decideRating(view, command, ctx);
    case 'advanceFollowUp':
    case 'appealFollowUp':
    case 'decideFollowUpAppeal':
      return decideFollowUp(view, command, ctx);
    case 'createComplaint':
    case 'advanceComplaint':
    case 'escalateComplaint':
      return decideComplaint(view, command, ctx);
    case 'routeCase':
      return decideRoute(view, command, ctx);
    case 'recordDelivery':
      return decideDelivery(view, command, ctx);
    case 'replaceCatalogue':
    case 'assignWindowItems':
    case 'openTemporaryWindow':
    case 'setItemToday':
    case 'cancelPendingChange':
    case 'setCalendarYear':
      return decideSetup(view, command, ctx);
    case 'reviewAlerts':
    case 'acknowledgeAlert':
      return decideSupervision(view, command, ctx);
  }
}
