import { Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { ANSWER_BUCKETS } from '../packages/hub/src/metrics';
import { answerBucketsIn, bucketsBetween, plus, quantileMs } from './hub-answer-times';

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
