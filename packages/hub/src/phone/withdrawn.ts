import type { HallNotifications } from '../notifications';
import type { PhoneBook } from '../phones';
import type { HallStore } from '../store';
import { log } from '../log';
import { opsText } from '../ops-strings';

/** The longest item name a notice carries (notify's itemName). */
const ITEM_NAME_MAX = 80;

/**
 * Tells each citizen by SMS, where the hall has a channel for it, that the hall cancelled their booking
 * because its item is no longer offered here (core's withdrawnBookings). Queued inside the transaction
 * that appends the cancellation (HallStore.onAppending), under the booking's key: sent once, never again
 * after a restart (the event is not appended twice), and never by a standby (it follows the log and its
 * leader's outbox, and sends only once in charge). Returns what stops it.
 */
export function tellWithdrawnBookings(store: HallStore, phones: PhoneBook, notifications: HallNotifications): () => void {
  let queued = false;
  const offAppending = store.onAppending((event) => {
    if (event.type !== 'appointment.cancelled' || !event.withdrawn || !notifications.smsCarries('appointment-withdrawn')) return;
    const a = store.view.appointments.get(event.code);
    const link = phones.linkOf('appointment', event.code);
    const phone = link?.sealed ? phones.vault.open(link.sealed) : undefined;
    // Booked elsewhere (an integration), or its number forgotten with its day: no phone to tell.
    if (!a || !phone) return;
    const notice = (item: string) => ({ kind: 'appointment-withdrawn' as const, item: item.slice(0, ITEM_NAME_MAX), day: a.day });
    const { itemName, itemNameEn } = event.withdrawn;
    // Not worth sending once its slot is over.
    const r = notifications.toCitizen(notice(itemName), `appointment-withdrawn:${a.code}`, phone, a.slotEnd, itemNameEn ? { en: notice(itemNameEn) } : undefined);
    if (r.ok) queued ||= r.queued.some((q) => !q.repeated);
    else log.error({ day: a.day, code: r.code }, opsText('withdrawnSmsRefused', { day: a.day, code: r.code, problem: r.message }));
  });
  const offEvents = store.onEvents(() => {
    if (!queued) return;
    queued = false;
    notifications.wake();
  });
  return () => {
    offAppending();
    offEvents();
  };
}
