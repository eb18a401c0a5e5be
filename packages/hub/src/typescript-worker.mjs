// A worker thread's TypeScript through tsx (a developer's checkout, the tests); a built hub starts its worker's build instead.
import { workerData } from 'node:worker_threads';

const { register } = await import('tsx/esm/api');
register();
await import(workerData.entry);
