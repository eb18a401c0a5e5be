export { openDatabase, migrate, MIGRATIONS, type Db } from './db';
export { HallStore, type Executed, type EventListener } from './store';
export { startHub, resolveToken, type HubOptions, type RunningHub } from './server';
export { MAX_CATCH_UP_EVENTS } from './terminals';
export { MAX_BODY_BYTES } from './http';
export { ClerkPins, PIN_ATTEMPTS, PIN_LOCK_MS } from './pins';
