import { describe, expect, it } from 'vitest';
import { Buckets } from './limits';

describe('the rate buckets', () => {
  it('keep their cost per take when tens of thousands of addresses spend at once (a flood of addresses, not of requests)', () => {
    const buckets = new Buckets({ perMinute: 30, burst: 20 });
    const now = Date.parse('2026-11-27T09:00:00+08:00');
    const started = performance.now();
    // None of them full again within the minute: a look for full buckets finds none to forget.
    let refused = 0;
    for (let i = 0; i < 40_000; i++) if (buckets.take(`2001:db8::${i.toString(16)}`, now) > 0) refused += 1;
    // Looking through them all at every take past 10,000 took seconds (quadratic); once each time they double, milliseconds.
    expect(performance.now() - started).toBeLessThan(1_500);
    expect(refused).toBe(0);
  });
});
