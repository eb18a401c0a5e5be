import { describe, expect, it } from 'vitest';
import { DeliveryPolicySchema } from './config';
import { afterAttempt, rateLimitFreeAt, retryDelay } from './policy';

const policy = DeliveryPolicySchema.parse({ maxAttempts: 4, baseDelayMs: 1_000, maxDelayMs: 10_000, rateLimitPauseMs: 60_000 });

describe('back-off', () => {
  it.each([
    [1, 0.5, 1_000],
    [2, 0.5, 2_000],
    [3, 0.5, 4_000],
    [4, 0.5, 8_000],
    [5, 0.5, 10_000],
    [40, 0.5, 10_000],
    [1, 0, 750],
    [1, 0.999, 1_250],
    [5, 0.999, 10_000],
  ])('after failure %i with jitter %f waits %i ms', (failures, jitter, ms) => {
    expect(retryDelay(failures, policy, jitter)).toBe(ms);
  });
});

describe('rate limit, 3 requests in 10 s', () => {
  const limit = { count: 3, perMs: 10_000 };
  it.each<[number[], number, number]>([
    [[], 100_000, 100_000],
    [[95_000, 96_000], 100_000, 100_000],
    [[91_000, 95_000, 96_000], 100_000, 101_000],
    [[80_000, 91_000, 95_000, 96_000], 100_000, 101_000],
    [[96_000, 91_000, 95_000], 100_000, 101_000],
    [[89_000, 90_000, 90_001], 100_000, 100_000],
  ])('sends after %j at %i: free at %i', (recent, now, free) => {
    expect(rateLimitFreeAt(recent, now, limit)).toBe(free);
  });
});

describe('what an answer makes of a notice', () => {
  const now = 1_000_000;
  it('delivered is final', () => {
    expect(afterAttempt({ failures: 2 }, { outcome: 'delivered', reason: 'delivered' }, now, policy, 0.5)).toEqual({ state: 'delivered', failures: 2, nextAt: now, reason: 'delivered' });
  });
  it('a refusal is a dead letter at once', () => {
    expect(afterAttempt({ failures: 0 }, { outcome: 'rejected', reason: 'rejected' }, now, policy, 0.5)).toMatchObject({ state: 'dead', failures: 1 });
  });
  it('a failure waits its back-off, and the last allowed failure is a dead letter', () => {
    expect(afterAttempt({ failures: 0 }, { outcome: 'retry', reason: 'server-error' }, now, policy, 0.5)).toEqual({ state: 'pending', failures: 1, nextAt: now + 1_000, reason: 'server-error' });
    expect(afterAttempt({ failures: 2 }, { outcome: 'retry', reason: 'timeout' }, now, policy, 0.5)).toEqual({ state: 'pending', failures: 3, nextAt: now + 4_000, reason: 'timeout' });
    expect(afterAttempt({ failures: 3 }, { outcome: 'retry', reason: 'timeout' }, now, policy, 0.5)).toMatchObject({ state: 'dead', failures: 4, reason: 'too-many-failures' });
  });
  it("waits at least as long as the provider asks (a number's 30-second limit)", () => {
    expect(afterAttempt({ failures: 0 }, { outcome: 'retry', reason: 'recipient-limit', retryAfterMs: 30_000 }, now, policy, 0.5).nextAt).toBe(now + 30_000);
  });
  it("pauses the channel on a rate limit without counting it as the notice's failure", () => {
    expect(afterAttempt({ failures: 1 }, { outcome: 'rate-limited', reason: 'rate-limited', pauseChannelMs: 600_000 }, now, policy, 0.5)).toEqual({
      state: 'pending',
      failures: 1,
      nextAt: now + 600_000,
      reason: 'rate-limited',
      pauseChannelUntil: now + 600_000,
    });
    expect(afterAttempt({ failures: 1 }, { outcome: 'rate-limited', reason: 'rate-limited' }, now, policy, 0.5).nextAt).toBe(now + 60_000);
  });
  it.each([
    ['phone-code', true, 'unknown'],
    ['ticket-near', true, 'unknown'],
    ['ticket-called', true, 'unknown'],
    ['device-fault', true, 'pending'],
    ['bad-rating', true, 'pending'],
    ['ticket-called', false, 'pending'],
  ] as const)("a %s whose request may have gone (%s): %s", (kind, maybeSent, state) => {
    expect(afterAttempt({ failures: 0, kind }, { outcome: 'retry', reason: 'timeout', maybeSent }, now, policy, 0.5)).toMatchObject({ state });
  });
  it('gives up on a notice whose next try would come after its time', () => {
    expect(afterAttempt({ failures: 0, expiresAt: now + 500 }, { outcome: 'retry', reason: 'server-error' }, now, policy, 0.5)).toMatchObject({ state: 'expired' });
    expect(afterAttempt({ failures: 0, expiresAt: now + 5_000 }, { outcome: 'retry', reason: 'server-error' }, now, policy, 0.5)).toMatchObject({ state: 'pending' });
    expect(afterAttempt({ failures: 0, expiresAt: null }, { outcome: 'retry', reason: 'server-error' }, now, policy, 0.5)).toMatchObject({ state: 'pending' });
  });
});
