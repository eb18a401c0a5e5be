/**
 * The console's live feed as its corner says it: linking (not answered yet), linked, lost (the network or the hub gone:
 * EventSource tries again by itself), busy (the hub refused it for the pace: this account has FEEDS_PER_STAFF pages open),
 * notInCharge (a standby not in charge yet, or a hub handing over in a failover), refused (any other refusal), ended (the session).
 */
export type FeedLink = 'linking' | 'linked' | 'lost' | 'busy' | 'notInCharge' | 'refused' | 'ended';

/** A refused feed's first wait where the hub gave no Retry-After. */
export const FEED_AGAIN_MS = 5_000;
/** The longest a page waits before it asks for the feed again, however often it was refused in a row. */
export const FEED_LONGEST_WAIT_MS = 60_000;

/**
 * The wait before the feed is asked for again after its `inARow`-th refusal in a row: the hub's Retry-After (else 5 s),
 * doubled each time, at most a minute but never below the hub's Retry-After; spread a quarter either way by `random`
 * (0 to 1) so that a hall's consoles refused together in a failover do not all ask again in the same second.
 */
export function feedRetryMs(inARow: number, retryAfterMs: number | undefined, random: number): number {
  const first = retryAfterMs !== undefined && retryAfterMs > 0 ? retryAfterMs : FEED_AGAIN_MS;
  const wait = Math.max(first, Math.min(FEED_LONGEST_WAIT_MS, first * 2 ** Math.max(0, inARow - 1)));
  return Math.round(wait * (0.75 + Math.min(1, Math.max(0, random)) * 0.5));
}

/** What a refused feed is, by what the hub answered the session's check made after it (EventSource itself tells nothing). */
export function refusedFeed(check: { status: number; code?: string } | 'signed-in'): FeedLink {
  // The session stands, so the feed alone was refused: the hub refuses it alone only past FEEDS_PER_STAFF (429).
  if (check === 'signed-in') return 'busy';
  if (check.status === 401) return 'ended';
  if (check.status === 0) return 'lost';
  if (check.code === 'not-in-charge') return 'notInCharge';
  if (check.status === 429) return 'busy';
  return 'refused';
}

/** A network error EventSource retries by itself: the link lost, unless it was never made (the hub down as the page opened). */
export const networkError = (link: FeedLink): FeedLink => (link === 'linking' ? 'linking' : 'lost');
