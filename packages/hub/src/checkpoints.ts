import type { Db } from './db';
import { log } from './log';
import { sqliteWorker } from './sqlite-worker';

/**
 * SQLite's WAL is copied back into the database file by a checkpoint. By default the connection
 * that commits does it, inside that commit, whenever the WAL passes 1,000 pages: one command in
 * some tens then waits for the copy and the database file's flush (on a year's database, pages
 * scattered across gigabytes). The hub instead checkpoints from a worker thread with its own
 * connection, a little and often, while its commands go on; its own connection checkpoints only
 * as a backstop, if the worker falls far behind or is gone.
 */

/**
 * How often the worker checkpoints. On a year's database each checkpoint copies pages scattered
 * across gigabytes and flushes them beside the commits' own flushes: the paced load's p99 there was
 * 106-117 ms checkpointing every second, 40-63 ms every 200 ms, 33-38 ms every 50 ms (28-39 every
 * 20 ms, with a higher p50); on an empty hub 50 and 200 ms are alike.
 */
export const CHECKPOINT_EVERY_MS = 50;

/** Pages in the WAL after which the hub's own connection checkpoints after all (about 64 MB). */
export const BACKSTOP_PAGES = 16_000;

const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
let db;
let timer;
const stop = () => {
  clearTimeout(timer);
  try { if (db) db.close(); } catch {}
  parentPort.close();
};
parentPort.on('message', (m) => { if (m === 'stop') stop(); });
try {
  db = new Database(workerData.file, { fileMustExist: true });
  db.pragma('busy_timeout = 50');
  db.pragma('synchronous = FULL');
  db.pragma('wal_autocheckpoint = 0');
} catch (e) {
  parentPort.postMessage({ kind: 'error', message: e && e.message ? e.message : String(e) });
  stop();
}
const tick = () => {
  try {
    const started = performance.now();
    // PASSIVE: copies what no reader still needs, never waits for the hub's writes.
    const r = db.pragma('wal_checkpoint(PASSIVE)')[0];
    if (r.checkpointed > 0 || r.busy) parentPort.postMessage({ kind: 'checkpoint', busy: r.busy, log: r.log, checkpointed: r.checkpointed, ms: performance.now() - started });
  } catch (e) {
    parentPort.postMessage({ kind: 'error', message: e && e.message ? e.message : String(e) });
  }
  timer = setTimeout(tick, workerData.everyMs);
};
if (db) tick();
`;

export interface Checkpoint {
  /** Frames in the WAL, and how many of them are in the database file now. */
  log: number;
  checkpointed: number;
  busy: number;
  ms: number;
}

export interface Checkpointer {
  /** The last checkpoint the worker made (none yet: undefined). */
  last(): Checkpoint | undefined;
  stop(): Promise<void>;
}

/**
 * Starts checkpointing `file` from a worker thread every `everyMs`, and sets `db` (the hub's own
 * connection) to checkpoint only past BACKSTOP_PAGES. A worker that cannot run leaves the hub's
 * connection to checkpoint as SQLite does by default, and says so.
 */
export function startCheckpointer(db: Db, file: string, everyMs = CHECKPOINT_EVERY_MS, onCheckpoint: (c: Checkpoint) => void = () => undefined): Checkpointer {
  const worker = sqliteWorker(WORKER, { file, everyMs });
  db.pragma(`wal_autocheckpoint = ${BACKSTOP_PAGES}`);
  let last: Checkpoint | undefined;
  let failed = false;
  const fallBack = (why: string) => {
    if (failed) return;
    failed = true;
    log.warn({ why }, 'the checkpoint worker stopped: the hub checkpoints its database itself again, inside its commits');
    try {
      db.pragma('wal_autocheckpoint = 1000');
    } catch {
      // The hub's connection is closing: nothing to fall back to.
    }
  };
  worker.on('message', (m: { kind: 'checkpoint' } & Checkpoint | { kind: 'error'; message: string }) => {
    if (m.kind === 'error') fallBack(m.message);
    else {
      last = { log: m.log, checkpointed: m.checkpointed, busy: m.busy, ms: m.ms };
      onCheckpoint(last);
    }
  });
  worker.on('error', (error) => fallBack(error.message));
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  let stopping = false;
  void exited.then(() => {
    if (!stopping) fallBack('it exited');
  });
  // The worker is no reason for the hub's process to stay.
  worker.unref();
  return {
    last: () => last,
    async stop() {
      stopping = true;
      worker.postMessage('stop');
      const timer = setTimeout(() => void worker.terminate(), 2_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
