import { describe, expect, it } from 'vitest';
import { HubOffset } from './hub-offset';

describe('the hub’s clock as a terminal or console counts it', () => {
  it('takes the hub’s time at the midpoint of the round trip', () => {
    const o = new HubOffset();
    expect(o.value).toBeUndefined();
    // Asked at 1000, answered at 1400 (steady clock): the hub said 50_200 at about 1200.
    expect(o.sample(1000, 50_200, 1400)).toBe(49_000);
  });

  it('keeps the answer of the shortest round trip among the last five, so one slow answer does not move the hall’s time', () => {
    const o = new HubOffset();
    o.sample(0, 10_050, 100);
    // Slow: the hub said its time early in a 3 s round trip.
    expect(o.sample(1000, 11_000, 4000)).toBe(10_000);
    for (let i = 1; i <= 4; i++) o.sample(10_000 * i, 10_000 * i + 20_000 + 100, 10_000 * i + 200);
    // The first answer is past the last five: the hub's clock put 10 s on is followed.
    expect(o.value).toBe(20_000);
  });

  it('takes nothing from an answer that came before its question or says no time', () => {
    const o = new HubOffset();
    o.sample(1000, 6000, 1000);
    expect(o.sample(2000, 9999, 1500)).toBe(5000);
    expect(o.sample(2000, Number.NaN, 2100)).toBe(5000);
  });
});
