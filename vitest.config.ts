import { defineConfig } from 'vitest/config';

/**
 * Test files at once: one unless SERVICEHALL_TEST_FILES_AT_ONCE says more (2 on two cores: 15.7 against
 * 20.8 minutes of CI, but files race for free ports and some waits of a second are too short; README, Tests).
 */
function filesAtOnce(): number {
  const asked = process.env.SERVICEHALL_TEST_FILES_AT_ONCE;
  // One at a time unless asked: two at once raced for free ports between files (EADDRINUSE, once in a run of the hub's tests).
  if (asked === undefined || asked === '') return 1;
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
