import { addCalendarDays, type WorkingCalendar } from '../calendar';
import { appointmentPolicyOf, findItem, type Catalogue, type NoShowRule, type ServiceItem } from '../catalogue';
import { clockMinutes, hallDay, zonedInstant } from '../clock';
import type { CommandBody } from '../commands';
import { ok, refuse, type Result } from '../result';
import { dayInWords, inBothLanguages } from '../strings';
import { hallCalendar } from './setup';
import type { DecideContext, Decision, EventOf, HallView, HolderHistory } from './view';

// Appointments (预约): booked ahead in the hall's time slots, on working days only, each slot with a
// quota per item; seen, cancelled, checked in at the kiosk; a no-show rule that pauses booking (N-06).

export type AppointmentEventType = 'appointment.booked' | 'appointment.cancelled';
export type AppointmentCommand = Extract<CommandBody, { type: 'bookAppointment' | 'cancelAppointment' }>;

/** One time slot of an item on a day, with what is left of it. */
export interface Slot {
  /** Epoch ms. */
  start: number;
  end: number;
  /** HH:MM in the hall's time. */
  from: string;
  to: string;
  capacity: number;
  booked: number;
  left: number;
}

export function applyAppointmentEvent(view: HallView, event: EventOf<AppointmentEventType>): void {
  switch (event.type) {
    case 'appointment.booked':
      view.appointments.set(event.code, {
        code: event.code,
        serviceCode: event.serviceCode,
        day: event.day,
        slotStart: event.slotStart,
        slotEnd: event.slotEnd,
        ...(event.remote ? { remote: true } : {}),
      });
      break;
    case 'appointment.cancelled': {
      const a = view.appointments.get(event.code);
      if (a) {
        a.cancelledAt = event.at;
        if (event.withdrawn) a.withdrawn = event.withdrawn;
      }
      break;
    }
  }
}

/** Appointments one slot of `item` takes: its own quota, or the hall's (0: the item is not booked ahead). */
export function slotQuotaOf(catalogue: Catalogue, item: ServiceItem): number {
  return item.slotQuota ?? appointmentPolicyOf(catalogue).perSlot;
}

/** The days a phone may book on `today`: from tomorrow up to the policy's days ahead, working days only (the hall's calendar). */
export function bookableDays(catalogue: Catalogue, today: string, calendar: WorkingCalendar = hallCalendar(catalogue)): string[] {
  const days: string[] = [];
  for (let n = 1; n <= appointmentPolicyOf(catalogue).daysAhead; n++) {
    const day = addCalendarDays(today, n);
    if (calendar.isWorkingDay(day)) days.push(day);
  }
  return days;
}

function slotTimes(minutes: number): string {
  return `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
}

/** Appointments holding a slot of an item (cancelled ones free theirs). */
export function bookedIn(view: HallView, serviceCode: string, slotStart: number): number {
  let n = 0;
  for (const a of view.appointments.values()) if (a.serviceCode === serviceCode && a.slotStart === slotStart && a.cancelledAt === undefined) n += 1;
  return n;
}

/**
 * An item's slots on `day`: the hall's appointment hours cut into slots of the policy's length (a
 * short rest is no slot), each within the item's own issuing hours (an item given out in the
 * mornings only is booked in the mornings only).
 */
export function slotsOf(view: HallView, item: ServiceItem, day: string): Slot[] {
  const zone = view.catalogue.hall.timeZone;
  const capacity = slotQuotaOf(view.catalogue, item);
  const slots = slotSpans(view.catalogue, item).map(([m, end]) => {
    const from = slotTimes(m);
    const to = slotTimes(end);
    const start = zonedInstant(day, from, zone);
    const booked = bookedIn(view, item.code, start);
    return { start, end: zonedInstant(day, to, zone), from, to, capacity, booked, left: Math.max(0, capacity - booked) };
  });
  return slots.sort((a, b) => a.start - b.start);
}

/** An item's slots of a day as minutes after midnight, [from, to]: the hall's booking hours cut into slots, those within the item's issuing hours. */
function slotSpans(catalogue: Catalogue, item: ServiceItem): [number, number][] {
  const policy = appointmentPolicyOf(catalogue);
  const issuing = (from: number, to: number) => item.issuingHours.some((h) => from >= clockMinutes(h.from) && to <= clockMinutes(h.to));
  const spans: [number, number][] = [];
  for (const h of policy.hours)
    for (let m = clockMinutes(h.from); m + policy.slotMinutes <= clockMinutes(h.to); m += policy.slotMinutes) if (issuing(m, m + policy.slotMinutes)) spans.push([m, m + policy.slotMinutes]);
  return spans;
}

/** Whether a phone can book this item at all: places in a slot, and a slot within its issuing hours. */
export function isBookable(catalogue: Catalogue, item: ServiceItem): boolean {
  return slotQuotaOf(catalogue, item) > 0 && slotSpans(catalogue, item).length > 0;
}

/** The days on which this phone number missed a booking or a number it took by phone, oldest first. */
export function noShowDays(history: HolderHistory, today: string): string[] {
  const days = [
    ...history.tickets.filter((t) => t.state === 'no-show').map((t) => t.day),
    ...history.appointments.filter((a) => a.day < today && !a.checkedIn && !a.cancelled).map((a) => a.day),
  ];
  return days.sort();
}

export type BookingBlock = { blocked: false } | { blocked: true; until: string };

/**
 * The no-show rule: a no-show that makes `count` within `withinDays` days starts a pause of
 * `blockDays` days; booking is paused while any such pause covers today. The pause runs its full
 * length even when older no-shows leave the window meanwhile.
 */
export function bookingBlock(history: HolderHistory, rule: NoShowRule, today: string): BookingBlock {
  const days = noShowDays(history, today);
  let until: string | undefined;
  days.forEach((day, i) => {
    const windowStart = addCalendarDays(day, -rule.withinDays);
    const within = days.slice(0, i + 1).filter((d) => d > windowStart).length;
    if (within < rule.count) return;
    const end = addCalendarDays(day, rule.blockDays);
    if (day <= today && today < end && (until === undefined || end > until)) until = end;
  });
  return until ? { blocked: true, until } : { blocked: false };
}

/** Bookings this phone number holds now: today's or later, not checked in, not cancelled. */
export function activeBookings(history: HolderHistory, today: string): HolderHistory['appointments'] {
  return history.appointments.filter((a) => a.day >= today && !a.checkedIn && !a.cancelled);
}

function decideRemoteBooking(view: HallView, command: Extract<AppointmentCommand, { type: 'bookAppointment' }>, item: ServiceItem, ctx: DecideContext): Result<Decision> {
  const policy = appointmentPolicyOf(view.catalogue);
  const day = hallDay(command.slotStart, view.catalogue.hall.timeZone);
  if (slotQuotaOf(view.catalogue, item) === 0) return refuse('slot-unavailable', `${item.name} is not booked ahead`);
  if (!bookableDays(view.catalogue, view.day, ctx.calendar ?? hallCalendar(view.catalogue)).includes(day))
    return refuse(
      'slot-unavailable',
      inBothLanguages(
        `抱歉，${dayInWords(day, 'zh-CN')}不可预约：可预约明天起 ${policy.daysAhead} 天内的工作日，节假日和周末（调休上班日除外）不办理预约。请选择其他日期。`,
        `Sorry, ${dayInWords(day, 'en')} cannot be booked: bookings are for working days from tomorrow up to ${policy.daysAhead} days ahead, not holidays or weekends (except make-up working days). Please choose another day.`,
      ),
    );
  const slot = slotsOf(view, item, day).find((s) => s.start === command.slotStart && s.end === command.slotEnd);
  if (!slot) return refuse('slot-unavailable', `there is no slot of ${item.code} at that time`);
  if (slot.left === 0) return refuse('slot-full', `the ${slot.from}-${slot.to} slot of ${item.code} on ${day} is full`);
  const holder = ctx.holder;
  if (!holder) return refuse('phone-unverified', 'a booking needs a verified phone number');
  const block = bookingBlock(holder, policy.noShow, view.day);
  if (block.blocked)
    return refuse(
      'booking-blocked',
      inBothLanguages(
        `抱歉，因近期多次预约未按时签到，预约已暂停，${dayInWords(block.until, 'zh-CN')}起可再次预约；您仍可到大厅取号办理。`,
        `Sorry, after several missed bookings, booking is paused until ${dayInWords(block.until, 'en')}. You can still take a number in the hall.`,
      ),
    );
  const active = activeBookings(holder, view.day);
  // Booked already (a press whose answer was lost, a page reloaded): said as such, not as "several bookings".
  if (active.some((a) => a.serviceCode === item.code && a.day === day))
    return refuse(
      'booking-limit',
      inBothLanguages(
        `您已预约 ${dayInWords(day, 'zh-CN')} 办理${item.name}，可在“我的号码和预约”中查看；如需改约，请先取消原预约。`,
        `You have booked ${item.nameEn ?? item.name} on ${dayInWords(day, 'en')} already: see it under "My numbers and bookings". To change it, cancel that booking first.`,
      ),
    );
  if (active.length >= policy.activePerPerson)
    return refuse(
      'booking-limit',
      inBothLanguages(
        `您已有 ${active.length} 个未办理的预约，已达上限。请先办理或取消其中一个，再预约。`,
        `You already hold ${active.length} booking(s), the most allowed. Please use or cancel one before booking again.`,
      ),
    );
  return ok({ events: [{ type: 'appointment.booked', code: command.code, serviceCode: item.code, day, slotStart: slot.start, slotEnd: slot.end, remote: true }] });
}

export function decideAppointmentCommand(view: HallView, command: AppointmentCommand, ctx: DecideContext): Result<Decision> {
  switch (command.type) {
    case 'bookAppointment': {
      const item = findItem(view.catalogue, command.serviceCode);
      if (!item) return refuse('not-found', `there is no service item ${command.serviceCode}`);
      if (command.slotEnd <= command.slotStart) return refuse('bad-request', 'the slot must end after it starts');
      if (view.appointments.has(command.code)) return refuse('conflict', `appointment ${command.code} exists already`);
      if (command.remote) return decideRemoteBooking(view, command, item, ctx);
      // Booked elsewhere (an integration): recorded as it comes; it still takes its place in the slot.
      const day = hallDay(command.slotStart, view.catalogue.hall.timeZone);
      return ok({ events: [{ type: 'appointment.booked', code: command.code, serviceCode: item.code, day, slotStart: command.slotStart, slotEnd: command.slotEnd }] });
    }
    case 'cancelAppointment': {
      const a = view.appointments.get(command.code);
      if (!a) return refuse('appointment-unknown', `no appointment has the code ${command.code}`);
      if (a.cancelledAt !== undefined) return refuse('appointment-cancelled', `appointment ${command.code} is cancelled already`);
      if (a.ticketId) return refuse('appointment-used', `appointment ${command.code} has checked in`);
      if (ctx.now >= a.slotEnd) return refuse('illegal-transition', `the slot of appointment ${command.code} is over`);
      return ok({ events: [{ type: 'appointment.cancelled', code: a.code, by: ctx.actor.terminal }] });
    }
  }
}
