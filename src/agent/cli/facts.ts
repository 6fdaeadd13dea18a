// `cloudlet-agent facts`: this machine's facts, in the format `check --facts FILE` reads.

import { EXIT } from '../../errors';
import { collectFacts } from '../requirements/collect-facts';
import { FACT_KEYS } from '../requirements/facts-file';
import type { Facts } from '../requirements/facts-types';
import { formatBytes } from '../requirements/memory-size';
import { boolFlag, printJson, type Command } from './command';

export const factsCommand: Command = {
  name: 'facts',
  usage: '[--json]',
  details: ['--json   the facts as JSON, exactly what "cloudlet-agent check --facts FILE" reads'],
  examples: ['cloudlet-agent facts', 'cloudlet-agent facts --json > this-machine.json'],
  flags: { json: { type: 'boolean' } },
  async run(args, system) {
    const facts = await collectFacts(system);
    if (boolFlag(args, 'json')) printJson(system, ordered(facts));
    else system.out(table(facts));
    return EXIT.ok;
  },
};

function ordered(facts: Facts): Facts {
  return Object.fromEntries(Object.keys(FACT_KEYS).map((k) => [k, facts[k as keyof Facts]])) as unknown as Facts;
}

function table(facts: Facts): string {
  const shown: Record<keyof Facts, string> = {
    arch: facts.arch,
    os: facts.os,
    kernelRelease: facts.kernelRelease,
    hostname: facts.hostname,
    cpus: String(facts.cpus),
    memoryBytes: `${facts.memoryBytes} (${formatBytes(facts.memoryBytes)} MemTotal)`,
    cpuFlags: facts.cpuFlags.length ? facts.cpuFlags.join(' ') : '(none read)',
    hypervisor: facts.hypervisor,
  };
  const width = Math.max(...Object.keys(shown).map((k) => k.length));
  return Object.entries(shown)
    .map(([k, v]) => `${k.padEnd(width)}  ${v}`)
    .join('\n');
}
