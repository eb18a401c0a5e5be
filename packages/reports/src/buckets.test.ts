import { describe, expect, it } from 'vitest';
import { bucketOf, BUCKETS, countWithin } from './buckets';

/** A histogram of waits given in minutes. */
function waits(minutes: number[]): number[] {
  const counts = Array.from({ length: BUCKETS }, () => 0);
  for (const m of minutes) counts[bucketOf(m * 60)]! += 1;
  return counts;
}

describe('the share called within a wait target', () => {
  // Five called at once, ten after 30 to 35 minutes (one a half-minute apart), two after two hours.
  const counts = waits([0, 0.2, 0.4, 0.6, 0.8, ...Array.from({ length: 10 }, (_, i) => 30 + i * 0.5), 120, 130]);

  it.each([
    [20, 5],
    [30, 5],
    [35, 15],
    // Between the edges 30 and 35: three fifths of that bucket, not none of it.
    [33, 11],
    [240, 17],
  ])('counts within %s minutes %s', (minutes, n) => {
    expect(countWithin(counts, minutes)).toBeCloseTo(n, 6);
  });
});
