import type { Actor, Command } from '@servicehall/core';
import type { Answer } from '@servicehall/protocol';
import { log } from './log';
import type { CommandEntry, ExecuteOptions, Executed, HallStore } from './store';

const FAILED: Answer = { ok: false, code: 'internal', message: 'the hub could not record this command; it is safe to send it again' };

/**
 * Group commit for every way a command arrives (terminals' WebSocket, the HTTP API, the QR page):
 * those that arrive in the same turn of the event loop are run together in one transaction, each
 * still its own savepoint with its own answer, and made durable by one disk flush.
 */
export class GroupCommit {
  private queued: (CommandEntry & { resolve: (r: Executed) => void })[] = [];

  /**
   * `durable`: what else must hold a batch before it is answered (the standby hub's acknowledgement,
   * see replication.ts); it resolves, never rejects.
   */
  constructor(
    private readonly store: HallStore,
    private readonly durable?: () => Promise<void>,
  ) {}

  /**
   * Runs the command with the others of this turn, its id in `scope` (by default its actor's), or
   * with the options of HallStore.execute; resolves once the batch is durable.
   */
  submit(command: Command, actor: Actor, scope?: string | ExecuteOptions): Promise<Executed> {
    const options = typeof scope === 'string' ? { scope } : (scope ?? {});
    return new Promise((resolve) => {
      this.queued.push({ command, actor, ...options, resolve });
      if (this.queued.length === 1) setImmediate(() => this.flush());
    });
  }

  private flush(): void {
    const batch = this.queued;
    this.queued = [];
    let results: Executed[];
    try {
      results = this.store.executeBatch(batch);
    } catch (error) {
      log.error({ err: error }, 'a batch of commands failed');
      results = batch.map(() => ({ answer: FAILED, events: [], repeated: false }));
    }
    const answer = () => {
      // A hub that learnt while it waited that another took charge gives no answer of its own: the
      // batch may not be in the new primary's log. The terminal sends it again to the hub in charge.
      const fenced = results.some((r) => r.events.length > 0) ? this.store.role.refusal() : undefined;
      batch.forEach(({ resolve }, i) => resolve(fenced && results[i]!.events.length > 0 ? { answer: fenced, events: [], repeated: false } : results[i]!));
    };
    if (this.durable) void this.durable().then(answer, answer);
    else answer();
  }
}
