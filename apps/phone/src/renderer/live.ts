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

/**
 * Follows a ticket by push: server-sent events where the browser has EventSource (WeChat's and
 * Alipay's browsers do), reconnecting by itself; where it has none, or the stream keeps failing (a
 * proxy that holds it), a long poll that asks again as soon as each answer comes. Never a reload.
 */
export function followTicket(ref: string, on: FollowHandlers, options: { poll?: boolean } = {}): { stop(): void } {
  let stopped = false;
  let version = 0;
  let source: EventSource | undefined;
  let polling = false;
  let pollAbort: AbortController | undefined;
  let wake: (() => void) | undefined;
  /** The hub closed the stream (it answered 429 or 404, not a network that failed): the long poll after it is as live as the stream was. */
  let turnedAway = false;
  const ES = (window as { EventSource?: typeof EventSource }).EventSource;

  /** The ticket is no longer today's (a page left open overnight): nothing more to follow, so the page stops asking, a return from the pocket included. */
  const ended = () => {
    if (stopped) return;
    stop();
    on.gone();
  };

  const accept = (ticket: PhoneTicket) => {
    if (ticket.version >= version) {
      version = ticket.version;
      on.state(ticket);
    }
  };

  const stream = () => {
    on.link('connecting');
    let failures = 0;
    const es = new ES!(`/api/phone/tickets/${ref}/watch`);
    source = es;
    es.addEventListener('open', () => on.link('live'));
    es.addEventListener('ticket', (e) => {
      failures = 0;
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
      // Closed for good (the hub said 404 or 429), or failing again and again: ask by long poll instead.
      if (es.readyState === ES!.CLOSED || failures >= 3) {
        turnedAway = es.readyState === ES!.CLOSED;
        es.close();
        source = undefined;
        void poll();
      } else on.link('reconnecting');
    });
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
    polling = true;
    on.link('polling');
    let failures = 0;
    while (!stopped) {
      pollAbort = new AbortController();
      try {
        accept(await api<PhoneTicket>('GET', `/tickets/${ref}?after=${version}`, { signal: pollAbort.signal }));
        failures = 0;
        // Each answer comes as soon as the ticket changes: after the hub turned the stream away, live, not a slow network.
        on.link(turnedAway ? 'live' : 'polling');
      } catch (error) {
        if (stopped) return;
        if (error instanceof ApiError && error.status === 404) return ended();
        failures += 1;
        // Turned away by the hub, not lost: said as such, so that the citizen does not blame the phone's network.
        on.link(error instanceof ApiError && error.status === 429 ? 'busy' : 'reconnecting');
        const retry = error instanceof ApiError && error.retryAfterSeconds ? error.retryAfterSeconds * 1000 : Math.min(30_000, 1000 * 2 ** Math.min(failures, 5));
        await sleep(retry * (0.75 + Math.random() * 0.5));
      }
    }
  };

  // A phone back from the pocket: a closed stream is opened again, a waiting poll asks now.
  const visible = () => {
    if (document.visibilityState !== 'visible' || stopped) return;
    if (source && source.readyState === ES!.CLOSED) stream();
    wake?.();
  };
  document.addEventListener('visibilitychange', visible);

  function stop(): void {
    stopped = true;
    source?.close();
    pollAbort?.abort();
    wake?.();
    document.removeEventListener('visibilitychange', visible);
  }

  if (ES && !options.poll) stream();
  else void poll();

  return { stop };
}
