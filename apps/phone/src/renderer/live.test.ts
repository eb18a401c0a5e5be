import type { PhoneTicket } from '@servicehall/protocol/phone';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { followTicket, type LinkState } from './live';

const REF = 'AbCdEfGhIjKlMnOpQrStUv';

/** The browser's EventSource as the page sees it: a test opens it, sends it a ticket, or fails it as the network or the hub would. */
class FakeEventSource {
  static readonly CONNECTING = 0;
  static readonly OPEN = 1;
  static readonly CLOSED = 2;
  static made: FakeEventSource[] = [];
  readyState = FakeEventSource.CONNECTING;
  private readonly listeners = new Map<string, ((e: unknown) => void)[]>();
  constructor(readonly url: string) {
    FakeEventSource.made.push(this);
  }
  addEventListener(type: string, fn: (e: unknown) => void): void {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), fn]);
  }
  close(): void {
    this.readyState = FakeEventSource.CLOSED;
  }
  private emit(type: string, e: unknown = {}): void {
    for (const fn of this.listeners.get(type) ?? []) fn(e);
  }
  open(): void {
    this.readyState = FakeEventSource.OPEN;
    this.emit('open');
  }
  ticket(version: number): void {
    this.emit('ticket', { data: JSON.stringify({ ref: REF, number: 'A012', version }) });
  }
  /** The network failed: the browser tries again by itself. */
  lose(): void {
    this.readyState = FakeEventSource.CONNECTING;
    this.emit('error');
  }
  /** The hub answered 429 (or 404): the browser gives the stream up. */
  refuse(): void {
    this.readyState = FakeEventSource.CLOSED;
    this.emit('error');
  }
}

/** The page's long polls: each waits (as the hub holds it) until aborted, or is refused at once with 429 and Retry-After when `refusing`. */
function fakeHub() {
  const asks: { url: string; at: number }[] = [];
  const hub = { asks, refusing: false, retryAfter: 10 };
  vi.stubGlobal('fetch', (url: string, init: { signal?: AbortSignal }) => {
    asks.push({ url, at: Date.now() });
    if (hub.refusing)
      return Promise.resolve(new Response(JSON.stringify({ code: 'rate-limited', text: '' }), { status: 429, headers: { 'retry-after': String(hub.retryAfter) } }));
    return new Promise((_resolve, reject) => init.signal?.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError'))));
  });
  return hub;
}

let lines: LinkState[];
let follow: { stop(): void } | undefined;
const handlers = () => ({ state: (_t: PhoneTicket) => undefined, link: (s: LinkState) => void lines.push(s), gone: () => undefined });
const streams = () => FakeEventSource.made;
const latest = () => FakeEventSource.made.at(-1)!;
const polls = (hub: { asks: { url: string }[] }) => hub.asks.filter((a) => a.url.includes(`/tickets/${REF}?after=`)).length;
/** The time that passes, the page's promises settled between its timers. */
const pass = (ms: number) => vi.advanceTimersByTimeAsync(ms);
/** Seconds until the page asks for its stream again (at most ten minutes). */
async function untilStreamAsked(): Promise<number> {
  const since = Date.now();
  const before = streams().length;
  for (let s = 0; s < 600 && streams().length === before; s++) await pass(1_000);
  return Math.round((Date.now() - since) / 1000);
}

beforeEach(() => {
  vi.useFakeTimers();
  // The jitter in the middle: each wait as stated.
  vi.spyOn(Math, 'random').mockReturnValue(0.5);
  FakeEventSource.made = [];
  lines = [];
  vi.stubGlobal('window', { EventSource: FakeEventSource });
  vi.stubGlobal('document', { visibilityState: 'visible', addEventListener: () => undefined, removeEventListener: () => undefined });
});

afterEach(() => {
  follow?.stop();
  follow = undefined;
  vi.useRealTimers();
  vi.restoreAllMocks();
  vi.unstubAllGlobals();
});

describe('the ticket page’s live link', () => {
  it('asks for the stream again 30 s after the network made it fall back to the long poll, then a minute, and after a stream that brings the ticket 30 s again', async () => {
    const hub = fakeHub();
    follow = followTicket(REF, handlers());
    latest().open();
    latest().ticket(1);
    // The phone's Wi-Fi gone a few seconds: the browser's own three tries fail, and the page follows by long poll.
    for (let i = 0; i < 3; i++) latest().lose();
    expect(latest().readyState).toBe(FakeEventSource.CLOSED);
    await pass(0);
    expect(polls(hub)).toBe(1);
    expect(lines.at(-1)).toBe('polling');

    await pass(29_000);
    expect(streams()).toHaveLength(1);
    // After 30 s the long poll steps aside (its ask aborted, its place given back) and the stream is asked for again.
    await pass(1_000 + 500);
    expect(streams()).toHaveLength(2);
    expect(lines.at(-1)).toBe('polling');

    // Still no network: its tries fail too, the long poll again, and the next ask a minute later, not 30 s.
    for (let i = 0; i < 3; i++) latest().lose();
    await pass(59_000);
    expect(streams()).toHaveLength(2);
    await pass(1_500);
    expect(streams()).toHaveLength(3);

    // The Wi-Fi is back: the stream opens and brings the ticket, and the next loss waits 30 s again.
    latest().open();
    latest().ticket(2);
    expect(lines.at(-1)).toBe('live');
    for (let i = 0; i < 3; i++) latest().lose();
    await pass(30_500);
    expect(streams()).toHaveLength(4);
  });

  it('waits at most 5 minutes between asks for a stream the network keeps losing', async () => {
    fakeHub();
    follow = followTicket(REF, handlers());
    const asked: number[] = [];
    for (let n = 0; n < 6; n++) {
      for (let i = 0; i < 3; i++) latest().lose();
      asked.push(await untilStreamAsked());
    }
    expect(asked).toEqual([31, 61, 121, 241, 301, 301]);
  });

  it('doubles its wait on each refusal in a row while the hub keeps turning it away, Retry-After the least, and starts again from Retry-After once a stream opens', async () => {
    const hub = fakeHub();
    hub.refusing = true;
    follow = followTicket(REF, handlers());
    /** Seconds from one refused stream to the next ask for one, and the page's asks in between (its long polls). */
    const waits: number[] = [];
    const pollsBetween: number[] = [];
    for (let n = 0; n < 6; n++) {
      const asked = polls(hub);
      latest().refuse();
      waits.push(await untilStreamAsked());
      pollsBetween.push(polls(hub) - asked);
    }
    expect(lines.at(-1)).toBe('busy');
    // Retry-After 10 s: 10, 20, 40, 80, 160 s, then 5 minutes at most (plus the long poll's half second to step aside).
    expect(waits).toEqual([11, 21, 41, 81, 161, 301]);
    // Two asks each time (the stream and one long poll), not more as the wait grows.
    expect(pollsBetween).toEqual([1, 1, 1, 1, 1, 1]);

    // Let in: the stream opens, and a refusal after it waits Retry-After again.
    hub.refusing = false;
    latest().open();
    expect(lines.at(-1)).toBe('live');
    hub.refusing = true;
    latest().refuse();
    expect(await untilStreamAsked()).toBe(11);
  });

  it('without EventSource, waits twice as long after each refused long poll', async () => {
    const hub = fakeHub();
    hub.refusing = true;
    vi.stubGlobal('window', {});
    follow = followTicket(REF, handlers());
    await pass(0);
    await pass(12 * 60_000);
    /** Seconds between one ask and the next. */
    const apart = hub.asks.slice(1).map((a, i) => Math.round((a.at - hub.asks[i]!.at) / 1000));
    expect(apart.slice(0, 6)).toEqual([10, 20, 40, 80, 160, 300]);
    expect(lines.at(-1)).toBe('busy');
  });
});
