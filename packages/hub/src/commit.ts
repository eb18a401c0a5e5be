import type { Actor, Command } from '@servicehall/core';
import type { Answer } from '@servicehall/protocol';
import fs from 'node:fs';
import { log } from './log';
import type { CommandEntry, ExecuteOptions, Executed, HallStore } from './store';

const FAILED: Answer = { ok: false, code: 'internal', message: 'the hub could not record this command; it is safe to send it again' };

/**
 * Group commit for every way a command arrives (terminals' WebSocket, the HTTP API, the QR page):
 * those that arrive in the same turn of the event loop are run together in one transaction, each
 * still its own savepoint with its own answer, and made durable by one disk flush.
 *
 * The flush runs off the event loop (fdatasync of the write-ahead log in libuv's pool): while the
 * disk works, the hub reads what its terminals send and answers what it can from memory. One batch
 * is on its way to the disk at a time; the commands that arrive meanwhile are the next batch, run
 * as soon as it is there. Nothing of a batch is told (answers, events to terminals, the standby,
 * the city) before its flush has ended; then its answers first, its events right after.
 */
export class GroupCommit {
  private queued: (CommandEntry & { resolve: (r: Executed) => void })[] = [];
  /** A batch's flush running (its end): the commands that arrive wait for it, and go together after. */
  private flushing: Promise<void> | undefined;
  private closed = false;
  private log: { file: string; fd: number } | undefined;

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
      if (this.queued.length === 1 && !this.flushing) setImmediate(() => this.run());
    });
  }

  /** Waits for the flush under way, and closes the log's file (the hub stops): a batch after it flushes on its commit. */
  async close(): Promise<void> {
    this.closed = true;
    await this.flushing;
    if (this.log) fs.closeSync(this.log.fd);
    this.log = undefined;
  }

  private run(): void {
    const batch = this.queued;
    this.queued = [];
    if (batch.length === 0) return;
    const fd = this.logFd();
    let results: Executed[];
    try {
      results = this.store.executeBatch(batch, fd === undefined ? 'now' : 'later');
    } catch (error) {
      log.error({ err: error }, 'a batch of commands failed');
      results = batch.map(() => ({ answer: FAILED, events: [], repeated: false }));
    }
    if (fd === undefined) return this.settle(batch, results);
    const seq = this.store.seq;
    let ended = () => {};
    this.flushing = new Promise((resolve) => (ended = resolve));
    fs.fdatasync(fd, (error) => {
      this.flushing = undefined;
      ended();
      if (error) {
        // The disk did not say it holds the batch: no answer says it was done. The events are in the
        // hub's memory and tables, so the terminals are told them; a command sent again gets its
        // stored answer, or is run again if the disk lost it.
        log.error({ err: error }, "the hall database's log could not be flushed to the disk");
        results = results.map((r) => (r.events.length > 0 || r.answer.ok ? { answer: FAILED, events: [], repeated: false } : r));
      }
      this.store.logFlushed(seq);
      this.settle(batch, results);
      // The batch's answers go first, its events to every listener (the terminals, the phones, the
      // city) right after them, once this turn's answers are written: an answer does not wait for
      // the same events written to sixty terminals (a terminal holds an answer until its view has
      // the answer's events, see the client's whenInStep).
      setImmediate(() => this.store.tellFlushed());
      if (this.queued.length > 0) setImmediate(() => this.run());
    });
  }

  /** The write-ahead log's file descriptor, opened once (none: the database is in memory or its log cannot be opened; each commit flushes). */
  private logFd(): number | undefined {
    const file = this.store.logFile;
    if (file === undefined || this.closed) return undefined;
    if (this.log?.file === file) return this.log.fd;
    try {
      this.log = { file, fd: fs.openSync(file, 'r+') };
      return this.log.fd;
    } catch (error) {
      log.warn({ err: error, file }, 'the write-ahead log could not be opened: each batch flushes it on its commit');
      return undefined;
    }
  }

  private settle(batch: (CommandEntry & { resolve: (r: Executed) => void })[], results: Executed[]): void {
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
