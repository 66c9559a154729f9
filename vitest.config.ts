import { playwright } from '@vitest/browser-playwright';
import { defineConfig } from 'vitest/config';
import { CHROMIUM_PATH, QUIET_FLAGS } from './playwright.config.ts';

export default defineConfig({
  test: {
    testTimeout: 120_000,
    projects: [
      {
        // extends: inline projects take nothing from the root config otherwise, not even testTimeout (the default
        // 5 s cut the detector's leak test short on a busy 2-core machine).
        extends: true,
        test: { name: 'unit', include: ['tests/unit/**/*.test.ts', 'tests/relay/**/*.test.ts'], environment: 'node' },
      },
      {
        // Modules that need a real browser (IndexedDB), run in the same Chromium as the e2e tests.
        extends: true,
        test: {
          name: 'browser',
          include: ['tests/browser/**/*.test.ts'],
          browser: {
            enabled: true,
            headless: true,
            provider: playwright({ launchOptions: { executablePath: CHROMIUM_PATH, args: QUIET_FLAGS } }),
            instances: [{ browser: 'chromium' }],
          },
        },
      },
    ],
  },
});
