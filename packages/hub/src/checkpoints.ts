import type { Db } from './db';
import { log } from './log';
import { opsText } from './ops-strings';
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

/** How soon a checkpoint worker that stopped is started again: at first, and at most (doubling between). */
export const RESTART_FIRST_MS = 1_000;
export const RESTART_MOST_MS = 60_000;

// A checkpoint that fails (an I/O error, a disk gone read-only for a moment) ends the worker: the
// hub's connection checkpoints meanwhile, and a new worker with a new connection is started later.
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
let db;
let timer;
let working = false;
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
  db = undefined;
  stop();
}
const tick = () => {
  try {
    const started = performance.now();
    // PASSIVE: copies what no reader still needs, never waits for the hub's writes.
    const r = db.pragma('wal_checkpoint(PASSIVE)')[0];
    // Working once a checkpoint has been made (opening the file is not enough: a disk that fails fails there).
    if (!working) parentPort.postMessage({ kind: 'ready' });
    working = true;
    if (r.checkpointed > 0 || r.busy) parentPort.postMessage({ kind: 'checkpoint', busy: r.busy, log: r.log, checkpointed: r.checkpointed, ms: performance.now() - started });
  } catch (e) {
    parentPort.postMessage({ kind: 'error', message: e && e.message ? e.message : String(e) });
    return stop();
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

export interface CheckpointOptions {
  everyMs?: number;
  onCheckpoint?: (c: Checkpoint) => void;
  /** How soon a worker that stopped is started again at first (it doubles up to RESTART_MOST_MS). */
  restartMs?: number;
  /** Where the operator is told that the worker stopped and that it runs again; the hub's log by default. */
  warn?: (message: string) => void;
}

type WorkerMessage = ({ kind: 'checkpoint' } & Checkpoint) | { kind: 'error'; message: string } | { kind: 'ready' };

/**
 * Starts checkpointing `file` from a worker thread every `everyMs`, and sets `db` (the hub's own
 * connection) to checkpoint only past BACKSTOP_PAGES. A worker that stops (it cannot open the file,
 * a checkpoint fails) leaves the hub's connection to checkpoint as SQLite does by default, and says
 * so; it is started again after a while, and once it runs the hub's connection leaves it the work.
 */
export function startCheckpointer(db: Db, file: string, options: CheckpointOptions = {}): Checkpointer {
  const { everyMs = CHECKPOINT_EVERY_MS, onCheckpoint = () => undefined, restartMs = RESTART_FIRST_MS, warn = (m: string) => log.warn(m) } = options;
  let last: Checkpoint | undefined;
  /** Whether the hub's connection checkpoints itself (its worker stopped, none running yet). */
  let inCommits = false;
  let stopping = false;
  let wait = restartMs;
  let restart: NodeJS.Timeout | undefined;
  const autocheckpoint = (pages: number) => {
    try {
      db.pragma(`wal_autocheckpoint = ${pages}`);
    } catch {
      // The hub's connection is closing: nothing to set.
    }
  };
  const fallBack = (why: string) => {
    if (inCommits || stopping) return;
    inCommits = true;
    warn(opsText('checkpointsInCommits', { problem: why, seconds: Math.round(wait / 1000) || 1 }));
    autocheckpoint(1000);
  };
  let exited: Promise<void> = Promise.resolve();
  let worker: ReturnType<typeof sqliteWorker> | undefined;
  const begin = () => {
    restart = undefined;
    if (stopping) return;
    const w = sqliteWorker(WORKER, { file, everyMs });
    worker = w;
    w.on('message', (m: WorkerMessage) => {
      if (m.kind === 'error') fallBack(m.message);
      else if (m.kind === 'ready') {
        autocheckpoint(BACKSTOP_PAGES);
        if (inCommits) warn(opsText('checkpointsBack', {}));
        inCommits = false;
        wait = restartMs;
      } else {
        last = { log: m.log, checkpointed: m.checkpointed, busy: m.busy, ms: m.ms };
        onCheckpoint(last);
      }
    });
    w.on('error', (error) => fallBack(error.message));
    exited = new Promise<void>((resolve) =>
      w.once('exit', () => {
        resolve();
        if (stopping) return;
        fallBack('it exited');
        restart = setTimeout(begin, wait);
        restart.unref();
        wait = Math.min(RESTART_MOST_MS, wait * 2);
      }),
    );
    // The worker is no reason for the hub's process to stay.
    w.unref();
  };
  autocheckpoint(BACKSTOP_PAGES);
  begin();
  return {
    last: () => last,
    async stop() {
      stopping = true;
      clearTimeout(restart);
      if (!worker) return;
      worker.postMessage('stop');
      const timer = setTimeout(() => void worker?.terminate(), 2_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
