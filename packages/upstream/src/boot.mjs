// The shipper's worker thread: its TypeScript through tsx, or its build beside a built hub. It gives way to the
// hub's event loop from its first instruction: loading and compiling its code (tsx, the PostgreSQL
// client, the city's schema) takes a second of a core, which a hall just started would otherwise
// share with its terminals. On Linux a thread has a nice value of its own, and this one lowers its
// own (elsewhere the call would lower the whole hub, so it is not made).
import os from 'node:os';
import { workerData } from 'node:worker_threads';

if (typeof workerData.nice === 'number' && process.platform === 'linux')
  try {
    os.setPriority(0, workerData.nice);
  } catch {
    // Not allowed here: the worker runs at the hub's priority, and the shipper still rests while the hall is busy.
  }
// The worker's TypeScript through tsx; a built hub's worker is plain JavaScript already.
if (workerData.typescript !== false) {
  const { register } = await import('tsx/esm/api');
  register();
}
await import(workerData.entry);
