/**
 * The hub's own answer times, as its /metrics counts them (servicehall_command_answer_seconds: from a
 * command read and checked to its answer), for the benches to print beside what their clients
 * measured. A client's latency holds the hub's time and the rest: the machine's network stack, and
 * on one machine the clients' own processes waiting for a core. The difference says which of the two
 * a figure over its goal owes to.
 */

/** A histogram as /metrics gives it: each bucket's upper bound in seconds, with its count so far (cumulative). */
export type AnswerBuckets = Map<number, number>;

const METRIC = 'servicehall_command_answer_seconds_bucket';

/** The answer-time buckets of the given command types, added together, from a /metrics page's text. */
export function answerBucketsIn(text: string, types: readonly string[]): AnswerBuckets {
  const out: AnswerBuckets = new Map();
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${METRIC}{`)) continue;
    const labels = Object.fromEntries([...line.slice(line.indexOf('{') + 1, line.lastIndexOf('}')).matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1], x[2]]));
    const { le, type } = labels;
    if (le === undefined || type === undefined || !types.includes(type)) continue;
    const bound = le === '+Inf' ? Infinity : Number(le);
    out.set(bound, (out.get(bound) ?? 0) + Number(line.slice(line.lastIndexOf(' ') + 1)));
  }
  return out;
}

/** The hub's answer-time buckets now, from one reading of its /metrics: one for each list of command types (added within a list). */
export async function hubAnswerBuckets(url: string, ...lists: (readonly string[])[]): Promise<AnswerBuckets[]> {
  const text = await (await fetch(`${url}/metrics`)).text();
  return lists.map((types) => answerBucketsIn(text, types));
}

/** What was counted between two readings (or several such, added: `plus`). */
export function bucketsBetween(before: AnswerBuckets, after: AnswerBuckets): AnswerBuckets {
  return new Map([...after].map(([bound, n]) => [bound, n - (before.get(bound) ?? 0)]));
}

export function plus(a: AnswerBuckets, b: AnswerBuckets): AnswerBuckets {
  const out = new Map(a);
  for (const [bound, n] of b) out.set(bound, (out.get(bound) ?? 0) + n);
  return out;
}

/**
 * The q-quantile in milliseconds, read between the bounds of its bucket (as Prometheus's
 * histogram_quantile does); beyond the last finite bound, that bound (a figure "over" it).
 * Undefined when nothing was counted.
 */
export function quantileMs(buckets: AnswerBuckets, q: number): number | undefined {
  const bounds = [...buckets.keys()].sort((x, y) => x - y);
  // The last bound's count is every answer (+Inf's, when the page has it, as it always does).
  const total = bounds.length ? buckets.get(bounds.at(-1)!)! : 0;
  if (!total) return undefined;
  const rank = q * total;
  let lower = 0;
  let below = 0;
  for (const bound of bounds) {
    const n = buckets.get(bound)!;
    if (n >= rank) {
      if (bound === Infinity) return lower * 1000;
      return (lower + (bound - lower) * ((rank - below) / Math.max(1, n - below))) * 1000;
    }
    lower = bound;
    below = n;
  }
  return lower * 1000;
}

/** "p50 1.2 ms  p99 7.5 ms (n=…)" of the hub's own answer times, for a bench's line. */
export function hubOwnFigure(buckets: AnswerBuckets): string {
  const n = buckets.get(Infinity) ?? 0;
  const ms = (q: number) => {
    const v = quantileMs(buckets, q);
    return v === undefined ? '-' : `${v.toFixed(1)} ms`;
  };
  return `p50 ${ms(0.5)}   p99 ${ms(0.99)}   (n=${n})`;
}
