import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createLogger, useLogger } from '../packages/hub/src/log';
import { startHub } from '../packages/hub/src/server';

/**
 * The hub of the reconnect bench (bench-reconnect.ts), in a process of its own: on the hall folder
 * given, with its clock at `at` (the evening of the generated day) and running on from there. It says
 * its address as a JSON line; `start` on its input begins watching its event loop, `stop` reports what
 * it saw (a JSON line) and ends it.
 */
const [dataDir, at, token] = process.argv.slice(2) as [string, string, string];
useLogger(createLogger({ level: 'error' }));
const started = Date.now();
const hub = await startHub({
  dataDir,
  token,
  clock: () => Number(at) + (Date.now() - started),
  ratingSweepMs: 3_600_000,
  limits: { commands: 'off', connectionsPerAddress: 1000, connections: 1000 },
});
const loop = monitorEventLoopDelay({ resolution: 5 });
process.stdout.write(JSON.stringify({ url: hub.wsUrl }) + '\n');
process.stdin.on('data', (data: Buffer) => {
  for (const command of data.toString().split('\n')) {
    if (command === 'start') {
      loop.reset();
      loop.enable();
    }
    if (command === 'stop') {
      loop.disable();
      process.stdout.write(JSON.stringify({ maxPauseMs: loop.max / 1e6, p99PauseMs: loop.percentile(99) / 1e6, rssBytes: process.memoryUsage().rss }) + '\n');
      void hub.close().then(() => process.exit(0));
    }
  }
});
