import type { PhonePolicy } from '../catalogue';
import type { TicketState } from '../ticket';

// The rule of the phone's alerts (无声叫号), alone in its module with type imports only, so that the
// phone's pages can carry it without the rest of the hall's rules.

/** A ticket as a phone following it last saw it. */
export interface FollowedTicket {
  state: TicketState;
  ahead: number;
  /** No window serves the item now: however few are ahead, nobody will be called until one opens. */
  noWindowOpen?: boolean;
}

/** Near its turn (即将轮到您): waiting, `nearAhead` or fewer ahead, and a window open to call it. */
export const isNear = (t: FollowedTicket, policy: Pick<PhonePolicy, 'nearAhead'>): boolean => t.state === 'issued' && t.ahead <= policy.nearAhead && !t.noWindowOpen;

export type PhoneAlert = 'near' | 'called';

/**
 * The alerts due to a phone as its ticket moves from `before` to `now`, given the alerts it has had:
 * `near` once when `nearAhead` or fewer are ahead and a window is open to call it (not when it was that near already when first
 * seen: the citizen was told then), `called` once at the first call. Recalls alert no more.
 */
export function alertsDue(
  firstSeen: FollowedTicket | undefined,
  now: FollowedTicket,
  sent: ReadonlySet<PhoneAlert>,
  policy: Pick<PhonePolicy, 'nearAhead'>,
): PhoneAlert[] {
  const out: PhoneAlert[] = [];
  const near = (t: FollowedTicket) => isNear(t, policy);
  if (!sent.has('near') && !sent.has('called') && near(now) && !(firstSeen && near(firstSeen))) out.push('near');
  if (!sent.has('called') && now.state === 'called') out.push('called');
  return out;
}
