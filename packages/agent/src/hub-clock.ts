import type { ConnectionState } from '@servicehall/protocol';
import { useCallback, useEffect, useState, useSyncExternalStore } from 'react';

/** What a screen's hall clock needs of its bridge: every app's has it (HubTimeCall, LinkTopic). */
export interface HubTimeBridge {
  call(name: 'hubTime'): Promise<number>;
  on(topic: 'link', listener: (state: ConnectionState) => void): () => void;
}

/**
 * Now on the hub's clock (the hall's time), as a screen knows it: its PC's own clock may be minutes or hours
 * off, set by hand or drifting. The agent's link knows the hub's; it is asked at the start, each minute and
 * whenever the link changes, and the answer is taken at half the call's round trip. The screen counts on from
 * it by its steady clock (performance.now()), so that its PC's clock put right by an hour does not show the
 * hall an hour off (or on another day) until the next answer.
 */
export class HubClock {
  /** The hub's clock less the steady clock: the screen's own clock until the agent answers. */
  private offset = Date.now() - performance.now();
  private readonly listeners = new Set<() => void>();

  constructor(private readonly bridge: HubTimeBridge, everyMs = 60_000) {
    let status: string | undefined;
    this.ask();
    setInterval(() => this.ask(), everyMs);
    bridge.on('link', (link) => {
      if (link?.status === status) return;
      status = link?.status;
      this.ask();
    });
  }

  /** Now on the hub's clock, in whole milliseconds as the hub's own (what a screen reports of it goes to the agent, which takes integers). */
  readonly now = (): number => Math.round(performance.now() + this.offset);

  /** The hub's clock less this screen's steady clock (performance.now()), ms. */
  readonly offsetMs = (): number => this.offset;

  readonly subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  private ask(): void {
    const sent = performance.now();
    this.bridge.call('hubTime').then(
      (hub) => {
        if (typeof hub !== 'number' || !Number.isFinite(hub)) return;
        const offset = Math.round(hub - (sent + performance.now()) / 2);
        if (offset === this.offset) return;
        this.offset = offset;
        for (const l of this.listeners) l();
      },
      () => undefined,
    );
  }
}

const clocks = new WeakMap<HubTimeBridge, HubClock>();

/** The one hall clock of a screen's bridge. */
export function hubClock(bridge: HubTimeBridge): HubClock {
  let clock = clocks.get(bridge);
  if (!clock) clocks.set(bridge, (clock = new HubClock(bridge)));
  return clock;
}

/** `hubNow()` of the screen's hall clock: a new function whenever the hub's offset changes, so that what counts by it is drawn again. */
export function useHubNow(bridge: HubTimeBridge): () => number {
  const clock = hubClock(bridge);
  const offset = useSyncExternalStore(clock.subscribe, clock.offsetMs);
  return useCallback(() => Math.round(performance.now() + offset), [offset]);
}

/**
 * Calls `tick(hubNow())` at each whole `ms` of the hub's clock (each whole minute for 60_000), not `ms` after
 * the screen happened to start: a minute clock that ticked every 10 s from an odd start read 04:20 while the
 * ticket just printed said 04:21. Returns the stop.
 */
export function onEachTick(hubNow: () => number, ms: number, tick: (now: number) => void): () => void {
  let timer: ReturnType<typeof setTimeout>;
  const next = () => {
    const into = ((hubNow() % ms) + ms) % ms;
    timer = setTimeout(() => {
      tick(hubNow());
      next();
    }, ms - into);
  };
  next();
  return () => clearTimeout(timer);
}

/** `hubNow()`, moving on at each whole `ms` of the hub's clock: `useNow(hubNow, 60_000)` for a clock of hours and minutes. */
export function useNow(hubNow: () => number, ms = 1000): number {
  const [now, setNow] = useState(hubNow);
  useEffect(() => {
    setNow(hubNow());
    return onEachTick(hubNow, ms, setNow);
  }, [hubNow, ms]);
  return now;
}
