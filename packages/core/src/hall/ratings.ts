import { dueDate } from '../calendar';
import { hallCalendar } from './setup';
import type { CommandBody } from '../commands';
import type { EventBody } from '../events';
import { FOLLOW_UP_STEPS, isBadRating, type FollowUp, type Rating, type RatingRequest } from '../ratings';
import { ok, refuse, type Result } from '../result';
import { OutOfStep, type DecideContext, type Decision, type EventOf, type HallView } from './view';

// Ratings: one rating per service at the counter (一次一评), a second one later by QR, the default when none came (N-01, N-04).

export type RatingEventType = 'rating.recorded' | 'rating.amended';

export type RatingCommand = Extract<CommandBody, { type: 'rate' | 'amendRating' | 'defaultRating' }>;

export function applyRatingEvent(view: HallView, event: EventOf<RatingEventType>): void {
  switch (event.type) {
    case 'rating.recorded':
      view.ratingRequests.delete(event.rating.ticketId);
      view.ratings.set(event.rating.ticketId, [...(view.ratings.get(event.rating.ticketId) ?? []), event.rating]);
      break;
    case 'rating.amended': {
      const list = view.ratings.get(event.ticketId) ?? [];
      if (!list.some((r) => r.id === event.ratingId)) throw new OutOfStep(`event ${event.seq} amends unknown rating ${event.ratingId}`);
      const amend = (r: Rating): Rating =>
        r.id !== event.ratingId
          ? r
          : { ...r, aspects: { ...r.aspects, ...event.aspects }, reasons: event.reasons, ...(event.text ? { text: event.text } : {}), amendedAt: event.at };
      view.ratings.set(event.ticketId, list.map(amend));
      break;
    }
  }
}

/**
 * The service a window's pad asks about now, and the only one a press there may rate: the window's
 * latest finished service, while it is unrated (and not among `handled`, those the pad has sent a
 * rating for) and the window has not begun serving the next citizen. An older unrated service is
 * never asked again: its citizen has gone; the default level or the QR code takes care of it.
 */
export function askedRating(view: HallView, window: number, handled: ReadonlySet<string> = new Set()): RatingRequest | undefined {
  let latest: RatingRequest | undefined;
  for (const r of view.ratingRequests.values()) if (r.window === window && (!latest || r.finishedAt > latest.finishedAt)) latest = r;
  if (!latest || handled.has(latest.ticketId)) return undefined;
  for (const t of view.tickets.values()) {
    if (t.window !== window || t.id === latest.ticketId) continue;
    // A later service finished here (rated already, or it would be the latest request).
    if (t.state === 'done' && (t.finishedAt ?? 0) > latest.finishedAt) return undefined;
    // The next citizen sits at the counter.
    if (t.state === 'serving') return undefined;
  }
  return latest;
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
    if (ctx.now - request.finishedAt < policy.defaultAfterMinutes * 60_000) return refuse('conflict', `the citizen still has time to rate ${request.ticketNumber}`);
    return ok({ events: ratingEvents(view, request, { level: policy.defaultLevel, aspects: {}, reasons: [], channel: 'window-pad', count: 1, isDefault: true }, ctx) });
  }
  if (request) return ok({ events: ratingEvents(view, request, { ...command, count: 1, isDefault: false }, ctx) });
  if (command.channel !== 'qr' || earlier.length === 0) {
    if (earlier.length > 0) return refuse('already-rated', `ticket ${earlier[0]!.ticketNumber} has been rated`);
    return refuse('not-found', 'there is no finished service waiting for a rating here');
  }
  if (earlier.some((r) => r.count === 2)) return refuse('already-rated', `ticket ${earlier[0]!.ticketNumber} has been rated twice`);
  const first = earlier[0]!;
  if (ctx.now - first.at > policy.secondRatingDays * 86_400_000)
    return refuse('conflict', `a second rating is taken within ${policy.secondRatingDays} days of the service`);
  const again: RatingRequest = { ticketId: first.ticketId, ticketNumber: first.ticketNumber, window: first.window, clerk: first.clerk, serviceCode: first.serviceCode, finishedAt: first.at, caseNumbers: first.caseNumber ? [first.caseNumber] : [] };
  return ok({ events: ratingEvents(view, again, { ...command, count: 2, isDefault: false }, ctx) });
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
  const caseNumber = request.caseNumbers[0];
  const rating: Rating = {
    id: `${request.ticketId}#${r.count}`,
    ticketId: request.ticketId,
    ticketNumber: request.ticketNumber,
    serviceCode: request.serviceCode,
    caseNumber,
    caseState: caseNumber ? view.cases.get(caseNumber)?.state : undefined,
    window: request.window,
    clerk: request.clerk,
    channel: r.channel,
    raterType: r.isDefault ? 'system' : 'citizen',
    anonymous: true,
    level: r.level,
    aspects: r.aspects,
    reasons: r.reasons,
    text: r.text,
    at: ctx.now,
    count: r.count,
    isDefault: r.isDefault,
  };
  const events: EventBody[] = [{ type: 'rating.recorded', rating }];
  if (isBadRating(r.level)) {
    const calendar = ctx.calendar ?? hallCalendar(view.catalogue);
    const days = view.catalogue.rating.followUpDays;
    const due = Object.fromEntries(FOLLOW_UP_STEPS.map((step) => [step, dueDate(calendar, view.day, days[step]).day])) as FollowUp['due'];
    events.push({
      type: 'followUp.opened',
      followUp: { id: `FU-${rating.id.replace('#', '-')}`, ratingId: rating.id, ticketId: rating.ticketId, window: rating.window, clerk: rating.clerk, level: rating.level, openedOn: view.day, due, done: [], closed: false },
    });
  }
  return events;
}
