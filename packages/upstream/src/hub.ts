// What the hub itself loads: the worker's handle and the configuration, nothing of the city's reports.
export { upstreamFromEnv, type UpstreamConfig } from './config';
export type { RefusalReason, UpstreamState, UpstreamStatus } from './ship';
export { startUpstream, type Upstream } from './upstream';
