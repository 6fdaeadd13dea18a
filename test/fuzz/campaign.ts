// A fuzz campaign: cases 0..count-1 of a seed, a few at a time, with the figures a report needs.

import { makeCase, type CaseKind } from './cases';
import { caseSeed } from './prng';
import { runCase, type Failure } from './run-case';

export interface CampaignOptions {
  seed: number;
  count: number;
  /** cases run at the same time */
  jobs: number;
  /** bound of each command */
  timeoutMs: number;
  agent: readonly string[];
  /** run only these case indexes (a replay) */
  only?: readonly number[];
  onProgress?: (done: number, failures: number) => void;
}

export interface CampaignResult {
  cases: number;
  commands: number;
  durationMs: number;
  byKind: Record<CaseKind, number>;
  /** "validate 2" -> how many runs ended so */
  exits: Record<string, number>;
  failures: Failure[];
}

export async function runCampaign(options: CampaignOptions): Promise<CampaignResult> {
  const started = performance.now();
  const indexes = options.only ? [...options.only] : Array.from({ length: options.count }, (_, i) => i);
  const result: CampaignResult = { cases: 0, commands: 0, durationMs: 0, byKind: { manifest: 0, schema: 0, 'user-data': 0, cmdline: 0 }, exits: {}, failures: [] };
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < indexes.length; i = next++) {
      const index = indexes[i] as number;
      const c = makeCase(index, caseSeed(options.seed, index));
      const { failures, outcomes } = await runCase(c, options.agent, options.timeoutMs);
      result.cases++;
      result.byKind[c.kind]++;
      for (const o of outcomes) {
        result.commands++;
        const key = `${o.name} ${o.code}`;
        result.exits[key] = (result.exits[key] ?? 0) + 1;
      }
      result.failures.push(...failures.map((f) => ({ ...f, reason: `${f.reason} [${c.steps.join('; ')}]` })));
      options.onProgress?.(result.cases, result.failures.length);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, options.jobs) }, worker));
  result.failures.sort((a, b) => a.index - b.index);
  result.durationMs = performance.now() - started;
  return result;
}
