import { changed, extended } from '../copy';
import { dueDate } from '../calendar';
import { hallCalendar } from './setup';
import type { CommandBody } from '../commands';
import type { EventBody } from '../events';
import { departmentOf } from './casework';
import { FOLLOW_UP_STEPS, isBadRating, type FollowUp, type Rating, type RatingGiven, type RatingRequest } from '../ratings';
import { ok, refuse, type Result } from '../result';
import { currentTicket, OutOfStep, type DecideContext, type Decision, type EventOf, type HallView } from './view';

// Ratings: one rating per service at the counter (一次一评), a second one later by QR, the default when none came (N-01, N-04).

export type RatingEventType = 'rating.recorded' | 'rating.amended';

export type RatingCommand = Extract<CommandBody, { type: 'rate' | 'amendRating' | 'defaultRating' }>;

export function applyRatingEvent(view: HallView, event: EventOf<RatingEventType>): void {
  switch (event.type) {
    case 'rating.recorded': {
      const given = event.rating;
      let rating: Rating;
      if ('id' in given) rating = given;
      else {
        const request = view.ratingRequests.get(given.ticketId);
        if (!request) throw new OutOfStep(`event ${event.seq} rates ${given.ticketId}, which waits for no rating`);
        rating = completeRating(view, request, given, event.at, 1);
      }
      view.ratingRequests.delete(rating.ticketId);
      view.ratings.set(rating.ticketId, [...(view.ratings.get(rating.ticketId) ?? []), rating]);
      break;
    }
    case 'rating.amended': {
      const list = view.ratings.get(event.ticketId) ?? [];
      if (!list.some((r) => r.id === event.ratingId)) throw new OutOfStep(`event ${event.seq} amends unknown rating ${event.ratingId}`);
      const amend = (r: Rating): Rating =>
        r.id !== event.ratingId
          ? r
          : changed(r, { aspects: changed(r.aspects, event.aspects), reasons: event.reasons, ...(event.text ? { text: event.text } : {}), amendedAt: event.at });
      view.ratings.set(event.ticketId, list.map(amend));
      break;
    }
  }
}

/** A rating record (N-02) from the service rated and what was given; the same in deciding and in the fold. */
function completeRating(view: HallView, request: RatingRequest, given: Omit<RatingGiven, 'ticketId'>, at: number, count: 1 | 2, caseOf?: DecideContext['caseOf']): Rating {
  const caseNumber = request.caseNumbers[0];
  const isDefault = given.isDefault === true;
  return {
    id: `${request.ticketId}#${count}`,
    ticketId: request.ticketId,
    ticketNumber: request.ticketNumber,
    serviceCode: request.serviceCode,
    caseNumber,
    caseState: caseNumber ? (view.cases.get(caseNumber) ?? caseOf?.(caseNumber))?.state : undefined,
    window: request.window,
    clerk: request.clerk,
    channel: given.channel ?? 'window-pad',
    raterType: isDefault ? 'system' : 'citizen',
    anonymous: true,
    level: given.level,
    aspects: given.aspects ?? {},
    reasons: given.reasons ?? [],
    text: given.text,
    at,
    count,
    isDefault,
  };
}

/**
 * The service a window's pad asks about now, and the only one a press there may rate: the window's
 * latest finished service, while it is unrated (and not among `handled`, those the pad has sent a
 * rating for) and the window has not begun serving the next citizen. An older unrated service is
 * never asked again: its citizen has gone; the default level or the QR code takes care of it.
 */
export function askedRating(view: HallView, window: number, handled: ReadonlySet<string> = new Set()): RatingRequest | undefined {
  // The services waiting for a rating are few (the default level takes them minutes after): a look at
  // them all is cheap; the window's tickets are found by the view's indexes, not by a look at every ticket.
  let latest: RatingRequest | undefined;
  for (const r of view.ratingRequests.values()) if (r.window === window && (!latest || r.finishedAt > latest.finishedAt)) latest = r;
  if (!latest || handled.has(latest.ticketId)) return undefined;
  // A later service finished here (rated already, or it would be the latest request).
  const last = view.tickets.get(view.lastFinished.get(window) ?? '');
  if (last && last.id !== latest.ticketId && (last.finishedAt ?? 0) > latest.finishedAt) return undefined;
  // The next citizen sits at the counter.
  if (currentTicket(view, window)?.state === 'serving') return undefined;
  return latest;
}

/** When the citizen's time to rate a service ends (N-04): from then on the hub gives the default level, and the pad asks no more. */
export function ratingTimeEnds(view: HallView, request: Pick<RatingRequest, 'finishedAt'>): number {
  return request.finishedAt + view.catalogue.rating.defaultAfterMinutes * 60_000;
}

const COUNTER_CHANNELS: readonly string[] = ['window-pad', 'key-pad'];

export function decideRating(view: HallView, command: RatingCommand, ctx: DecideContext): Result<Decision> {
  const policy = view.catalogue.rating;
  const padWindow = ctx.actor.role === 'rating-pad' ? ctx.actor.window : undefined;
  if (command.type === 'amendRating') return decideAmendment(view, command, ctx, padWindow);
  // A press at the counter names the service the pad asked about; the hub never guesses it (一次一评 of that service).
  if (command.type === 'rate' && COUNTER_CHANNELS.includes(command.channel) && !command.ticketId)
    return refuse('bad-request', 'a rating from the counter names the service the pad asked about');
  let request: RatingRequest | undefined;
  if (command.type === 'defaultRating' || command.ticketId) {
    request = view.ratingRequests.get(command.ticketId!);
  } else if (command.window !== undefined) {
    request = askedRating(view, command.window);
  }
  const ticketId = request?.ticketId ?? command.ticketId;
  const earlier = ticketId ? (view.ratings.get(ticketId) ?? ctx.earlierRatings ?? []) : [];
  if (padWindow !== undefined && request && request.window !== padWindow) return refuse('forbidden', `this pad belongs to window ${padWindow}; ticket ${request.ticketNumber} was served at window ${request.window}`);
  if (command.type === 'defaultRating') {
    if (!request) return refuse('already-rated', `ticket ${command.ticketId} has no rating to wait for`);
    if (ctx.now < ratingTimeEnds(view, request)) return refuse('conflict', `the citizen still has time to rate ${request.ticketNumber}`);
    return ok({ events: ratingEvents(view, request, { level: policy.defaultLevel, aspects: {}, reasons: [], channel: 'window-pad', count: 1, isDefault: true }, ctx) });
  }
  if (request) return ok({ events: ratingEvents(view, request, extended(command, { count: 1, isDefault: false }), ctx) });
  if (command.channel !== 'qr' || earlier.length === 0) {
    if (earlier.length > 0) return refuse('already-rated', `ticket ${earlier[0]!.ticketNumber} has been rated`);
    return refuse('not-found', 'there is no finished service waiting for a rating here');
  }
  if (earlier.some((r) => r.count === 2)) return refuse('already-rated', `ticket ${earlier[0]!.ticketNumber} has been rated twice`);
  const first = earlier[0]!;
  if (ctx.now - first.at > policy.secondRatingDays * 86_400_000)
    return refuse('conflict', `a second rating is taken within ${policy.secondRatingDays} days of the service`);
  const again: RatingRequest = { ticketId: first.ticketId, ticketNumber: first.ticketNumber, window: first.window, clerk: first.clerk, serviceCode: first.serviceCode, finishedAt: first.at, caseNumbers: first.caseNumber ? [first.caseNumber] : [] };
  return ok({ events: ratingEvents(view, again, extended(command, { count: 2, isDefault: false }), ctx) });
}

/**
 * Reasons, text and aspects added at the pad to the level recorded at the press: the same rating,
 * amended once, by the citizen at the counter, while the citizen still has time to rate.
 */
function decideAmendment(view: HallView, command: Extract<RatingCommand, { type: 'amendRating' }>, ctx: DecideContext, padWindow: number | undefined): Result<Decision> {
  const rating = view.ratings.get(command.ticketId)?.find((r) => r.count === 1);
  if (!rating) return refuse('not-found', `ticket ${command.ticketId} has no rating at the counter to add to`);
  if (padWindow !== undefined && rating.window !== padWindow) return refuse('forbidden', `this pad belongs to window ${padWindow}; ticket ${rating.ticketNumber} was rated at window ${rating.window}`);
  if (rating.isDefault || !COUNTER_CHANNELS.includes(rating.channel)) return refuse('conflict', `the rating of ${rating.ticketNumber} was not given at the counter`);
  if (rating.amendedAt !== undefined) return refuse('already-rated', `the rating of ${rating.ticketNumber} has its reasons already`);
  if (ctx.now - rating.at > view.catalogue.rating.defaultAfterMinutes * 60_000) return refuse('conflict', `the time to add to the rating of ${rating.ticketNumber} is over`);
  return ok({ events: [{ type: 'rating.amended', ratingId: rating.id, ticketId: rating.ticketId, aspects: command.aspects, reasons: command.reasons, ...(command.text ? { text: command.text } : {}) }] });
}

function ratingEvents(
  view: HallView,
  request: RatingRequest,
  r: Pick<Rating, 'level' | 'aspects' | 'reasons' | 'channel' | 'count' | 'isDefault'> & { text?: string },
  ctx: DecideContext,
): EventBody[] {
  const given: RatingGiven = {
    ticketId: request.ticketId,
    level: r.level,
    ...(r.channel !== 'window-pad' ? { channel: r.channel } : {}),
    ...(Object.keys(r.aspects).length > 0 ? { aspects: r.aspects } : {}),
    ...(r.reasons.length > 0 ? { reasons: r.reasons } : {}),
    ...(r.text ? { text: r.text } : {}),
    ...(r.isDefault ? { isDefault: true as const } : {}),
  };
  const rating = completeRating(view, request, given, ctx.now, r.count, ctx.caseOf);
  // A first rating answers a service the view holds: its event carries only what was given.
  const events: EventBody[] = [{ type: 'rating.recorded', rating: r.count === 1 ? given : rating }];
  if (isBadRating(r.level)) {
    const calendar = ctx.calendar ?? hallCalendar(view.catalogue);
    const days = view.catalogue.rating.followUpDays;
    const due = Object.fromEntries(FOLLOW_UP_STEPS.map((step) => [step, dueDate(calendar, view.day, days[step]).day])) as FollowUp['due'];
    events.push({
      type: 'followUp.opened',
      followUp: {
        id: `FU-${rating.id.replace('#', '-')}`,
        ratingId: rating.id,
        ticketId: rating.ticketId,
        window: rating.window,
        clerk: rating.clerk,
        level: rating.level,
        openedOn: view.day,
        due,
        done: [],
        closed: false,
        ...departmentOf(view.catalogue, rating.window, rating.clerk),
      },
    });
  }
  return events;
}
