import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/**
 * A worker thread beside the hub with a SQLite connection of its own: `source` is CommonJS,
 * evaluated, and finds better-sqlite3 at `workerData.driver` (the hub's own copy) beside `data`.
 * The backups, the whole check of a big database and the WAL checkpoints run so.
 */
export function sqliteWorker(source: string, data: Record<string, unknown>): Worker {
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  return new Worker(source, { eval: true, workerData: { ...data, driver } });
}
