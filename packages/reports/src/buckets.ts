/**
 * Waits and service times are kept as histograms of fixed buckets, so that rows of any period can be
 * summed in SQL and the median and 90th percentile read from the sum. Minute buckets up to half an
 * hour (where most waits and services fall), then wider ones; the last is open-ended.
 */
export const BUCKET_EDGES_MINUTES: readonly number[] = [
  ...Array.from({ length: 30 }, (_, i) => i),
  30, 35, 40, 45, 50, 55,
  60, 75, 90, 105,
  120, 150, 180, 240,
];

export const BUCKETS = BUCKET_EDGES_MINUTES.length;

/** The bucket of a duration in seconds. */
export function bucketOf(seconds: number): number {
  const minutes = Math.max(0, seconds) / 60;
  let lo = 0;
  let hi = BUCKETS - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (BUCKET_EDGES_MINUTES[mid]! <= minutes) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/**
 * The q-quantile (0..1) of a histogram, in seconds, interpolated linearly inside its bucket; the
 * open last bucket reads as its lower edge, or the longest seen when that is known.
 */
export function quantile(counts: readonly number[], q: number, longestSeconds?: number): number | undefined {
  const total = counts.reduce((a, b) => a + b, 0);
  if (total <= 0) return undefined;
  const rank = q * total;
  let seen = 0;
  for (let i = 0; i < counts.length; i++) {
    const c = counts[i] ?? 0;
    if (c <= 0) continue;
    if (seen + c >= rank) {
      const lo = BUCKET_EDGES_MINUTES[i]! * 60;
      const hi = i + 1 < BUCKETS ? BUCKET_EDGES_MINUTES[i + 1]! * 60 : Math.max(lo, longestSeconds ?? lo);
      const within = Math.min(1, Math.max(0, (rank - seen) / c));
      const value = lo + within * (hi - lo);
      return longestSeconds === undefined ? value : Math.min(value, longestSeconds);
    }
    seen += c;
  }
  return longestSeconds;
}

/**
 * How many of the histogram's durations are within `minutes`: the buckets below it whole, and of the
 * bucket it falls in the share below it, read linearly as quantile reads inside a bucket (a target of
 * 33 minutes, between the edges 30 and 35, is not read as 30).
 */
export function countWithin(counts: readonly number[], minutes: number): number {
  let n = 0;
  for (let i = 0; i < counts.length; i++) {
    const lo = BUCKET_EDGES_MINUTES[i]!;
    const hi = i + 1 < BUCKETS ? BUCKET_EDGES_MINUTES[i + 1]! : Infinity;
    if (hi <= minutes) n += counts[i] ?? 0;
    else if (lo < minutes && hi !== Infinity) n += ((counts[i] ?? 0) * (minutes - lo)) / (hi - lo);
  }
  return n;
}
