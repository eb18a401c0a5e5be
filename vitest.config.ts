import os from 'node:os';
import { defineConfig } from 'vitest/config';

/**
 * One test file per core. Vitest's own default leaves one core free (two cores: one file at a time),
 * but most of the suite's time is spent waiting (on hubs and browsers in their own processes, on
 * serial lines, on timers), so a file per core halves the run without the files' processes starving.
 * SERVICEHALL_TEST_FILES_AT_ONCE sets another number (1: one file at a time, as before).
 */
function filesAtOnce(): number {
  const asked = process.env.SERVICEHALL_TEST_FILES_AT_ONCE;
  if (asked === undefined || asked === '') return os.availableParallelism();
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
    // Hubs started inside the tests log errors only; hubs in their own process say what they set.
    env: { SERVICEHALL_LOG_LEVEL: 'error' },
  },
});
