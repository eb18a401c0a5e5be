import type { DeliveryPolicy } from './config';
import { audienceOf, type NoticeKind } from './notices';
import type { ProviderAnswer } from './providers/types';
import type { Reason } from './strings';

// The outbox's decisions as pure functions of the row, the answer and the time: no clock, no timer.

/** Exponential back-off after the n-th failure (1 first), ±25 % by `jitter` in [0, 1), never past the cap. */
export function retryDelay(failures: number, policy: Pick<DeliveryPolicy, 'baseDelayMs' | 'maxDelayMs'>, jitter: number): number {
  const exponential = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.min(Math.max(failures - 1, 0), 40));
  return Math.min(policy.maxDelayMs, Math.round(exponential * (0.75 + 0.5 * jitter)));
}

/**
 * When a channel may send again, given when its recent requests went out: `now` while fewer than
 * `count` went out in the last `perMs`, else the moment the oldest of the last `count` leaves the window.
 */
export function rateLimitFreeAt(recent: readonly number[], now: number, limit: { count: number; perMs: number }): number {
  const inWindow = recent.filter((t) => t > now - limit.perMs).sort((a, b) => a - b);
  if (inWindow.length < limit.count) return now;
  return inWindow[inWindow.length - limit.count]! + limit.perMs;
}

/** `unknown`: a citizen's SMS that may or may not have gone (no answer after the request left); final, never sent again. */
export type OutboxState = 'pending' | 'sending' | 'delivered' | 'dead' | 'expired' | 'unknown';

export interface Transition {
  state: Extract<OutboxState, 'pending' | 'delivered' | 'dead' | 'expired' | 'unknown'>;
  failures: number;
  nextAt: number;
  reason: Reason;
  /** Pause the whole channel until then. */
  pauseChannelUntil?: number;
}

/**
 * What an attempt's answer makes of a notice: delivered; dead at once when refused; dead after
 * `maxAttempts` failures; expired when the next try would come after its time; else pending again
 * after the back-off. A rate limit pauses the channel and is not the notice's failure.
 *
 * A request that went out and got no answer may have been sent: a citizen's SMS is then not sent
 * again (`unknown`): a second one-time code, or a second "your number is called" minutes late,
 * confuses more than one that did not come, and the page can ask for a new code. A staff alert is
 * sent again: twice in the duty group costs less than a device fault nobody heard of.
 */
export function afterAttempt(
  row: { failures: number; expiresAt?: number | null; kind?: NoticeKind },
  answer: Pick<ProviderAnswer, 'outcome' | 'reason' | 'retryAfterMs' | 'pauseChannelMs' | 'maybeSent'>,
  now: number,
  policy: DeliveryPolicy,
  jitter: number,
): Transition {
  const expired = (at: number) => row.expiresAt !== undefined && row.expiresAt !== null && at > row.expiresAt;
  switch (answer.outcome) {
    case 'delivered':
      return { state: 'delivered', failures: row.failures, nextAt: now, reason: 'delivered' };
    case 'rejected':
      return { state: 'dead', failures: row.failures + 1, nextAt: now, reason: answer.reason };
    case 'rate-limited': {
      const until = now + (answer.pauseChannelMs ?? answer.retryAfterMs ?? policy.rateLimitPauseMs);
      if (expired(until)) return { state: 'expired', failures: row.failures, nextAt: now, reason: 'expired', pauseChannelUntil: until };
      return { state: 'pending', failures: row.failures, nextAt: until, reason: 'rate-limited', pauseChannelUntil: until };
    }
    case 'retry': {
      const failures = row.failures + 1;
      if (answer.maybeSent && row.kind !== undefined && audienceOf(row.kind) === 'citizen') return { state: 'unknown', failures, nextAt: now, reason: 'unknown-result' };
      if (failures >= policy.maxAttempts) return { state: 'dead', failures, nextAt: now, reason: 'too-many-failures' };
      const nextAt = now + Math.max(retryDelay(failures, policy, jitter), answer.retryAfterMs ?? 0);
      if (expired(nextAt)) return { state: 'expired', failures, nextAt: now, reason: 'expired' };
      return { state: 'pending', failures, nextAt, reason: answer.reason };
    }
  }
}
