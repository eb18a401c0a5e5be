import type { PhoneAppointment, PhoneSlot, PhoneSlots } from '@servicehall/protocol/phone';
import type { PhoneStringKey } from './strings';

/** The day and slot the booking page shows chosen. */
export interface BookingChoice {
  day?: string;
  slot?: PhoneSlot;
}

/**
 * The choice kept when the slots are read again (after a refusal, or on a page left open into the next
 * day): the day while it can still be booked, else the first day with places left; the slot while it
 * is still on that day with a place left, else none, so the confirm button never names a slot gone.
 */
export function keptChoice(slots: PhoneSlots, choice: BookingChoice): BookingChoice {
  const first = slots.days.find((d) => d.slots.some((s) => s.left > 0))?.day ?? slots.days[0]?.day;
  const day = slots.days.find((d) => d.day === choice.day);
  if (!day) return first === undefined ? {} : { day: first };
  const slot = choice.slot && day.slots.find((s) => s.start === choice.slot!.start && s.end === choice.slot!.end && s.left > 0);
  return slot ? { day: day.day, slot } : { day: day.day };
}

/** A booking's state as its page and the phone's list say it: one the hall cancelled (its item no longer offered) said as the hall's. */
export function appointmentStateKey(a: Pick<PhoneAppointment, 'state' | 'withdrawn'>): PhoneStringKey {
  return a.state === 'cancelled' && a.withdrawn ? 'appt.state.withdrawn' : `appt.state.${a.state}`;
}
