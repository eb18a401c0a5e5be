import type { Actor, Command } from '@servicehall/core';
import type { Answer } from '@servicehall/protocol';
import fs from 'node:fs';
import { log } from './log';
import type { CommandEntry, ExecuteOptions, Executed, HallStore } from './store';

/** A command waiting for its batch, with when it was submitted (performance.now()). */
type Entry = CommandEntry & { resolve: (r: Executed) => void; arrived: number };

const FAILED: Answer = { ok: false, code: 'internal', message: 'the hub could not record this command; it is safe to send it again' };

/** A result whose flush failed: a command that did something is not said to be done; a refusal stands. */
const notRecorded = (r: Executed): Executed => (r.events.length > 0 || r.answer.ok ? { answer: FAILED, events: [], repeated: false } : r);

/**
 * Group commit for every way a command arrives (terminals' WebSocket, the HTTP API, the QR page):
 * those that arrive in the same turn of the event loop are run together in one transaction, each
 * still its own savepoint with its own answer, and made durable by one disk flush.
 *
 * The flush runs off the event loop (fdatasync of the write-ahead log in libuv's pool): while the
 * disk works, the hub reads what its terminals send and answers what it can from memory, and runs
 * the commands that arrive meanwhile (committed to the log, not yet flushed). One flush is under
 * way at a time; when it ends, one flush takes every batch run since. A command thus waits for the
 * flush under way and its own, not also for its turn to run behind them. Nothing of a batch is told
 * (answers, events to terminals, the standby, the city) before a flush that holds it has ended;
 * then the batches' answers in order, their events right after.
 */
export class GroupCommit {
  private queued: Entry[] = [];
  /** Batches run and committed to the log since the flush under way began: the next flush takes them all. */
  private unflushed: { batch: Entry[]; results: Executed[] }[] = [];
  /** The flush under way (its end). */
  private flushing: Promise<void> | undefined;
  private readonly flushListeners = new Set<(seconds: number) => void>();
  private readonly answerListeners = new Set<(type: string, seconds: number) => void>();
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
      this.queued.push({ command, actor, ...options, resolve, arrived: performance.now() });
      if (this.queued.length === 1) setImmediate(() => this.run());
    });
  }

  /**
   * Hears each flush of the log as it ends: its seconds from the call to the disk's answer, as the
   * event loop sees them (the commands of its batches waited that long). Returns the unsubscribe.
   */
  onFlushed(listener: (seconds: number) => void): () => void {
    this.flushListeners.add(listener);
    return () => this.flushListeners.delete(listener);
  }

  /**
   * Hears each command answered: its type, and its seconds from its submission (the command read and
   * checked) to its answer (waiting for its turn, its batch run, the disk's flush, the standby's word
   * when one is in step). This is the hub's own part of a terminal's wait: the time the command spent
   * in the network and the machine's buffers before the hub read it is not in it. Returns the unsubscribe.
   */
  onAnswered(listener: (type: string, seconds: number) => void): () => void {
    this.answerListeners.add(listener);
    return () => this.answerListeners.delete(listener);
  }

  /** Waits for the flushes under way and due, and closes the log's file (the hub stops): a batch after it flushes on its commit. */
  async close(): Promise<void> {
    this.closed = true;
    // A flush that ends starts the next one at once, for the batches run meanwhile.
    while (this.flushing) await this.flushing;
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
    this.unflushed.push({ batch, results });
    if (!this.flushing) this.flush(fd);
  }

  /** Flushes the log with every batch committed to it since the last flush, then tells them, in order. */
  private flush(fd: number): void {
    const batches = this.unflushed;
    this.unflushed = [];
    const seq = this.store.seq;
    let ended = () => {};
    this.flushing = new Promise((resolve) => (ended = resolve));
    const started = performance.now();
    fs.fdatasync(fd, (error) => {
      this.flushing = undefined;
      ended();
      const seconds = (performance.now() - started) / 1000;
      for (const listener of this.flushListeners) listener(seconds);
      if (error)
        // The disk did not say it holds the batches: no answer says it was done. The events are in the
        // hub's memory and tables, so the terminals are told them; a command sent again gets its
        // stored answer, or is run again if the disk lost it.
        log.error({ err: error }, "the hall database's log could not be flushed to the disk");
      this.store.logFlushed(seq);
      for (const { batch, results } of batches) this.settle(batch, error ? results.map(notRecorded) : results);
      // The batches' answers go first, their events to every listener (the terminals, the phones, the
      // city) right after them, once this turn's answers are written: an answer does not wait for
      // the same events written to sixty terminals (a terminal holds an answer until its view has
      // the answer's events, see the client's whenInStep).
      setImmediate(() => this.store.tellFlushed());
      // Batches run while this flush was under way: one flush for them all (a hub closing flushes them too).
      if (this.unflushed.length > 0) this.flush(this.logFd() ?? fd);
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

  private settle(batch: Entry[], results: Executed[]): void {
    const answer = () => {
      // A hub that learnt while it waited that another took charge gives no answer of its own: the
      // batch may not be in the new primary's log. The terminal sends it again to the hub in charge.
      const fenced = results.some((r) => r.events.length > 0) ? this.store.role.refusal() : undefined;
      batch.forEach(({ resolve }, i) => resolve(fenced && results[i]!.events.length > 0 ? { answer: fenced, events: [], repeated: false } : results[i]!));
      if (this.answerListeners.size === 0) return;
      const now = performance.now();
      for (const { command, arrived } of batch) for (const listener of this.answerListeners) listener(command.type, (now - arrived) / 1000);
    };
    if (this.durable) void this.durable().then(answer, answer);
    else answer();
  }
}
