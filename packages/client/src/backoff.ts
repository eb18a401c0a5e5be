export interface BackoffPolicy {
  initialMs: number;
  maxMs: number;
}

/** Short enough that every terminal is back within two seconds of the hub; a hall has at most a few hundred. */
export const DEFAULT_BACKOFF: BackoffPolicy = { initialMs: 100, maxMs: 1500 };

/**
 * Delay before reconnect attempt `attempt` (0 first): doubling up to the cap, with "full jitter"
 * so that a hall's terminals do not all knock at once when the hub comes back. `random` in [0, 1).
 */
export function backoffDelay(attempt: number, policy: BackoffPolicy, random: number): number {
  const ceiling = Math.min(policy.maxMs, policy.initialMs * 2 ** Math.min(attempt, 30));
  return Math.round(policy.initialMs / 2 + random * (ceiling - policy.initialMs / 2));
}
