import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Bounds, not expectations: tests wait for conditions, and these only decide how long a
    // broken test may hang on a loaded 2-core CI machine before it is reported.
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
