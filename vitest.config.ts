// Three test tiers: unit (beside the code), blackbox (the built executable), vm (real kernels under QEMU).

import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      { test: { name: 'unit', include: ['src/**/*.test.ts'], environment: 'node' } },
      { test: { name: 'blackbox', include: ['test/blackbox/**/*.test.ts'], environment: 'node', testTimeout: 120_000, hookTimeout: 300_000, fileParallelism: false } },
      // Two TCG guests at once on two cores cost no more time each than one (boot-lab notes); concurrent tests boot in pairs.
      { test: { name: 'vm', include: ['test/vm/**/*.test.ts'], environment: 'node', testTimeout: 900_000, hookTimeout: 1_800_000, fileParallelism: false, maxConcurrency: 2 } },
    ],
  },
});
