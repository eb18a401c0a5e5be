import type { Actor, Command } from '@servicehall/core';
import type { Answer } from '@servicehall/protocol';
import fs from 'node:fs';
import { log } from './log';
import { opsText } from './ops-strings';
import type { CommandEntry, ExecuteOptions, Executed, HallStore } from './store';

/** A command waiting for its batch, with when it was submitted (performance.now()). */
type Entry = CommandEntry & { resolve: (r: Executed) => void; arrived: number };

const FAILED: Answer = { ok: false, code: 'internal', message: 'the hub could not record this command; it is safe to send it again' };

/** A result whose flush failed: a command that did something is not said to be done; a refusal stands. */
const notRecorded = (r: Executed): Executed => (r.events.length > 0 || r.answer.ok ? { answer: FAILED, events: [], repeated: false } : r);

/** Flushes of the log under way at once, each through a descriptor of its own (see GroupCommit). */
export const FLUSHES_AT_ONCE = 2;

/** A batch run and committed to the log, waiting for a flush that holds it: `n` counts the batches run. */
interface Committed {
  n: number;
  batch: Entry[];
  results: Executed[];
}

/** One way to the disk: its own descriptor of the log, and whether a flush through it is under way. */
interface Lane {
  log: { file: string; fd: number } | undefined;
  flushing: Promise<void> | undefined;
}

/**
 * Group commit for every way a command arrives (terminals' WebSocket, the HTTP API, the QR page):
 * those that arrive in the same turn of the event loop are run together in one transaction, each
 * still its own savepoint with its own answer, and made durable by one disk flush.
 *
 * The flush runs off the event loop (fdatasync of the write-ahead log in libuv's pool): while the
 * disk works, the hub reads what its terminals send and answers what it can from memory, and runs
 * the commands that arrive meanwhile (committed to the log, not yet flushed). A batch run while a
 * flush is under way starts a second at once rather than waiting for the first to end: the disk
 * often ends the second sooner, and a flush holds everything written before it began, so the
 * batches before it are on the disk too. At most FLUSHES_AT_ONCE are under way; a batch run while
 * they all are is taken by the next to begin, as soon as one ends. Nothing of a batch is told
 * (answers, events to terminals, the standby, the city) before a flush that holds it has ended;
 * then the batches' answers in order, their events right after.
 *
 * Each flush under way has a descriptor of the log of its own: Linux reports a failed write-back
 * once to each open file (not once to each flush), so two flushes through one descriptor could
 * leave one of them unaware of a failure that concerned its batches. A failed flush answers every
 * batch not yet answered as not recorded.
 */
export class GroupCommit {
  private queued: Entry[] = [];
  /** Batches run and committed to the log, not yet answered, in order. */
  private committed: Committed[] = [];
  /** Batches run so far, and the most of them a flush begun holds. */
  private ran = 0;
  private covered = 0;
  private readonly lanes: Lane[] = Array.from({ length: FLUSHES_AT_ONCE }, () => ({ log: undefined, flushing: undefined }));
  private readonly flushListeners = new Set<(seconds: number) => void>();
  private readonly answerListeners = new Set<(type: string, seconds: number) => void>();
  private closed = false;

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

  /** Waits for the flushes under way and due, and closes the log's files (the hub stops): a batch after it flushes on its commit. */
  async close(): Promise<void> {
    this.closed = true;
    // A flush that ends starts the next one at once, for the batches run meanwhile.
    for (let under = this.underWay(); under.length > 0; under = this.underWay()) await Promise.all(under);
    for (const lane of this.lanes) {
      if (lane.log) fs.closeSync(lane.log.fd);
      lane.log = undefined;
    }
  }

  private underWay(): Promise<void>[] {
    return this.lanes.flatMap((lane) => (lane.flushing ? [lane.flushing] : []));
  }

  private run(): void {
    const batch = this.queued;
    this.queued = [];
    if (batch.length === 0) return;
    const later = !this.closed && this.logsOpen();
    let results: Executed[];
    try {
      results = this.store.executeBatch(batch, later ? 'later' : 'now');
    } catch (error) {
      log.error({ err: error }, opsText('batchFailed', { n: batch.length }));
      results = batch.map(() => ({ answer: FAILED, events: [], repeated: false }));
    }
    if (!later) return this.settle(batch, results);
    this.committed.push({ n: ++this.ran, batch, results });
    const free = this.lanes.find((lane) => !lane.flushing);
    if (free) this.flush(free);
  }

  /**
   * Flushes the log through one lane, holding every batch committed to it so far; when it ends, tells
   * those not told yet, in order, and takes on the batches run meanwhile that no flush holds.
   */
  private flush(lane: Lane): void {
    const fd = lane.log!.fd;
    const holds = this.ran;
    this.covered = holds;
    const seq = this.store.seq;
    let ended = () => {};
    lane.flushing = new Promise((resolve) => (ended = resolve));
    const started = performance.now();
    fs.fdatasync(fd, (error) => {
      lane.flushing = undefined;
      ended();
      const seconds = (performance.now() - started) / 1000;
      for (const listener of this.flushListeners) listener(seconds);
      // A data folder removed under the hub: the flush went to files no longer there, and nothing is said done.
      const gone = !error && !this.store.databaseThere(fd);
      if (gone) void this.store.databaseGone();
      const failed = !!error || gone;
      let told: Committed[];
      if (failed) {
        // The disk did not say it holds the batches: no answer says it was done, for any batch not
        // answered yet (a failed write-back is reported once to each descriptor, and this flush may
        // have taken the report of a batch run after it began: that one's events wait for its own
        // flush). The events of this flush's batches are in the hub's memory and tables, so the
        // terminals are told them; a command sent again gets its stored answer, or is run again if the
        // disk lost it.
        if (error) log.error({ err: error }, opsText('flushFailed'));
        told = this.committed.splice(0);
      } else {
        let k = 0;
        while (k < this.committed.length && this.committed[k]!.n <= holds) k++;
        told = this.committed.splice(0, k);
      }
      this.store.logFlushed(seq);
      for (const { batch, results } of told) this.settle(batch, failed ? results.map(notRecorded) : results);
      // The batches' answers go first, their events to every listener (the terminals, the phones, the
      // city) right after them, once this turn's answers are written: an answer does not wait for
      // the same events written to sixty terminals (a terminal holds an answer until its view has
      // the answer's events, see the client's whenInStep).
      setImmediate(() => this.store.tellFlushed());
      // Batches run while the flushes were under way that none holds: one flush for them all (a hub closing flushes them too).
      if (this.ran > this.covered) this.flush(lane);
    });
  }

  /**
   * Whether each lane has its descriptor of the write-ahead log, opened once (no: the database is in
   * memory or its log cannot be opened, and each commit flushes itself).
   */
  private logsOpen(): boolean {
    const file = this.store.logFile;
    if (file === undefined) return false;
    for (const lane of this.lanes) {
      if (lane.log?.file === file) continue;
      try {
        lane.log = { file, fd: fs.openSync(file, 'r+') };
      } catch (error) {
        log.warn({ err: error, file }, opsText('walUnopened', { file }));
        return false;
      }
    }
    return true;
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
