import { askedRating, findItem, ratingTimeEnds, findWindow, RATING_LEVELS, RatingLevelSchema, type Catalogue, type CommandBody, type HallView, type RatingChannel, type RatingRequest } from '@servicehall/core';
import type { AmendInput, ClerkCard, PadDetails, PadLanguage, PadRequest, PadScreen, PadThanks, RateInput } from '../shared/api';
import { ASPECT_IDS, REASON_IDS, reasonTexts } from '../shared/strings';

/**
 * The service this pad asks about, and the only one a press may rate (core's rule; less those the pad
 * has sent a rating for), while the hall's time to rate it lasts (`now`: the hub's clock). Past it the
 * default level takes the service (N-04), even while the hub that gives it is away: a press then
 * would be the next citizen's, rating a service that was not theirs.
 */
export function currentRequest(view: HallView, window: number, now: number, handled: ReadonlySet<string> = new Set()): RatingRequest | undefined {
  const request = askedRating(view, window, handled);
  return request && now < ratingTimeEnds(view, request) ? request : undefined;
}

/** The clerk's card from the catalogue; `photo` turns the catalogue's photo into a data: URL, or nothing. */
export function clerkCard(catalogue: Catalogue, number: string | undefined, photo: (value: string) => string | undefined = () => undefined): ClerkCard | undefined {
  if (!number) return undefined;
  const clerk = catalogue.clerks.find((c) => c.number === number);
  if (!clerk) return undefined;
  const department = catalogue.departments.find((d) => d.name === clerk.department);
  return {
    number: clerk.number,
    name: clerk.name,
    surname: [...clerk.name][0] ?? '',
    department: clerk.department,
    departmentEn: department?.nameEn,
    title: clerk.title,
    photo: clerk.photo ? photo(clerk.photo) : undefined,
  };
}

export interface PadState {
  window: number;
  /** The hall's time (the hub's clock): whether the time to rate a service still lasts. */
  now: number;
  language: PadLanguage;
  handled: ReadonlySet<string>;
  thanks?: PadThanks;
  details?: PadDetails;
  notice?: PadScreen['notice'];
  keypad: PadScreen['keypad'];
  /** The phone rating link and its QR code, by ticket id, once made. */
  links: ReadonlyMap<string, { link: string; qr: string }>;
  photo?: (value: string) => string | undefined;
}

/** What the pad shows, from the hall's view and the pad's own state. */
export function padScreen(view: HallView, state: PadState): PadScreen {
  const { catalogue } = view;
  const hallWindow = findWindow(catalogue, state.window);
  const w = view.windows.get(state.window);
  const department = catalogue.departments.find((d) => d.name === hallWindow?.department);
  const request = currentRequest(view, state.window, state.now, state.handled);
  const currentId = view.current.get(state.window);
  const current = currentId ? view.tickets.get(currentId) : undefined;
  const phase = state.details ? 'details' : state.thanks ? 'thanks' : request ? 'asking' : 'idle';
  // A notice belongs to the screen it answers: nothing to rate while idle, rated already after a rating.
  const notice = (phase === 'idle' && state.notice === 'nothing-to-rate') || ((phase === 'thanks' || phase === 'details') && state.notice === 'already-rated') ? state.notice : undefined;
  return {
    phase,
    language: state.language,
    hallName: catalogue.hall.name,
    hallNameEn: catalogue.hall.nameEn,
    complaintPhone: catalogue.hall.complaintPhone,
    window: state.window,
    windowName: hallWindow?.name ?? `${state.window}号窗口`,
    department: hallWindow?.department,
    departmentEn: department?.nameEn,
    // A number called and not yet answered is still welcomed through a pause, as the window's display keeps showing it (desk.ts displayFaceOf).
    windowStatus: !w?.open ? 'closed' : w.pausedSince !== undefined && current?.state !== 'called' ? 'paused' : 'open',
    clerk: w?.open ? clerkCard(catalogue, w.clerk, state.photo) : undefined,
    current: current ? { number: current.number, state: current.state === 'serving' ? 'serving' : 'called' } : undefined,
    request: phase === 'asking' && request ? padRequest(catalogue, request, state.links.get(request.ticketId)) : undefined,
    thanks: state.thanks,
    details: state.details,
    notice,
    keypad: state.keypad,
  };
}

function padRequest(catalogue: Catalogue, r: RatingRequest, link?: { link: string; qr: string }): PadRequest {
  const item = findItem(catalogue, r.serviceCode);
  return { ticketId: r.ticketId, ticketNumber: r.ticketNumber, serviceName: item?.name ?? r.serviceCode, serviceNameEn: item?.nameEn, finishedAt: r.finishedAt, link: link?.link, qr: link?.qr };
}

/**
 * The `rate` command for the level the citizen pressed, with the aspects chosen before it, or
 * undefined when it cannot be one. Unknown aspects are dropped rather than refused: the level is what counts.
 */
export function rateCommand(input: RateInput, channel: Extract<RatingChannel, 'window-pad' | 'key-pad'>): Extract<CommandBody, { type: 'rate' }> | undefined {
  if (!validTicket(input)) return undefined;
  const level = RatingLevelSchema.safeParse(input.level);
  if (!level.success) return undefined;
  const aspects: Record<string, (typeof RATING_LEVELS)[number]> = {};
  for (const id of ASPECT_IDS) {
    const a = RatingLevelSchema.safeParse(input.aspects?.[id]);
    if (a.success) aspects[id] = a.data;
  }
  return { type: 'rate', ticketId: input.ticketId, level: level.data, aspects, reasons: [], channel };
}

/** The reasons (recorded in Chinese) and comment added to a rating, or undefined when nothing is added. */
export function amendCommand(input: AmendInput): Extract<CommandBody, { type: 'amendRating' }> | undefined {
  if (!validTicket(input)) return undefined;
  const reasons = Array.isArray(input.reasons) ? reasonTexts(input.reasons.filter((r): r is (typeof REASON_IDS)[number] => typeof r === 'string')) : [];
  const text = typeof input.text === 'string' ? input.text.trim().slice(0, 500) : '';
  if (reasons.length === 0 && !text) return undefined;
  return { type: 'amendRating', ticketId: input.ticketId, aspects: {}, reasons, ...(text ? { text } : {}) };
}

function validTicket(input: unknown): input is { ticketId: string } {
  if (!input || typeof input !== 'object') return false;
  const id = (input as { ticketId?: unknown }).ticketId;
  return typeof id === 'string' && id.length > 0 && id.length <= 80;
}
