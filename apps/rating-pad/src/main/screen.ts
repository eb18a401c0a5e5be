import { findItem, findWindow, latestRatingRequest, RATING_LEVELS, RatingLevelSchema, type Catalogue, type CommandBody, type HallView, type RatingChannel, type RatingRequest } from '@servicehall/core';
import type { ClerkCard, PadLanguage, PadRequest, PadScreen, PadThanks, RateInput } from '../shared/api';
import { ASPECT_IDS, REASON_IDS, reasonTexts } from '../shared/strings';

/** The service this pad asks about (core's choice, less the services the pad has already sent a rating for). */
export const currentRequest = latestRatingRequest;

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
  language: PadLanguage;
  handled: ReadonlySet<string>;
  thanks?: PadThanks;
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
  const request = currentRequest(view, state.window, state.handled);
  const servingId = view.current.get(state.window);
  const phase = state.thanks ? 'thanks' : request ? 'asking' : 'idle';
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
    windowStatus: !w?.open ? 'closed' : w.pausedSince !== undefined ? 'paused' : 'open',
    clerk: w?.open ? clerkCard(catalogue, w.clerk, state.photo) : undefined,
    serving: servingId ? view.tickets.get(servingId)?.number : undefined,
    request: phase === 'asking' && request ? padRequest(catalogue, request, state.links.get(request.ticketId)) : undefined,
    thanks: state.thanks,
    notice: phase === 'idle' ? state.notice : undefined,
    keypad: state.keypad,
  };
}

function padRequest(catalogue: Catalogue, r: RatingRequest, link?: { link: string; qr: string }): PadRequest {
  const item = findItem(catalogue, r.serviceCode);
  return { ticketId: r.ticketId, ticketNumber: r.ticketNumber, serviceName: item?.name ?? r.serviceCode, serviceNameEn: item?.nameEn, finishedAt: r.finishedAt, link: link?.link, qr: link?.qr };
}

/**
 * The `rate` command for what the citizen chose, or why it cannot be one. Unknown aspects and
 * reasons are dropped rather than refused: the citizen's level is what counts.
 */
export function rateCommand(input: RateInput, channel: Extract<RatingChannel, 'window-pad' | 'key-pad'>): Extract<CommandBody, { type: 'rate' }> | undefined {
  if (!input || typeof input !== 'object' || typeof input.ticketId !== 'string' || input.ticketId.length === 0 || input.ticketId.length > 80) return undefined;
  const level = RatingLevelSchema.safeParse(input.level);
  if (!level.success) return undefined;
  const aspects: Record<string, (typeof RATING_LEVELS)[number]> = {};
  for (const id of ASPECT_IDS) {
    const a = RatingLevelSchema.safeParse(input.aspects?.[id]);
    if (a.success) aspects[id] = a.data;
  }
  const reasons = Array.isArray(input.reasons) ? reasonTexts(input.reasons.filter((r): r is (typeof REASON_IDS)[number] => typeof r === 'string')) : [];
  const text = typeof input.text === 'string' ? input.text.trim().slice(0, 500) : '';
  return { type: 'rate', ticketId: input.ticketId, level: level.data, aspects, reasons, ...(text ? { text } : {}), channel };
}
