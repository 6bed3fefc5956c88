import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The schema validators the sources import are compiled from the schemas as they are now.
    globalSetup: ['scripts/compile-validators.mjs'],
    setupFiles: ['test/setup/environment.ts'],
    // Host tests start real plugin processes; give them room on a 2-core machine.
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
  },
});
