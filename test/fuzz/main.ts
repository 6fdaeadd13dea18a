// `npm run fuzz -- [--count N] [--seed S] [--jobs J] [--timeout SECONDS] [--only I,J]`: a fuzz campaign against dist/.

import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { agentCommand } from '../blackbox/harness';
import { runCampaign } from './campaign';

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      count: { type: 'string', default: '300' },
      seed: { type: 'string', default: '1' },
      jobs: { type: 'string', default: '2' },
      timeout: { type: 'string', default: '30' },
      only: { type: 'string' },
    },
    strict: true,
  });
  const seed = Number(values.seed);
  const count = Number(values.count);
  const only = values.only?.split(',').map(Number);
  const agent = agentCommand();
  if (!existsSync(agent[0] as string)) throw new Error(`${agent[0]} is missing: run "npm run build" first`);
  process.stdout.write(`fuzz: ${only ? `cases ${only.join(',')}` : `${count} cases`} of seed ${seed}, ${values.jobs} at a time, each command bounded by ${values.timeout} s, against ${agent.join(' ')}\n`);
  const result = await runCampaign({
    seed,
    count,
    jobs: Number(values.jobs),
    timeoutMs: Number(values.timeout) * 1000,
    agent,
    ...(only ? { only } : {}),
    onProgress: (done, failures) => {
      if (done % 100 === 0) process.stdout.write(`  ${done} cases, ${failures} failures\n`);
    },
  });
  for (const f of result.failures) {
    process.stdout.write(`\nFAIL case ${f.index} (${f.kind}) ${f.command}: ${f.reason}\n${f.output}\n`);
  }
  const kinds = Object.entries(result.byKind).map(([k, n]) => `${k} ${n}`).join(', ');
  const exits = Object.entries(result.exits).sort().map(([k, n]) => `${k}: ${n}`).join(', ');
  process.stdout.write(
    `\nfuzz: ${result.cases} cases (${kinds}), ${result.commands} commands in ${(result.durationMs / 1000).toFixed(1)} s; ` +
      `${result.failures.length} failures\nexit codes: ${exits}\n`,
  );
  if (result.failures.length > 0) {
    process.stdout.write(`replay: npm run fuzz -- --seed ${seed} --only ${[...new Set(result.failures.map((f) => f.index))].join(',')}\n`);
  }
  return result.failures.length > 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`fuzz: ${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  },
);
