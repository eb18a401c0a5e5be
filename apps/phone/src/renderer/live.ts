import type { PhoneTicket } from '@servicehall/protocol/phone';
import { api, ApiError } from './api';

/** busy: the hub turned the page away for now (429: too many phones follow from this address, or the hall follows as many as it can); it asks again after Retry-After. */
export type LinkState = 'connecting' | 'live' | 'reconnecting' | 'polling' | 'busy';

export interface FollowHandlers {
  state(ticket: PhoneTicket): void;
  link(state: LinkState): void;
  /** The ticket is not today's, or never was. */
  gone(): void;
}

/** The hub's Retry-After when it turns a phone away (HELD_RETRY_MS): a refused stream's own is not shown to the page (EventSource hides it). */
const TURNED_AWAY_MS = 10_000;

/** How long after its long poll steps aside the stream is asked for: time for the hub to see the poll's connection close and give its place back. */
const STEP_ASIDE_MS = 500;

/** A stream lost to the network again and again (the phone's Wi-Fi gone a while, or a proxy that holds it) is asked for again after this, the long poll following meanwhile. */
const STREAM_AGAIN_MS = 30_000;

/** The longest a page waits before it asks for the stream again, however often it was lost or refused in a row. */
const LONGEST_WAIT_MS = 5 * 60_000;

/** A wait spread by a quarter either way, so that a hall's phones turned away together do not all ask again in the same second. */
const jittered = (ms: number) => ms * (0.75 + Math.random() * 0.5);

/** The wait after the n-th failure in a row: `first`, doubled each time, at most LONGEST_WAIT_MS (never below `first`: the hub's Retry-After is a floor). */
const doubling = (first: number, inARow: number) => Math.max(first, Math.min(LONGEST_WAIT_MS, first * 2 ** Math.max(0, inARow - 1)));

/**
 * Follows a ticket by push: server-sent events where the browser has EventSource (WeChat's and
 * Alipay's browsers do), reconnecting by itself; where it has none, or the stream keeps failing (a
 * proxy that holds it), a long poll that asks again as soon as each answer comes. A stream the hub
 * turned away (429) is followed by long poll meanwhile and asked for again once the hub's
 * Retry-After has passed. Never a reload.
 */
export function followTicket(ref: string, on: FollowHandlers, options: { poll?: boolean } = {}): { stop(): void } {
  let stopped = false;
  let version = 0;
  let source: EventSource | undefined;
  /** The long poll running now (its number; 0: none): a poll whose number is no longer this one ends. */
  let polling = 0;
  let polls = 0;
  let pollAbort: AbortController | undefined;
  let wake: (() => void) | undefined;
  /** The hub closed the stream (it answered 429 or 404, not a network that failed): the long poll after it is as live as the stream was. */
  let turnedAway = false;
  /** Whether the hub has answered yet: before, the page is connecting; after, a lost link is reconnecting. */
  let connected = false;
  /** The stream asked for again, once the hub's Retry-After has passed. */
  let streamAgain: ReturnType<typeof setTimeout> | undefined;
  /** The hub's latest Retry-After (a long poll's refusal carries it; a stream's is hidden). */
  let retryAfterMs = TURNED_AWAY_MS;
  /** Streams the hub refused in a row (reset when one opens): each waits twice as long as the one before, so that a page kept busy asks less and less. */
  let refusals = 0;
  /** Streams lost to the network in a row (reset when one brings the ticket): asked for again later each time. */
  let lost = 0;
  const ES = (window as { EventSource?: typeof EventSource }).EventSource;

  /** The ticket is no longer today's (a page left open overnight): nothing more to follow, so the page stops asking, a return from the pocket included. */
  const ended = () => {
    if (stopped) return;
    stop();
    on.gone();
  };

  const accept = (ticket: PhoneTicket) => {
    connected = true;
    if (ticket.version >= version) {
      version = ticket.version;
      on.state(ticket);
    }
  };

  /** `again`: asked for again after the page fell back to its long poll; the line says what it said (the long poll's answers, or busy) until the stream opens. */
  const stream = (again = false) => {
    let quiet = again;
    if (!quiet) on.link(connected ? 'reconnecting' : 'connecting');
    let failures = 0;
    const es = new ES!(`/api/phone/tickets/${ref}/watch`);
    source = es;
    es.addEventListener('open', () => {
      quiet = false;
      refusals = 0;
      on.link('live');
    });
    es.addEventListener('ticket', (e) => {
      failures = 0;
      lost = 0;
      on.link('live');
      try {
        accept(JSON.parse((e as MessageEvent<string>).data) as PhoneTicket);
      } catch {
        // A damaged message: the next one brings the whole state again.
      }
    });
    es.addEventListener('gone', ended);
    es.addEventListener('error', () => {
      if (stopped) return;
      failures += 1;
      // Closed for good (the hub said 404 or 429), or failing again and again: ask by long poll instead, and for the stream again later.
      if (es.readyState === ES!.CLOSED || failures >= 3) {
        turnedAway = es.readyState === ES!.CLOSED;
        es.close();
        source = undefined;
        void poll();
        // Refused: after the hub's Retry-After, twice that after a second refusal in a row, and so on (a 404 ends the page before). Lost: after 30 s, then a minute, and so on.
        if (turnedAway) streamLater(doubling(retryAfterMs, (refusals += 1)));
        else streamLater(doubling(STREAM_AGAIN_MS, (lost += 1)));
      } else if (!quiet) on.link(connected ? 'reconnecting' : 'connecting');
    });
  };

  /** The stream asked for again after `ms`, spread a quarter either way. */
  const streamLater = (ms: number) => {
    clearTimeout(streamAgain);
    streamAgain = setTimeout(() => {
      if (stopped) return;
      // The long poll steps aside first: its place among its address's is given back, so that the stream does not find it taken by this very page.
      polling = 0;
      pollAbort?.abort();
      wake?.();
      streamAgain = setTimeout(() => {
        streamAgain = undefined;
        if (!stopped) stream(true);
      }, STEP_ASIDE_MS);
    }, jittered(ms));
  };

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        wake = undefined;
        resolve();
      }, ms);
      wake = () => {
        clearTimeout(timer);
        wake = undefined;
        resolve();
      };
    });

  const poll = async () => {
    if (polling) return;
    const run = (polling = ++polls);
    if (!turnedAway) on.link('polling');
    let failures = 0;
    while (!stopped && polling === run) {
      pollAbort = new AbortController();
      try {
        accept(await api<PhoneTicket>('GET', `/tickets/${ref}?after=${version}`, { signal: pollAbort.signal }));
        failures = 0;
        // Each answer comes as soon as the ticket changes: after the hub turned the stream away, live, not a slow network.
        if (polling === run) on.link(turnedAway ? 'live' : 'polling');
      } catch (error) {
        if (stopped || polling !== run) return;
        if (error instanceof ApiError && error.status === 404) return ended();
        failures += 1;
        // Turned away by the hub, not lost: said as such, so that the citizen does not blame the phone's network.
        const busy = error instanceof ApiError && error.status === 429;
        on.link(busy ? 'busy' : connected ? 'reconnecting' : 'connecting');
        const hubSaid = error instanceof ApiError && error.retryAfterSeconds ? error.retryAfterSeconds * 1000 : undefined;
        if (hubSaid) retryAfterMs = hubSaid;
        // Refused again and again: twice as long each time, as long as the stream's own next ask waits (which steps the poll aside when it comes first).
        await sleep(jittered(busy ? doubling(retryAfterMs, Math.max(failures, refusals)) : (hubSaid ?? Math.min(30_000, 1000 * 2 ** Math.min(failures, 5)))));
      }
    }
  };

  // A phone back from the pocket: a closed stream is opened again, a waiting poll asks now.
  const visible = () => {
    if (document.visibilityState !== 'visible' || stopped) return;
    if (source && source.readyState === ES!.CLOSED) stream(turnedAway);
    wake?.();
  };
  document.addEventListener('visibilitychange', visible);

  function stop(): void {
    stopped = true;
    clearTimeout(streamAgain);
    source?.close();
    pollAbort?.abort();
    wake?.();
    document.removeEventListener('visibilitychange', visible);
  }

  if (ES && !options.poll) stream();
  else void poll();

  return { stop };
}
