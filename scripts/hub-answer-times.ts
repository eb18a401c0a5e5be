/**
 * The hub's own answer times, as its /metrics counts them (servicehall_command_answer_seconds: from a
 * command read and checked to its answer), for the benches to print beside what their clients
 * measured. A client's latency holds the hub's time and the rest: the machine's network stack, and
 * on one machine the clients' own processes waiting for a core. The difference says which of the two
 * a figure over its goal owes to.
 */

/** A histogram as /metrics gives it: each bucket's upper bound in seconds, with its count so far (cumulative). */
export type AnswerBuckets = Map<number, number>;

const METRIC = 'servicehall_command_answer_seconds';

/** The answer-time buckets of the given command types, added together, from a /metrics page's text. */
export function answerBucketsIn(text: string, types: readonly string[]): AnswerBuckets {
  return histogramIn(text, METRIC, (labels) => labels.type !== undefined && types.includes(labels.type));
}

/**
 * A histogram's buckets from a /metrics page's text (`metric`, the name without `_bucket`), the
 * lines whose labels `match` added together (by default every line of it).
 */
export function histogramIn(text: string, metric: string, match: (labels: Record<string, string>) => boolean = () => true): AnswerBuckets {
  const out: AnswerBuckets = new Map();
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${metric}_bucket{`)) continue;
    const labels = labelsOf(line);
    if (labels.le === undefined || !match(labels)) continue;
    const bound = labels.le === '+Inf' ? Infinity : Number(labels.le);
    out.set(bound, (out.get(bound) ?? 0) + Number(line.slice(line.lastIndexOf(' ') + 1)));
  }
  return out;
}

const labelsOf = (line: string): Record<string, string> =>
  Object.fromEntries([...line.slice(line.indexOf('{') + 1, line.lastIndexOf('}')).matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1]!, x[2]!]));

/**
 * What held every command of the hub besides its own work, as its /metrics counts it: the flushes
 * of its log to the disk (each batch waits for one, off the event loop), and its collector's pauses
 * (the event loop stopped: every command under way waits). A load's p99 lives in these when the
 * hub's thread is not short of a processor.
 */
export interface HubStalls {
  flushes: AnswerBuckets;
  /** The collector's pauses of the hub's thread: how many, and their seconds in all (every kind: young, old, incremental steps). */
  gc: { pauses: number; seconds: number };
}

const GC_METRIC = 'servicehall_nodejs_gc_duration_seconds';

export function hubStallsIn(text: string): HubStalls {
  let pauses = 0;
  let seconds = 0;
  for (const line of text.split('\n')) {
    const value = Number(line.slice(line.lastIndexOf(' ') + 1));
    if (line.startsWith(`${GC_METRIC}_count`)) pauses += value;
    else if (line.startsWith(`${GC_METRIC}_sum`)) seconds += value;
  }
  return { flushes: histogramIn(text, 'servicehall_log_flush_seconds'), gc: { pauses, seconds } };
}

export function stallsBetween(before: HubStalls, after: HubStalls): HubStalls {
  return { flushes: bucketsBetween(before.flushes, after.flushes), gc: { pauses: after.gc.pauses - before.gc.pauses, seconds: after.gc.seconds - before.gc.seconds } };
}

export function stallsPlus(a: HubStalls, b: HubStalls): HubStalls {
  return { flushes: plus(a.flushes, b.flushes), gc: { pauses: a.gc.pauses + b.gc.pauses, seconds: a.gc.seconds + b.gc.seconds } };
}

/** The flushes over 5 ms of a reading (the histogram's 5 ms bound). */
export const flushesOver5ms = (s: HubStalls) => (s.flushes.get(Infinity) ?? 0) - (s.flushes.get(0.005) ?? 0);

/** A pause's mean length in ms (undefined when there was none). */
const pauseEachMs = (s: HubStalls) => (s.gc.pauses > 0 ? (s.gc.seconds * 1000) / s.gc.pauses : undefined);

/** "its log flushed 5210 times, p50 0.4 ms  p99 3.1 ms, 12 over 5 ms; its collector paused it 41 times, 236 ms in all (5.8 ms each)" */
export function describeStalls(s: HubStalls): string {
  const n = s.flushes.get(Infinity) ?? 0;
  const each = pauseEachMs(s);
  return `its log flushed ${n} times, p50 ${quantileFigure(s.flushes, 0.5)}  p99 ${quantileFigure(s.flushes, 0.99)}, ${flushesOver5ms(s)} over 5 ms; its collector paused it ${s.gc.pauses} times, ${(s.gc.seconds * 1000).toFixed(0)} ms in all${each === undefined ? '' : ` (${each.toFixed(1)} ms each)`}`;
}

export interface HubReading {
  answers: AnswerBuckets[];
  stalls: HubStalls;
}

/**
 * One reading of the hub's /metrics: its answer-time buckets, one for each list of command types
 * (added within a list), and what held its commands so far (its log's flushes, its collector's pauses).
 */
export async function hubReading(url: string, ...lists: (readonly string[])[]): Promise<HubReading> {
  const text = await (await fetch(`${url}/metrics`)).text();
  return { answers: lists.map((types) => answerBucketsIn(text, types)), stalls: hubStallsIn(text) };
}

/** What was counted between two readings of hubReading: each list's answer times, and what held the commands. */
export function readingBetween(before: HubReading, after: HubReading): HubReading {
  return { answers: after.answers.map((a, i) => bucketsBetween(before.answers[i]!, a)), stalls: stallsBetween(before.stalls, after.stalls) };
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
  return `p50 ${quantileFigure(buckets, 0.5)}   p99 ${quantileFigure(buckets, 0.99)}   (n=${n})`;
}

/** quantileMs in words: "7.5 ms", or "-" when nothing was counted. */
function quantileFigure(buckets: AnswerBuckets, q: number): string {
  const v = quantileMs(buckets, q);
  return v === undefined ? '-' : `${v.toFixed(1)} ms`;
}

/** describeStalls for a table's cell: "flush p99 3.1 ms; GC 41 × 5.8 ms". */
export function stallsCell(s: HubStalls): string {
  return `flush p99 ${quantileFigure(s.flushes, 0.99)}; GC ${s.gc.pauses} × ${(pauseEachMs(s) ?? 0).toFixed(1)} ms`;
}
