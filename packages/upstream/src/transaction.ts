import pg from 'pg';

/** What pg says of a statement that went unanswered past its connection's query_timeout. */
const QUERY_TIMEOUT = 'Query read timeout';

/**
 * Ends a transaction on the city's database that failed: by ROLLBACK, or, when a statement went unanswered past
 * query_timeout (the hub's shipper sets one), by closing the connection at once (end() destroys its socket while a
 * query is active). That statement may still run on the city's server (waiting on a lock, a link that swallows it),
 * and a ROLLBACK sent after it would wait as long, up to its own query_timeout. The server rolls the transaction back
 * when it finds the connection gone; the shipper's loop connects again, and a pool drops a client ended so at release.
 */
export async function rollBack(client: pg.ClientBase, error: unknown): Promise<void> {
  if ((error as Error | undefined)?.message === QUERY_TIMEOUT && client instanceof pg.Client) await client.end().catch(() => undefined);
  else await client.query('ROLLBACK').catch(() => undefined);
}
