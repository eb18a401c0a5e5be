/** A rate: `perMinute` on average, up to `burst` at once. */
export interface Rate {
  perMinute: number;
  burst: number;
}

export type Taken = { ok: true } | { ok: false; retryAfterMs: number };

/**
 * Token buckets by key (a bucket name and a client address): what keeps one phone, or one script,
 * from flooding the public pages or the SMS provider. In memory: a restart forgives everyone.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    private readonly clock: () => number = Date.now,
    private readonly maxKeys = 100_000,
  ) {}

  take(key: string, rate: Rate, cost = 1): Taken {
    const now = this.clock();
    const perMs = rate.perMinute / 60_000;
    const b = this.buckets.get(key);
    const tokens = b ? Math.min(rate.burst, b.tokens + (now - b.at) * perMs) : rate.burst;
    if (tokens < cost) {
      this.buckets.set(key, { tokens, at: now });
      return { ok: false, retryAfterMs: Math.ceil((cost - tokens) / perMs) };
    }
    if (!b && this.buckets.size >= this.maxKeys) this.prune(now, perMs, rate.burst);
    this.buckets.set(key, { tokens: tokens - cost, at: now });
    return { ok: true };
  }

  /** Forgets buckets that have filled up again (they would answer as a new one does). */
  private prune(now: number, perMs: number, burst: number): void {
    for (const [key, b] of this.buckets) if (b.tokens + (now - b.at) * perMs >= burst) this.buckets.delete(key);
    if (this.buckets.size >= this.maxKeys) this.buckets.clear();
  }

  get size(): number {
    return this.buckets.size;
  }
}
