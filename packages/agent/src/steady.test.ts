import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SteadyState } from './steady';

type Health = { kind: 'ok' } | { kind: 'warning'; code: string } | { kind: 'fault'; code: string };
const OK: Health = { kind: 'ok' };
const COVER: Health = { kind: 'fault', code: 'cover-open' };
const PAPER: Health = { kind: 'fault', code: 'paper-end' };
const NEAR: Health = { kind: 'warning', code: 'paper-near-end' };

describe('a device state told to the hall', () => {
  let told: Health[];
  let steady: SteadyState<Health>;
  beforeEach(() => {
    vi.useFakeTimers();
    told = [];
    steady = new SteadyState<Health>(10_000, (s) => told.push(s));
  });
  afterEach(() => {
    steady.close();
    vi.useRealTimers();
  });

  it('tells a printer flapping every 3 s twice as in fault, and ready once it has stayed so for the hold', () => {
    steady.see(OK);
    for (let i = 0; i < 21; i++) {
      steady.see(i % 2 === 0 ? COVER : OK);
      vi.advanceTimersByTime(3000);
    }
    expect(told).toEqual([OK, COVER, OK, COVER]);
    steady.see(OK);
    vi.advanceTimersByTime(9999);
    expect(told).toEqual([OK, COVER, OK, COVER]);
    vi.advanceTimersByTime(1);
    expect(told).toEqual([OK, COVER, OK, COVER, OK]);
  });

  it('tells a fault mended once at once: paper out, refilled, ready on the board without waiting', () => {
    steady.see(OK);
    steady.see(PAPER);
    steady.see(OK);
    expect(told).toEqual([OK, PAPER, OK]);
    // A minute later the next fault and its mending are told at once again: that is no flapping.
    vi.advanceTimersByTime(60_000);
    steady.see(COVER);
    steady.see(OK);
    expect(told).toEqual([OK, PAPER, OK, COVER, OK]);
  });

  it('tells a change for the worse at once: a fault after a warning, another fault', () => {
    steady.see(OK);
    steady.see(NEAR);
    steady.see(COVER);
    steady.see(PAPER);
    expect(told).toEqual([OK, NEAR, COVER, PAPER]);
  });

  it('holds a flapping printer’s ready though the PC’s clock is set an hour forward between two flaps', () => {
    // Flaps 3 s apart, counted by the machine's steady time: the printer still flaps, and its ready waits for the hold.
    steady.see(OK);
    steady.see(COVER);
    steady.see(OK);
    vi.advanceTimersByTime(3000);
    vi.setSystemTime(Date.now() + 3_600_000);
    steady.see(COVER);
    steady.see(OK);
    expect(told).toEqual([OK, COVER, OK, COVER]);
    vi.advanceTimersByTime(10_000);
    expect(told).toEqual([OK, COVER, OK, COVER, OK]);
  });

  it('forgets flaps two minutes past though the PC’s clock was set an hour back since: the next fault’s mending is told at once', () => {
    steady.see(OK);
    for (const state of [COVER, OK, COVER, OK]) steady.see(state);
    vi.advanceTimersByTime(10_000);
    expect(told).toEqual([OK, COVER, OK, COVER, OK]);
    vi.setSystemTime(Date.now() - 3_600_000);
    vi.advanceTimersByTime(120_000);
    steady.see(PAPER);
    steady.see(OK);
    expect(told).toEqual([OK, COVER, OK, COVER, OK, PAPER, OK]);
  });

  it('holds a fault cleared to a warning as it holds one cleared to ready, once it flaps, and tells the same state once', () => {
    for (let i = 0; i < 3; i++) {
      steady.see(PAPER);
      steady.see(NEAR);
    }
    steady.see(NEAR);
    expect(told).toEqual([PAPER, NEAR, PAPER, NEAR, PAPER]);
    vi.advanceTimersByTime(10_000);
    steady.see(NEAR);
    expect(told).toEqual([PAPER, NEAR, PAPER, NEAR, PAPER, NEAR]);
  });
});
