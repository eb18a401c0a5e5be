import fs from 'node:fs';
import os from 'node:os';
import { describe, expect, it } from 'vitest';
import { BACKGROUND_NICE, sqliteWorker } from './sqlite-worker';

/** The nice value the worker's own thread reports. */
function niceOfWorker(background: boolean): Promise<number> {
  const worker = sqliteWorker("require('node:worker_threads').parentPort.postMessage(require('node:os').getPriority(0));", {}, { background });
  return new Promise((resolve, reject) => {
    worker.once('message', (nice: number) => {
      resolve(nice);
      void worker.terminate();
    });
    worker.once('error', reject);
  });
}

describe("the hub's worker threads", () => {
  it('run bulk work at a lower priority than the hub, on their own thread only (Linux keeps a nice value per thread)', async () => {
    const own = os.getPriority(0);
    // Elsewhere a thread's priority is the process's: the hub is not lowered with its backup.
    expect(await niceOfWorker(true)).toBe(process.platform === 'linux' ? Math.max(own, BACKGROUND_NICE) : own);
    expect(await niceOfWorker(false)).toBe(own);
    expect(os.getPriority(0)).toBe(own);
    if (process.platform === 'linux') {
      // The process's other threads are untouched too (each thread's nice value is field 19 of its stat).
      const nices = fs.readdirSync('/proc/self/task').map((t) => Number(fs.readFileSync(`/proc/self/task/${t}/stat`, 'utf8').split(') ')[1]!.split(' ')[16]));
      expect(nices.every((n) => n === own)).toBe(true);
    }
  });
});
