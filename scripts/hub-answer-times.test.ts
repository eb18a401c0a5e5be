import { Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { ANSWER_BUCKETS, LOG_FLUSH_BUCKETS } from '../packages/hub/src/metrics';
import { answerBucketsIn, bucketsBetween, describeStalls, flushesOver5ms, hubStallsIn, plus, quantileMs, readingBetween, stallsBetween, stallsCell, stallsPlus, type HubReading } from './hub-answer-times';

/** A /metrics text with these answer times (ms) of issueTicket and callNext, as the hub writes it. */
async function page(issue: number[], call: number[] = []): Promise<string> {
  const registry = new Registry();
  const h = new Histogram({ name: 'servicehall_command_answer_seconds', help: 'h', labelNames: ['type'], buckets: ANSWER_BUCKETS, registers: [registry] });
  for (const ms of issue) h.observe({ type: 'issueTicket' }, ms / 1000);
  for (const ms of call) h.observe({ type: 'callNext' }, ms / 1000);
  return registry.metrics();
}

describe("the hub's own answer times, read from its /metrics", () => {
  it('reads a percentile between the bounds of its bucket, of the types asked for, between two readings', async () => {
    // 98 answers within 1 ms, two between 8 and 10 ms: the p99 lies in the 8-10 ms bucket, the p50 under 1 ms.
    const issue = [...Array.from({ length: 98 }, () => 0.7), 9, 9.5];
    const before = answerBucketsIn(await page([]), ['issueTicket']);
    const after = answerBucketsIn(await page(issue, [40, 45]), ['issueTicket']);
    const counted = bucketsBetween(before, after);
    expect(counted.get(Infinity)).toBe(100);
    const p99 = quantileMs(counted, 0.99)!;
    expect(p99).toBeGreaterThan(8);
    expect(p99).toBeLessThanOrEqual(10);
    expect(quantileMs(counted, 0.5)!).toBeGreaterThan(0.5);
    expect(quantileMs(counted, 0.5)!).toBeLessThanOrEqual(1);
    // callNext's slow answers are not issueTicket's; asked for both, they are.
    const both = answerBucketsIn(await page(issue, [40, 45]), ['issueTicket', 'callNext']);
    expect(both.get(Infinity)).toBe(102);
    expect(quantileMs(both, 0.99)!).toBeGreaterThan(10);
    // Two runs pooled count as one.
    expect(plus(counted, counted).get(Infinity)).toBe(200);
    expect(quantileMs(plus(counted, counted), 0.99)).toBeCloseTo(p99, 6);
  });

  it('says nothing of a type never answered, and the last bound of answers beyond it', async () => {
    expect(quantileMs(answerBucketsIn(await page([1]), ['callNext']), 0.99)).toBeUndefined();
    expect(quantileMs(answerBucketsIn(await page([5000, 6000]), ['issueTicket']), 0.99)).toBe(1000);
  });
});

/** A /metrics text with these log flushes (ms) and collector pauses (ms, by kind), as the hub writes them. */
async function stallsPage(flushes: number[], gc: { kind: string; ms: number }[]): Promise<string> {
  const registry = new Registry();
  const flush = new Histogram({ name: 'servicehall_log_flush_seconds', help: 'f', buckets: LOG_FLUSH_BUCKETS, registers: [registry] });
  for (const ms of flushes) flush.observe(ms / 1000);
  // prom-client's default metric, as collectDefaultMetrics names it with the hub's prefix.
  const collector = new Histogram({ name: 'servicehall_nodejs_gc_duration_seconds', help: 'g', labelNames: ['kind'], buckets: [0.001, 0.01, 0.1, 1, 2, 5], registers: [registry] });
  for (const { kind, ms } of gc) collector.observe({ kind }, ms / 1000);
  return registry.metrics();
}

describe("what held every command of the hub: its log's flushes and its collector's pauses", () => {
  it('reads the flushes between two readings with their tail, and every kind of pause added together', async () => {
    const before = hubStallsIn(await stallsPage([0.3, 0.3], [{ kind: 'minor', ms: 2 }]));
    const flushes = [0.3, 0.3, ...Array.from({ length: 97 }, () => 0.4), 3, 7, 12];
    const after = hubStallsIn(await stallsPage(flushes, [{ kind: 'minor', ms: 2 }, { kind: 'minor', ms: 6 }, { kind: 'minor', ms: 9 }, { kind: 'major', ms: 20 }]));
    const between = stallsBetween(before, after);
    expect(between.flushes.get(Infinity)).toBe(100);
    expect(flushesOver5ms(between)).toBe(2);
    // 97 within 0.5 ms, then one each of 3, 7 and 12 ms: the p99 is the 99th, the 7 ms one, read in its bucket above 5 ms.
    const p99 = quantileMs(between.flushes, 0.99)!;
    expect(p99).toBeGreaterThan(5);
    expect(p99).toBeLessThanOrEqual(10);
    expect(between.gc.pauses).toBe(3);
    expect(between.gc.seconds * 1000).toBeCloseTo(35, 6);
    expect(describeStalls(between)).toMatch(/flushed 100 times, p50 0\.\d ms {2}p99 \d+\.\d ms, 2 over 5 ms; its collector paused it 3 times, 35 ms in all \(11\.7 ms each\)/);
    expect(stallsCell(between)).toMatch(/^flush p99 \d+\.\d ms; GC 3 × 11\.7 ms$/);
    // Two loads pooled count as one.
    const both = stallsPlus(between, between);
    expect(both.flushes.get(Infinity)).toBe(200);
    expect(both.gc).toEqual({ pauses: 6, seconds: between.gc.seconds * 2 });
  });

  it('are counted with the answer times between two readings of one scrape each, each list of types apart', async () => {
    const reading = async (issue: number[], call: number[], flushes: number[]): Promise<HubReading> => {
      const answers = await page(issue, call);
      return { answers: [answerBucketsIn(answers, ['issueTicket']), answerBucketsIn(answers, ['callNext'])], stalls: hubStallsIn(await stallsPage(flushes, [])) };
    };
    const between = readingBetween(await reading([1], [2, 2], [0.3]), await reading([1, 1, 1], [2, 2, 2, 2, 2, 2], [0.3, 0.3, 7]));
    expect(between.answers.map((a) => a.get(Infinity))).toEqual([2, 4]);
    expect(between.stalls.flushes.get(Infinity)).toBe(2);
    expect(flushesOver5ms(between.stalls)).toBe(1);
  });

  it('says so when nothing was flushed or collected', async () => {
    const page = await stallsPage([], []);
    const none = stallsBetween(hubStallsIn(page), hubStallsIn(page));
    expect(flushesOver5ms(none)).toBe(0);
    expect(describeStalls(none)).toBe('its log flushed 0 times, p50 -  p99 -, 0 over 5 ms; its collector paused it 0 times, 0 ms in all');
  });
});
