export { HallClient, isLoopbackUrl, insecureHubProblem, type AskResult, type ClientChange, type ConnectionState, type HallClientOptions } from './client';
export { Outbox, type OutboxEntry } from './outbox';
export { backoffDelay, DEFAULT_BACKOFF, type BackoffPolicy } from './backoff';
export { EmergencyLedger, type OpenCall } from './emergency';
