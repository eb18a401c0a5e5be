import type { Command } from '@servicehall/core';
import type { Answer } from '@servicehall/protocol';
import type { Db } from './db';

/**
 * Command answers are kept for a bounded window, so that their table (and its index of random ids)
 * does not grow with the hall's history. A retry within the window gets the first answer; a command
 * made before the window began is refused with its own code, never run a second time.
 */
export const ANSWER_RETENTION_MS = 7 * 86_400_000;

/**
 * How far ahead of the hub's clock a command may say it was made: a terminal says it in the hub's time once
 * linked, in its PC's before (an outbox written while the hub was away); a PC's clock in another time zone
 * is within it, one days ahead is wrong, and its command is refused (CLOCK_AHEAD_ANSWER), never run.
 */
export const MAX_MADE_AHEAD_MS = 12 * 3_600_000;

/** Answers pruned at most per call, so that a prune never holds the writer for long. */
export const PRUNE_BATCH = 5000;

export const EXPIRED_ANSWER: Answer = {
  ok: false,
  code: 'command-expired',
  message: `this command was made more than ${ANSWER_RETENTION_MS / 86_400_000} days ago; its answer is no longer kept, so it is not run again: send it anew if it is still wanted`,
};

export const CLOCK_AHEAD_ANSWER: Answer = {
  ok: false,
  code: 'clock-ahead',
  message: `this command says it was made more than ${MAX_MADE_AHEAD_MS / 3_600_000} hours ahead of the hub's clock: the terminal's clock is wrong; set it right and make the command again`,
};

/** Whether a command says it was made further ahead of the hub's clock than a terminal's may be (MAX_MADE_AHEAD_MS). */
export function isAhead(command: Pick<Command, 'madeAt'>, now: number): boolean {
  return command.madeAt !== undefined && command.madeAt - now > MAX_MADE_AHEAD_MS;
}

/** Whether a command not seen before was made before the window of kept answers began. */
export function isExpired(command: Pick<Command, 'madeAt'>, now: number): boolean {
  return command.madeAt !== undefined && now - command.madeAt > ANSWER_RETENTION_MS;
}

export class AnswerRetention {
  private readonly prune: ReturnType<Db['prepare']>;

  constructor(db: Db) {
    this.prune = db.prepare(`DELETE FROM commands WHERE rowid IN (SELECT rowid FROM commands WHERE at < ? LIMIT ${PRUNE_BATCH})`);
  }

  /**
   * Removes answers older than the window (at most PRUNE_BATCH of them); says how many went. An answer is kept
   * until a retry of its command would be refused as expired: for one made up to MAX_MADE_AHEAD_MS ahead of
   * the hub's clock, that long after its answer's time plus the window (else the retry would run again).
   */
  pruneBefore(now: number): number {
    return this.prune.run(now - ANSWER_RETENTION_MS - MAX_MADE_AHEAD_MS).changes;
  }
}

/** The statement that finds the answers to prune, for the query-plan test. */
export const PRUNE_LOOKUP = 'SELECT rowid FROM commands WHERE at < ?';
