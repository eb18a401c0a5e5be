import { rateLimitOf } from './config';
import type { Notifier } from './notifier';
import type { OutboxEntry } from './outbox';
import { afterAttempt, rateLimitFreeAt, retryDelay, type Transition } from './policy';
import { PrepareError, type PreparedRequest, type ProviderAnswer } from './providers/types';

export interface DeliveryOptions {
  /** Jitter for the back-off, in [0, 1). */
  random?: () => number;
  /** Notices one pass takes at most. */
  batch?: number;
  /** The longest sleep between passes when nothing is due. */
  idleMs?: number;
}

export interface PassSummary {
  delivered: number;
  retried: number;
  rateLimited: number;
  dead: number;
  expired: number;
  interrupted: number;
  /** Citizens' SMS that may or may not have gone: not sent again. */
  unknown: number;
}

/**
 * Sends what the outbox holds: each notice once, retried with exponential back-off, dead-lettered
 * after the policy's attempts, each channel within its rate limit. `runOnce` is one pass at the
 * clock's now (tests drive it with their own clock); `start` keeps passing until `stop`.
 *
 * A notice is claimed and its request recorded before the request leaves, and its answer recorded
 * with its next state in one transaction. So a restart never sends a delivered notice again. The one
 * case that can repeat is a request that got no answer (a timeout, a cut connection, a hub that died
 * with it in flight): the provider may have it, and none of these providers takes an idempotency key
 * (Tencent's SendSms has none). A staff alert is sent again; a citizen's SMS is not: it ends
 * `unknown` (see afterAttempt). A request that never reached the provider (connection refused) is
 * retried as any failure.
 */
export class DeliveryLoop {
  private readonly random: () => number;
  private readonly batch: number;
  private readonly idleMs: number;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;
  private again = false;
  private started = false;

  constructor(
    private readonly notifier: Notifier,
    options: DeliveryOptions = {},
  ) {
    this.random = options.random ?? Math.random;
    this.batch = options.batch ?? 200;
    this.idleMs = options.idleMs ?? 30_000;
  }

  private get outbox() {
    return this.notifier.outbox;
  }

  private get policy() {
    return this.notifier.config.delivery;
  }

  async runOnce(): Promise<PassSummary> {
    const summary: PassSummary = { delivered: 0, retried: 0, rateLimited: 0, dead: 0, expired: 0, interrupted: 0, unknown: 0 };
    const now = this.notifier.clock();
    for (const entry of this.outbox.interrupted(now)) {
      const t = afterAttempt(entry, { outcome: 'retry', reason: 'interrupted', maybeSent: true }, now, this.policy, this.random());
      this.outbox.markInterrupted(entry.id, t, now, 'no answer was recorded: the hub stopped while the request was out');
      const said = t.state === 'unknown' ? 'a notification was interrupted: it may have gone and is not sent again' : 'a notification was interrupted and will be sent again';
      this.notifier.logger.warn(said, { id: entry.id, channel: entry.channel, kind: entry.kind });
      summary.interrupted++;
      if (t.state === 'dead') summary.dead++;
      if (t.state === 'unknown') summary.unknown++;
    }
    for (const entry of this.outbox.expiring(now)) {
      this.outbox.settleWithoutAttempt(entry.id, { state: 'expired', failures: entry.failures, nextAt: now, reason: 'expired' }, 'past its time before it could be sent', now);
      summary.expired++;
    }
    const byChannel = new Map<string, OutboxEntry[]>();
    for (const entry of this.outbox.due(now, this.batch)) byChannel.set(entry.channel, [...(byChannel.get(entry.channel) ?? []), entry]);
    await Promise.all([...byChannel].map(([channel, entries]) => this.runChannel(channel, entries, summary)));
    return summary;
  }

  /** One channel's due notices, in order; stops at the channel's limit or first failure. */
  private async runChannel(channelId: string, entries: OutboxEntry[], summary: PassSummary): Promise<void> {
    for (const entry of entries) {
      const now = this.notifier.clock();
      const provider = this.notifier.provider(channelId);
      if (!provider || !provider.channel.enabled) {
        this.settle(entry, { state: 'dead', failures: entry.failures, nextAt: now, reason: 'no-channel' }, `channel ${channelId} is not configured or not enabled`, now);
        summary.dead++;
        continue;
      }
      const paused = this.outbox.pausedUntil(channelId);
      if (paused > now) return this.outbox.postponeChannel(channelId, paused);
      const limit = rateLimitOf(provider.channel);
      const free = rateLimitFreeAt(this.outbox.recentSends(channelId, now - limit.perMs), now, limit);
      if (free > now) return this.outbox.postponeChannel(channelId, free);

      const message = { notice: entry.notice, at: entry.createdAt, ...(entry.recipient ? { recipient: entry.recipient } : {}) };
      const redactor = this.notifier.redactorFor(provider.channel, entry);
      let request: PreparedRequest;
      try {
        request = provider.prepare(message, now);
      } catch (error) {
        const detail = redactor.apply(error instanceof PrepareError ? error.message : `cannot prepare: ${(error as Error).message}`);
        this.settle(entry, { state: 'dead', failures: entry.failures + 1, nextAt: now, reason: 'rejected' }, detail, now);
        summary.dead++;
        continue;
      }
      const audit = JSON.stringify({ url: redactor.apply(request.url), body: redactor.apply(request.body) });
      const attemptId = this.outbox.begin(entry.id, channelId, now, this.policy.leaseMs, audit);
      if (attemptId === undefined) continue;

      const raw: ProviderAnswer = await provider.deliver(request, AbortSignal.timeout(this.policy.timeoutMs));
      const answer = { ...raw, detail: redactor.apply(raw.detail), ...(raw.answer !== undefined ? { answer: redactor.apply(raw.answer) } : {}) };
      const after = this.notifier.clock();
      const t = afterAttempt(entry, answer, after, this.policy, this.random());
      this.outbox.finish(entry.id, attemptId, t.state === 'unknown' ? { ...answer, outcome: 'unknown', reason: 'unknown-result' } : answer, t, after);
      this.log(entry, t, answer.detail);
      if (t.state === 'delivered') summary.delivered++;
      else if (t.state === 'dead') summary.dead++;
      else if (t.state === 'expired') summary.expired++;
      else if (t.state === 'unknown') summary.unknown++;
      else if (answer.outcome === 'rate-limited') summary.rateLimited++;
      else summary.retried++;

      if (answer.outcome === 'rate-limited') return this.outbox.postponeChannel(channelId, t.nextAt);
      // The provider is failing: the channel's other notices wait for this one's back-off instead of knocking too.
      // A request that went and got no answer is not tried again, so its back-off grows with the channel's
      // unknowns in a row (until its next delivery): each citizen's SMS knocking at once could end unknown too.
      if (t.state === 'unknown') return this.outbox.pauseChannel(channelId, after + retryDelay(this.outbox.unknownsSinceDelivered(channelId), this.policy, this.random()), 'unknown-result');
      if (answer.outcome === 'retry' && answer.reason !== 'recipient-limit') return this.outbox.pauseChannel(channelId, t.nextAt, answer.reason);
    }
  }

  private settle(entry: OutboxEntry, t: Transition, detail: string, now: number): void {
    this.outbox.settleWithoutAttempt(entry.id, t, detail, now);
    this.log(entry, t, detail);
  }

  private log(entry: OutboxEntry, t: Transition, detail: string): void {
    const fields = { id: entry.id, channel: entry.channel, kind: entry.kind, state: t.state, reason: t.reason, detail };
    if (t.state === 'delivered') this.notifier.logger.info('notification delivered', fields);
    else if (t.state === 'unknown') this.notifier.logger.warn('notification result unknown: it may have gone, and is not sent again', fields);
    else this.notifier.logger.warn(t.state === 'pending' ? 'notification not delivered yet' : `notification ${t.state}`, fields);
  }

  /** Keeps passing: at once, then whenever something falls due (at most `idleMs` apart). */
  start(): void {
    if (this.started) return;
    this.started = true;
    this.schedule(0);
  }

  /** A notice was queued: pass now rather than at the next due time. */
  wake(): void {
    if (!this.started) return;
    if (this.running) this.again = true;
    else this.schedule(0);
  }

  /** Stops passing; resolves when the pass in progress (and its requests) has ended. */
  async stop(): Promise<void> {
    this.started = false;
    clearTimeout(this.timer);
    await this.running;
  }

  private schedule(delayMs: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.tick(), Math.max(0, delayMs));
    this.timer.unref();
  }

  private async tick(): Promise<void> {
    if (!this.started || this.running) return;
    this.running = this.runOnce().catch((error: unknown) => this.notifier.logger.warn('a delivery pass failed', { error: (error as Error).message }));
    await this.running;
    this.running = undefined;
    if (!this.started) return;
    if (this.again) {
      this.again = false;
      return this.schedule(0);
    }
    const next = this.outbox.nextDueAt();
    this.schedule(next === undefined ? this.idleMs : Math.min(this.idleMs, next - this.notifier.clock()));
  }
}
