import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['packages/*/test/**/*.test.ts', 'fixtures/test/**/*.test.ts', 'bench/test/**/*.test.ts'],
    testTimeout: 60_000,
    pool: 'forks',
  },
});
