export { openDatabase, migrate, MIGRATIONS, type Db } from './db';
export { HallStore, type Executed, type EventListener } from './store';
export { startHub, resolveToken, type HubOptions, type RunningHub } from './server';
export { MAX_CATCH_UP_EVENTS, type LinkedTerminal } from './terminals';
export { Staff, StaffSessions, AuditLog, SESSION_COOKIE, IDLE_TIMEOUT_MS, type AuditEntry, type StaffMember, type Session } from './staff';
export { TerminalCredentials, Pairings, DEFAULT_CREDENTIAL_DAYS, PAIRING_MS, type TerminalCredential } from './enrolment';
export { MAX_BODY_BYTES } from './http';
export { ClerkPins, PIN_ATTEMPTS, PIN_LOCK_MS } from './pins';
