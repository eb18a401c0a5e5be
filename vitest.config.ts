import os from 'node:os';
import { defineConfig } from 'vitest/config';

/**
 * Test files at once: one per core, at most four (vitest's own default leaves a core free: on two cores one
 * file at a time, 20.8 minutes of CI against 15.7). Most of a file's time is waiting on hubs, browsers, serial
 * lines and timers in other processes. Files do not share ports (freePort gives each a band of its own) and
 * the tests' waits are for a shared machine (expect.poll's 5 s below). SERVICEHALL_TEST_FILES_AT_ONCE sets
 * another number (1: one file at a time, e.g. to tell a slow machine from a fault in a test).
 */
function filesAtOnce(): number {
  const asked = process.env.SERVICEHALL_TEST_FILES_AT_ONCE;
  if (asked === undefined || asked === '') return Math.min(os.availableParallelism(), 4);
  const n = Number(asked);
  if (!Number.isInteger(n) || n < 1) throw new Error(`SERVICEHALL_TEST_FILES_AT_ONCE 应为正整数，而不是“${asked}” / must be a whole number of 1 or more, not "${asked}"`);
  return n;
}

export default defineConfig({
  test: {
    include: ['{packages,drivers,apps,fixtures,scripts}/**/*.test.{ts,tsx}', 'e2e/**/*.test.ts'],
    exclude: ['**/node_modules/**', '**/dist/**'],
    reporters: ['default', './scripts/vitest-summary.ts'],
    maxWorkers: filesAtOnce(),
    testTimeout: 20_000,
    hookTimeout: 30_000,
    // A wait for what another process does (a hub, a browser, a serial line) ends as soon as it is seen;
    // expect.poll's own second is too short beside another test file.
    expect: { poll: { timeout: 5_000 } },
    // Hubs started inside the tests log errors only; hubs in their own process say what they set.
    env: { SERVICEHALL_LOG_LEVEL: 'error' },
  },
});
