// The fact rules and tables without the report queries (and their query builder): what the hub loads on every start.
export * from './buckets';
export * from './schema';
export * from './facts';
