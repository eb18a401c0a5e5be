import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['{packages,drivers,apps,fixtures,scripts}/**/*.test.{ts,tsx}', 'e2e/**/*.test.ts'],
    exclude: ['**/node_modules/**', '**/dist/**'],
    reporters: ['default', './scripts/vitest-summary.ts'],
    testTimeout: 20_000,
    hookTimeout: 30_000,
    // Hubs started inside the tests log errors only; hubs in their own process say what they set.
    env: { SERVICEHALL_LOG_LEVEL: 'error' },
  },
});
