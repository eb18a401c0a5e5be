// The shipper's worker thread: TypeScript through tsx, as the hub itself runs.
import { register } from 'tsx/esm/api';
import { workerData } from 'node:worker_threads';

register();
await import(workerData.entry);
