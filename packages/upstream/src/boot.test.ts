import os from 'node:os';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { SHIPPER_NICE } from './upstream';

describe("the shipper's worker thread", () => {
  it.skipIf(process.platform !== 'linux')('gives way to the hub before any of its code is loaded, and leaves the hub’s own threads as they were (Linux keeps a nice value per thread)', async () => {
    const hubBefore = os.getPriority(process.pid);
    const worker = new Worker(new URL('./boot.mjs', import.meta.url), { workerData: { entry: new URL('./testing/priority-probe.ts', import.meta.url).href, nice: SHIPPER_NICE } });
    const nice = await new Promise((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    await worker.terminate();
    expect(nice).toBe(SHIPPER_NICE);
    expect(os.getPriority(process.pid)).toBe(hubBefore);
  });
});
