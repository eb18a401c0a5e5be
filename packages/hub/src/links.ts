import type { HallView } from '@servicehall/core';
import { createHmac, timingSafeEqual } from 'node:crypto';

export type LinkKind = 'q' | 'rate';

/** What a public reference names: a ticket of today, or a booking. */
export type RefKind = 'ticket' | 'appointment';

const BOOKING_CODE_ALPHABET = '23456789ABCDEFGHJKMNPQRSTUVWXYZ';

/** The path of the phone's live page by a ticket's public reference. */
export const livePathOf = (ref: string): string => `/m/t/${ref}`;

export type LinkCheck = { ok: true; signature: string; expiresAt: number } | { ok: false; why: 'forged' | 'expired' };

/**
 * The citizen's links to the hub's public pages, all made by the hub alone with one key no terminal
 * holds (derived from the hall key): the phone's live page of a ticket or booking (/m/t/REF) by an
 * opaque reference, and the signed pages (/q/ for progress, /rate/ for the phone rating), whose link
 * names its ticket and its expiry under a signature that covers both: it cannot be moved to another
 * ticket or made to last longer.
 */
export class LinkSigner {
  constructor(private readonly key: Buffer) {}

  /** The link's path and query, e.g. /q/2026-11-27-A012?e=mk3x2&s=...; the terminal puts its public address before it. */
  path(kind: LinkKind, ticketId: string, expiresAt: number): string {
    const e = Math.ceil(expiresAt / 1000).toString(36);
    return `/${kind}/${encodeURIComponent(ticketId)}?e=${e}&s=${this.sign(kind, ticketId, e)}`;
  }

  check(kind: LinkKind, ticketId: string, e: string | null, s: string | null, now: number): LinkCheck {
    if (!e || !s || !/^[0-9a-z]{1,10}$/.test(e)) return { ok: false, why: 'forged' };
    const expected = Buffer.from(this.sign(kind, ticketId, e));
    const given = Buffer.from(s);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return { ok: false, why: 'forged' };
    const expiresAt = parseInt(e, 36) * 1000;
    if (expiresAt <= now) return { ok: false, why: 'expired' };
    return { ok: true, signature: s, expiresAt };
  }

  /**
   * A ticket's or booking's public reference: opaque and not guessable, so that a phone's address
   * names no ticket, no day and no person. It does not expire: the hub resolves it while its ticket
   * is today's (or its booking still to come); see PublicRefs.
   */
  ref(kind: RefKind, id: string): string {
    return createHmac('sha256', this.key).update(`ref\n${kind}\n${id}`).digest('base64url').slice(0, 22);
  }

  /** The path of the phone's live page of a ticket: what the ticket's QR code opens. */
  livePath(ticketId: string): string {
    return livePathOf(this.ref('ticket', ticketId));
  }

  /** A booking's code from the command that booked it (its scoped id): a retry of the same press books the same code, once. */
  bookingCode(scopedCommandId: string): string {
    const digest = createHmac('sha256', this.key).update(`booking\n${scopedCommandId}`).digest();
    return [...digest.subarray(0, 8)].map((b) => BOOKING_CODE_ALPHABET[b % BOOKING_CODE_ALPHABET.length]).join('');
  }

  /**
   * The phone rating page's link of a service waiting for its rating (the pad's QR code, the phone
   * that took the number): bound to the ticket, expiring the hall's second-rating days after the
   * service, used once. The same service always gets the same link.
   */
  ratingPath(view: HallView, ticketId: string): string | undefined {
    const request = view.ratingRequests.get(ticketId);
    if (!request) return undefined;
    const days = Math.max(1, view.catalogue.rating.secondRatingDays);
    return this.path('rate', ticketId, request.finishedAt + days * 86_400_000);
  }

  /** The key, for the hub's own phones' process only (the same machine and user, over its IPC channel): never for a terminal. */
  keyForPhones(): string {
    return this.key.toString('hex');
  }

  private sign(kind: LinkKind, ticketId: string, e: string): string {
    return createHmac('sha256', this.key).update(`${kind}\n${ticketId}\n${e}`).digest('base64url').slice(0, 24);
  }
}
