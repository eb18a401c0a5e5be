export * from './buckets';
export * from './schema';
export * from './facts';
export * from './definitions';
export * from './erlang';
export * from './forecast';
export * from './staffing';
export type { CompiledQuery } from 'kysely';
export * from './columns';
