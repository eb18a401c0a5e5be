import { alertsDue, type FollowedTicket, type PhoneAlert } from '@servicehall/core/alerts';
import type { PhoneTicket } from '@servicehall/protocol/phone';

/** What a phone remembers of a ticket it follows, across reloads: how it first saw it and which alerts it has given. */
export interface Followed {
  first: FollowedTicket;
  sent: PhoneAlert[];
}

/** The smallest storage a page needs (localStorage, or a stand-in where the browser refuses it). */
export interface Store {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

const keyOf = (ref: string) => `sh.follow.${ref}`;

export function recall(store: Store, ref: string): Followed | undefined {
  try {
    const v = JSON.parse(store.getItem(keyOf(ref)) ?? 'null') as Followed | null;
    return v && v.first && Array.isArray(v.sent) ? v : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The alerts this page owes its citizen for the ticket's new state, by the hall's own rule (core's
 * alertsDue: near once, called once), remembered so that a reload does not ring again.
 */
export function alertsFor(store: Store, state: PhoneTicket): PhoneAlert[] {
  const now: FollowedTicket = { state: state.state, ahead: state.ahead, ...(state.noWindowOpen ? { noWindowOpen: true } : {}) };
  const before = recall(store, state.ref);
  const first = before?.first ?? now;
  const sent = new Set(before?.sent ?? []);
  // Seen for the first time already near (the number was just taken or scanned): the page says so, it does not ring.
  const due = alertsDue(first, now, sent, { nearAhead: state.nearAhead });
  for (const a of due) sent.add(a);
  try {
    store.setItem(keyOf(state.ref), JSON.stringify({ first, sent: [...sent] } satisfies Followed));
  } catch {
    // A browser that keeps nothing (private mode): the page still rings, once per visit.
  }
  return due;
}

/** The tickets this phone has followed today, newest first, for the home page. */
export function rememberTicket(store: Store, day: string, ticket: { ref: string; number: string }): void {
  const list = myTickets(store, day).filter((t) => t.ref !== ticket.ref);
  try {
    store.setItem('sh.tickets', JSON.stringify({ day, tickets: [{ ref: ticket.ref, number: ticket.number }, ...list].slice(0, 10) }));
  } catch {
    // Nothing kept: the citizen keeps the page or the paper ticket.
  }
}

export function myTickets(store: Store, day: string): { ref: string; number: string }[] {
  try {
    const v = JSON.parse(store.getItem('sh.tickets') ?? 'null') as { day: string; tickets: { ref: string; number: string }[] } | null;
    return v && v.day === day && Array.isArray(v.tickets) ? v.tickets : [];
  } catch {
    return [];
  }
}
