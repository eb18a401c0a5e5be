import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/** The nice value of the hub's bulk work (a backup, the whole check of a database): the hub's own threads keep the process's. */
export const BACKGROUND_NICE = 10;

/**
 * A worker thread beside the hub with a SQLite connection of its own: `source` is CommonJS,
 * evaluated, and finds better-sqlite3 at `workerData.driver` (the hub's own copy) beside `data`.
 * The backups, the whole check of a big database and the WAL checkpoints run so.
 *
 * `background`: bulk work that gives way to the hub's event loop when the cores are busy. On Linux a
 * thread has a nice value of its own (not the process's), and the worker lowers its own before it
 * starts; elsewhere the call would lower the whole hub, so it is left out.
 */
export function sqliteWorker(source: string, data: Record<string, unknown>, options: { background?: boolean } = {}): Worker {
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  const prelude = options.background && process.platform === 'linux' ? `try { require('node:os').setPriority(0, ${BACKGROUND_NICE}); } catch {}\n` : '';
  return new Worker(prelude + source, { eval: true, workerData: { ...data, driver } });
}
