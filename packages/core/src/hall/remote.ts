import { findItem, phonePolicyOf } from '../catalogue';
import type { CommandBody } from '../commands';
import { ok, refuse, type Result } from '../result';
import { inBothLanguages } from '../strings';
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
  if (taken >= policy.ticketsPerPersonPerDay)
    return refuse(
      'phone-limit',
      inBothLanguages(
        `抱歉，同一手机号每天可在线取号 ${policy.ticketsPerPersonPerDay} 个，本手机号今天已取满。您可以到大厅取号机取号，或咨询服务台。`,
        policy.ticketsPerPersonPerDay === 1
          ? 'Sorry, one phone number may take 1 number online a day, and this one has taken it today. Please use the kiosk in the hall, or ask at the service desk.'
          : `Sorry, one phone number may take ${policy.ticketsPerPersonPerDay} numbers online a day, and this one has taken them all today. Please use the kiosk in the hall, or ask at the service desk.`,
      ),
    );
  // The same issuing hours and the same daily quota as the kiosk: a phone does not jump the hall's limits.
  const closed = issuingRefusal(item, view, ctx.now);
  if (closed) return closed;
  const t = newTicket(view, item, view.day, ctx.now, { lane: 'ordinary', remote: true });
  if (!t.ok) return t;
  return ok({ events: [{ type: 'ticket.issued', ticket: issuedPart(t.value), by: ctx.actor.terminal }], ticket: t.value });
}

export { alertsDue, isNear, type FollowedTicket, type PhoneAlert } from './alerts';
