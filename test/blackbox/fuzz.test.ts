// Blackbox: a short fuzz campaign (test/fuzz) over manifests, config schemas, user data and kernel command lines.

import { describe, expect, it } from 'vitest';
import { runCampaign } from '../fuzz/campaign';
import { agentCommand } from './harness';

/** Enough cases to meet every kind of input each run; `npm run fuzz` runs thousands by hand. */
const COUNT = Number(process.env.CLOUDLET_FUZZ_COUNT ?? 40);
const SEED = Number(process.env.CLOUDLET_FUZZ_SEED ?? 20261201);
/** Each command's bound: two orders of magnitude above what one takes, so only a hang reaches it. */
const COMMAND_TIMEOUT_MS = 30_000;

describe('fuzzed input', () => {
  it(
    `${COUNT} cases of seed ${SEED}: every command exits in time with a code of its own, never E_INTERNAL, and --json output is JSON`,
    async () => {
      const result = await runCampaign({ seed: SEED, count: COUNT, jobs: 2, timeoutMs: COMMAND_TIMEOUT_MS, agent: agentCommand() });
      expect(result.failures).toEqual([]);
      expect(result.cases).toBe(COUNT);
      for (const kind of ['manifest', 'schema', 'user-data', 'cmdline'] as const) expect(result.byKind[kind]).toBeGreaterThan(0);
    },
    // Bounded by the commands' own bounds, never by how fast this machine is.
    COUNT * 3 * COMMAND_TIMEOUT_MS,
  );
});
