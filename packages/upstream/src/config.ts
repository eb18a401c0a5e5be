import type { ShipperOptions } from './ship';

/** What a hub is told of its city: where its PostgreSQL is and which hall this is there. */
export type UpstreamConfig = Omit<ShipperOptions, 'databaseFile'>;

/**
 * SERVICEHALL_UPSTREAM_URL (postgres://user@host:port/database) and SERVICEHALL_UPSTREAM_HALL (the
 * city's code of this hall); SERVICEHALL_UPSTREAM_BATCH (events a transaction, 1-20000). None: no shipping.
 */
export function upstreamFromEnv(env: NodeJS.ProcessEnv): UpstreamConfig | undefined {
  const url = env.SERVICEHALL_UPSTREAM_URL || undefined;
  const hall = env.SERVICEHALL_UPSTREAM_HALL || undefined;
  if (!url && !hall) return undefined;
  if (!url || !hall) throw new Error('SERVICEHALL_UPSTREAM_URL and SERVICEHALL_UPSTREAM_HALL go together: the city\'s PostgreSQL and the city\'s code of this hall');
  if (!/^postgres(ql)?:\/\//.test(url)) throw new Error('SERVICEHALL_UPSTREAM_URL must be a PostgreSQL address, postgres://user@host:port/database');
  if (!/^[\w.-]{1,40}$/.test(hall)) throw new Error(`SERVICEHALL_UPSTREAM_HALL is the city's code of this hall: letters, digits, ".", "-" or "_", at most 40, not "${hall}"`);
  const batch = env.SERVICEHALL_UPSTREAM_BATCH;
  if (batch !== undefined && batch !== '' && (!/^\d{1,5}$/.test(batch) || Number(batch) < 1 || Number(batch) > 20_000))
    throw new Error(`SERVICEHALL_UPSTREAM_BATCH is the number of events a transaction carries (1-20000), not "${batch}"`);
  return { url, hall, ...(batch ? { batchEvents: Number(batch) } : {}) };
}
