import { afterEach, describe, expect, it, vi } from 'vitest';
import { IdleWatch, idlePhase } from './idle';

const settings = { idleSeconds: 60, warnSeconds: 20 };
const s = 1000;

describe('the kiosk waiting for a citizen who stopped touching it', () => {
  it.each([
    ['touched a moment ago', 5 * s, false, { kind: 'active' }],
    ['a minute without a touch: asks, 20 seconds left', 60 * s, false, { kind: 'warning', secondsLeft: 20 }],
    ['counting down', 70.5 * s, false, { kind: 'warning', secondsLeft: 10 }],
    ['the last second', 79.9 * s, false, { kind: 'warning', secondsLeft: 1 }],
    ['nobody answered: home', 80 * s, false, { kind: 'reset' }],
    ['at rest on the home screen: nothing to ask', 70 * s, true, { kind: 'active' }],
    ['at rest, the time is up: what was typed goes', 80 * s, true, { kind: 'reset' }],
  ] as const)('%s', (_what, elapsed, atRest, phase) => expect(idlePhase(1_000_000 + elapsed, 1_000_000, settings, atRest)).toEqual(phase));
});

describe('the kiosk’s patience, counted by its steady clock', () => {
  afterEach(() => vi.useRealTimers());

  it('keeps a citizen in the middle of a task though the PC’s clock is set an hour forward, and asks after a minute all the same', () => {
    // Date jumps with the PC's clock; performance.now() runs on.
    vi.useFakeTimers();
    const watch = new IdleWatch();
    watch.touched();
    vi.advanceTimersByTime(10 * s);
    vi.setSystemTime(Date.now() + 3_600_000);
    expect(watch.phase(settings, false)).toEqual({ kind: 'active' });
    vi.advanceTimersByTime(50 * s);
    expect(watch.phase(settings, false)).toEqual({ kind: 'warning', secondsLeft: 20 });
    watch.touched();
    expect(watch.phase(settings, false)).toEqual({ kind: 'active' });
  });

  it('goes home after its time though the PC’s clock is set an hour back meanwhile', () => {
    vi.useFakeTimers();
    const watch = new IdleWatch();
    vi.advanceTimersByTime(30 * s);
    vi.setSystemTime(Date.now() - 3_600_000);
    vi.advanceTimersByTime(50 * s);
    expect(watch.phase(settings, false)).toEqual({ kind: 'reset' });
  });
});
