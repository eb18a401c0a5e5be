import { randomBytes } from 'node:crypto';
import type { Db } from './db';

/**
 * Which event log a database holds. Sequence numbers only mean something within one log: a hub
 * restored from a backup goes on from the backup's sequence with a new log, whose first part (up
 * to `parent.seq`) is the old log's. A terminal whose view came from another log, or from the old
 * log past that point, holds a history the hub does not have, and is given a snapshot.
 */
export interface Lineage {
  log: string;
  parent?: { log: string | null; seq: number };
}

export const LINEAGE_MIGRATION = {
  version: 80,
  name: 'the identity of the event log, so that terminals notice a hub restored from a backup',
  sql: `INSERT OR IGNORE INTO hall (key, value) VALUES ('log', lower(hex(randomblob(16))));`,
};

export function readLineage(db: Db): Lineage {
  const get = db.prepare<[string], { value: string }>('SELECT value FROM hall WHERE key = ?');
  const log = get.get('log')?.value;
  if (!log) throw new Error('the hall database has no log identity (migration 80 has not run)');
  const parent = get.get('log_parent')?.value;
  return { log, ...(parent ? { parent: JSON.parse(parent) as Lineage['parent'] } : {}) };
}

/** Gives a restored database a new log that continues the backup's log up to its last event. */
export function branchLineage(db: Db): Lineage {
  const seq = (db.prepare('SELECT COALESCE(MAX(seq), 0) AS seq FROM events').get() as { seq: number }).seq;
  const before = db.prepare<[], { value: string }>("SELECT value FROM hall WHERE key = 'log'").get()?.value ?? null;
  const lineage: Lineage = { log: randomBytes(16).toString('hex'), parent: { log: before, seq } };
  const put = db.prepare('INSERT INTO hall (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value');
  db.transaction(() => {
    put.run('log', lineage.log);
    put.run('log_parent', JSON.stringify(lineage.parent));
  })();
  return lineage;
}

/**
 * Whether a terminal that holds events up to `since` of `log` may go on with the events after it:
 * same log, or the parent log no further than where the two part. A terminal that does not say
 * its log (an older one) is judged by its sequence alone.
 */
export function continuesLog(lineage: Lineage, log: string | undefined, since: number): boolean {
  if (log === undefined || log === lineage.log) return true;
  return !!lineage.parent && lineage.parent.log === log && since <= lineage.parent.seq;
}
