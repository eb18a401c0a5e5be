import { createHmac, timingSafeEqual } from 'node:crypto';

/** A ticket's progress page is read for a day or two; a rating link serves within the second-rating period. */
export const PROGRESS_LINK_MS = 2 * 86_400_000;

export type LinkKind = 'q' | 'rate';

export type LinkCheck = { ok: true; signature: string; expiresAt: number } | { ok: false; why: 'forged' | 'expired' };

/**
 * The citizen's links to the hub's public pages (/q/ for progress, /rate/ for the phone rating),
 * signed by the hub alone with a key no terminal holds. A link names its ticket and its expiry,
 * and the signature covers both: it cannot be moved to another ticket or made to last longer.
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

  private sign(kind: LinkKind, ticketId: string, e: string): string {
    return createHmac('sha256', this.key).update(`${kind}\n${ticketId}\n${e}`).digest('base64url').slice(0, 24);
  }
}
