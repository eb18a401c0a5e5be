import { findItem, phonePolicyOf } from '../catalogue';
import type { CommandBody } from '../commands';
import { ok, refuse, type Result } from '../result';
import { issuedPart, issuingRefusal, newTicket } from './tickets';
import type { DecideContext, Decision, HallView, HolderHistory } from './view';

// Numbers taken on the citizen's phone (扫码取号) and the alerts that tell a phone its turn is near
// (无声叫号). A remote ticket waits, is called and is marked no-show like a paper one.

export type RemoteCommand = Extract<CommandBody, { type: 'takeRemoteTicket' }>;

/** Numbers this phone number took by phone today (a voided one gave nothing and does not count). */
export function remoteTicketsToday(history: HolderHistory, today: string): number {
  return history.tickets.filter((t) => t.day === today && t.state !== 'voided').length;
}

export function decideRemoteTicket(view: HallView, command: RemoteCommand, ctx: DecideContext): Result<Decision> {
  const policy = phonePolicyOf(view.catalogue);
  if (!policy.remoteTickets) return refuse('remote-closed', 'this hall gives no numbers by phone');
  const item = findItem(view.catalogue, command.serviceCode);
  if (!item) return refuse('not-found', `there is no service item ${command.serviceCode}`);
  if (!ctx.holder) return refuse('phone-unverified', 'a number by phone needs a verified phone number');
  const taken = remoteTicketsToday(ctx.holder, view.day);
  if (taken >= policy.ticketsPerPersonPerDay) return refuse('phone-limit', `this phone has taken ${taken} numbers today, the most allowed`);
  // The same issuing hours and the same daily quota as the kiosk: a phone does not jump the hall's limits.
  const closed = issuingRefusal(item, view, ctx.now);
  if (closed) return closed;
  const t = newTicket(view, item, view.day, ctx.now, { lane: 'ordinary', remote: true });
  if (!t.ok) return t;
  return ok({ events: [{ type: 'ticket.issued', ticket: issuedPart(t.value), by: ctx.actor.terminal }], ticket: t.value });
}

export { alertsDue, isNear, type FollowedTicket, type PhoneAlert } from './alerts';
