import { exportRating, type Rating, type RatingExportTarget } from '@servicehall/core';
import fs from 'node:fs';
import path from 'node:path';
import type pg from 'pg';
import { rollBack } from './transaction';

/**
 * Where the city's ratings go: the provincial 好差评 platform's HTTP interface, or a file for its
 * upload page. `levels` names the platform's level codes (N-02: 1 = 非常满意 nationally, 1 = 非常不满意
 * in some provincial interfaces).
 */
export type FeedTarget =
  | { kind: 'http'; url: string; token?: string; levels: RatingExportTarget; batch?: number; timeoutMs?: number }
  | { kind: 'file'; dir: string; levels: RatingExportTarget };

/** A rating as the platform gets it: the record of N-02 in its codes, under an id that is the same on every try. */
export function feedRecord(hall: string, record: Record<string, unknown>, levels: RatingExportTarget) {
  const rating = { aspects: {}, reasons: [], ...record } as unknown as Rating;
  return { recordId: `${hall}:${rating.id}`, hallCode: hall, ticketNumber: rating.ticketNumber, ...exportRating(rating, levels) };
}

/** How long a rating waits after its n-th failed try: 30 s doubling, at most an hour. */
export const retryDelaySeconds = (attempts: number) => Math.min(3600, 30 * 2 ** Math.max(0, attempts - 1));

/** Tries after which a rating is set aside as failed, for a person to look at (and send again). */
export const FEED_ATTEMPTS = 12;

interface Due {
  hall: string;
  rating_id: string;
  record: Record<string, unknown>;
  attempts: number;
}

/** What a try came to: taken or not, the platform's status and answer, the file written. */
interface Outcome {
  ok: boolean;
  status?: number;
  answer: string;
  file?: string;
}

const describe = (t: FeedTarget) => (t.kind === 'http' ? t.url : `file:${t.dir}`);

/**
 * Sends the ratings that are due, each once: taken under a row lock (two feeders never send the
 * same one), sent, and marked sent or put back with its next try, every try written to the audit.
 * Answers how many were sent and how many failed this time.
 */
export async function sendDueRatings(client: pg.ClientBase, target: FeedTarget): Promise<{ sent: number; failed: number; problem?: string }> {
  const limit = target.kind === 'http' ? (target.batch ?? 50) : 10_000;
  await client.query('BEGIN');
  try {
    const { rows } = await client.query<Due>(
      `SELECT hall, rating_id, record, attempts FROM rating_feed WHERE state = 'pending' AND next_at <= now() ORDER BY at LIMIT $1 FOR UPDATE SKIP LOCKED`,
      [limit],
    );
    if (rows.length === 0) {
      await client.query('COMMIT');
      return { sent: 0, failed: 0 };
    }
    const records = rows.map((r) => feedRecord(r.hall, r.record, target.levels));
    const outcome = target.kind === 'http' ? await push(target, records) : writeFile(target, records);
    for (const [i, r] of rows.entries()) {
      await client.query('INSERT INTO rating_feed_attempts (hall, rating_id, target, ok, status, answer, record) VALUES ($1, $2, $3, $4, $5, $6, $7)', [
        r.hall,
        r.rating_id,
        outcome.ok && target.kind === 'file' ? `file:${outcome.file}` : describe(target),
        outcome.ok,
        outcome.status ?? null,
        outcome.answer.slice(0, 2000),
        JSON.stringify(records[i]),
      ]);
      if (outcome.ok)
        await client.query("UPDATE rating_feed SET state = 'sent', attempts = attempts + 1, sent_at = now(), sent_to = $3 WHERE hall = $1 AND rating_id = $2", [
          r.hall,
          r.rating_id,
          target.kind === 'file' ? `file:${outcome.file}` : target.url,
        ]);
      else
        await client.query(
          `UPDATE rating_feed SET attempts = attempts + 1, next_at = now() + make_interval(secs => $3), state = CASE WHEN attempts + 1 >= $4 THEN 'failed' ELSE 'pending' END WHERE hall = $1 AND rating_id = $2`,
          [r.hall, r.rating_id, retryDelaySeconds(r.attempts + 1), FEED_ATTEMPTS],
        );
    }
    await client.query('COMMIT');
    // What the platform said of those it did not take (its status and the beginning of its answer), for the operator.
    return outcome.ok ? { sent: rows.length, failed: 0 } : { sent: 0, failed: rows.length, problem: `${outcome.status !== undefined ? `HTTP ${outcome.status}: ` : ''}${outcome.answer.slice(0, 200)}` };
  } catch (error) {
    await rollBack(client, error);
    throw error;
  }
}

/**
 * Whether a 2xx answer's body says the platform did not take the records. Some platforms answer every request
 * 200 and say in the body: `{"success": false, ...}`, or a `code` / `errcode` other than 0 or 200 (a number or
 * a string of digits: `{"code": 1, "msg": "..."}`). Any other body (none, not JSON, truncated, of another
 * shape) says nothing, and the status decides, as it did.
 */
export function refusedIn(answer: string): boolean {
  let body: unknown;
  try {
    body = JSON.parse(answer);
  } catch {
    return false;
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return false;
  const { success, code, errcode } = body as Record<string, unknown>;
  if (success === false) return true;
  return [code, errcode].some((c) => (typeof c === 'number' || (typeof c === 'string' && /^-?\d+$/.test(c))) && Number(c) !== 0 && Number(c) !== 200);
}

/** The platform's HTTP interface: a JSON array of records; a 2xx answer takes them all, unless its body says otherwise (refusedIn). */
async function push(target: Extract<FeedTarget, { kind: 'http' }>, records: unknown[]): Promise<Outcome> {
  try {
    const res = await fetch(target.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8', ...(target.token ? { authorization: `Bearer ${target.token}` } : {}) },
      body: JSON.stringify({ records }),
      signal: AbortSignal.timeout(target.timeoutMs ?? 15_000),
    });
    const answer = await answerOf(res);
    return { ok: res.ok && !refusedIn(answer), status: res.status, answer };
  } catch (error) {
    return { ok: false, answer: (error as Error).message };
  }
}

/** Bytes of the platform's answer read for the audit (which keeps its first 2,000 characters). */
const ANSWER_BYTES = 16 * 1024;

/**
 * The beginning of the platform's answer; the rest is not read. Its status decides, not its size: an answer
 * that never ends (or runs to gigabytes) neither holds the try until it times out nor fills the city server's memory.
 */
async function answerOf(res: Response): Promise<string> {
  const reader = res.body?.getReader();
  if (!reader) return '';
  const chunks: Uint8Array[] = [];
  let bytes = 0;
  try {
    while (bytes < ANSWER_BYTES) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      bytes += value.length;
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  return new TextDecoder().decode(Buffer.concat(chunks).subarray(0, ANSWER_BYTES));
}

/** The platform's upload file: one JSON record a line, written whole (a temporary name, then renamed) before the ratings count as sent. */
function writeFile(target: Extract<FeedTarget, { kind: 'file' }>, records: unknown[]): Outcome {
  fs.mkdirSync(target.dir, { recursive: true });
  const name = `haochaping-${new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '')}-${process.pid}-${Date.now() % 100000}.jsonl`;
  const file = path.join(target.dir, name);
  const temp = `${file}.part`;
  const fd = fs.openSync(temp, 'w', 0o600);
  try {
    try {
      // writeFileSync writes until all is written: a short write at a full disk is written on, and fails, rather than renamed half.
      fs.writeFileSync(fd, records.map((r) => JSON.stringify(r)).join('\n') + '\n');
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(temp, file);
  } catch (error) {
    // A full disk (ENOSPC) or a folder gone: the half-written part file goes, so that neither the province's
    // uploader takes it nor the tries that follow fill the folder; the ratings stay pending.
    fs.rmSync(temp, { force: true });
    throw error;
  }
  return { ok: true, answer: `${records.length} records written`, file: name };
}

/**
 * Puts the ratings set aside as failed (FEED_ATTEMPTS tries refused: a platform down or a token expired for hours) back
 * to be sent at the feed's next turn, with their tries counted anew; of one hall, or of all. Answers how many.
 * One sent stays sent. Their earlier tries stay in rating_feed_attempts.
 */
export async function sendFailedAgain(db: pg.ClientBase | pg.Pool, hall?: string): Promise<number> {
  const { rowCount } = await db.query("UPDATE rating_feed SET state = 'pending', attempts = 0, next_at = now() WHERE state = 'failed' AND ($1::text IS NULL OR hall = $1)", [hall ?? null]);
  return rowCount ?? 0;
}

/** Sends what is due every `everyMs` until stopped; a failing city database is tried again at the next turn. */
export function startRatingFeed(connect: () => Promise<pg.ClientBase & { release?: () => void }>, target: FeedTarget, everyMs = 10_000, onError: (e: unknown) => void = () => undefined, onDone: () => void = () => undefined) {
  let stopped = false;
  let running: Promise<void> = Promise.resolve();
  // Whether the platform last took what it was sent, and who is told when that changes (platformSaid).
  let taking = true;
  let said: (taking: boolean, problem?: string) => void = () => undefined;
  const turn = async () => {
    const client = await connect();
    try {
      // Sends batch after batch while there are due ratings, then waits for the next turn.
      for (;;) {
        const r = await sendDueRatings(client, target);
        if (r.failed > 0 && taking) {
          taking = false;
          said(false, r.problem);
        } else if (r.sent > 0 && !taking) {
          taking = true;
          said(true);
        }
        if (stopped || r.sent === 0) break;
      }
    } finally {
      client.release?.();
    }
  };
  const timer = setInterval(() => {
    running = running.then(() => (stopped ? undefined : turn().then(onDone, onError)));
  }, everyMs);
  return {
    /**
     * Tells `listener` when the platform stops taking the ratings sent (a wrong address or token, its errors, no answer
     * in time: with what it said) and when it takes them again: once each, not at every try.
     */
    platformSaid(listener: (taking: boolean, problem?: string) => void) {
      said = listener;
    },
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
