// `cloudlet-agent check`: the requirements of an entry point against this machine, or against a facts file.

import { readFile } from 'node:fs/promises';
import { AgentError, EXIT } from '../../errors';
import { loadManifest } from '../../manifest/load';
import type { EntrypointName, NormalizedManifest } from '../../manifest/types';
import { collectFacts } from '../requirements/collect-facts';
import { checkRequirements, defaultEntrypoint } from '../requirements/entrypoint-requirements';
import type { RequirementRow } from '../requirements/evaluate';
import { parseFactsFile } from '../requirements/facts-file';
import type { Facts } from '../requirements/facts-types';
import type { System } from '../../system/system';
import { boolFlag, printJson, rootOf, stringFlag, type Command } from './command';
import { entrypointFlag } from './pipeline-flags';

export const checkCommand: Command = {
  name: 'check',
  usage: '[--root DIR] [--entrypoint init|chroot|kernel] [--facts FILE] [--json]',
  details: [
    '--root DIR        the image root (default /)',
    '--entrypoint E    whose requirements to check (default: init if the image has one, else chroot, else kernel)',
    "--facts FILE      another machine's facts (from \"cloudlet-agent facts --json\" there) instead of this one's;",
    '                  commands and files are still looked up in the image under --root',
    '--json            rows and facts as JSON',
    'Exit codes: 0 all met, 3 some not met, 2 invalid manifest, facts file or arguments',
  ],
  examples: [
    'cloudlet-agent check',
    'cloudlet-agent check --root ./image --entrypoint chroot',
    'ssh target cloudlet-agent facts --json > target.json && cloudlet-agent check --root ./image --facts target.json',
  ],
  flags: { root: { type: 'string' }, entrypoint: { type: 'string' }, facts: { type: 'string' }, json: { type: 'boolean' } },
  async run(args, system) {
    const root = rootOf(args);
    const wanted = entrypointFlag(args);
    const factsFile = stringFlag(args, 'facts');
    const [manifestResult, factsResult] = await Promise.allSettled([
      loadManifest({ root }),
      factsFile ? readFactsFile(system, factsFile) : collectFacts(system),
    ]);
    // When both inputs are bad, the manifest's error is the one reported, every time.
    if (manifestResult.status === 'rejected') throw manifestResult.reason;
    if (factsResult.status === 'rejected') throw factsResult.reason;
    const manifest = manifestResult.value;
    const facts = factsResult.value;
    const entrypoint = wanted ?? defaultEntrypoint(manifest);
    const rows = await checkRequirements(root, manifest, entrypoint, facts);
    const met = rows.every((r) => r.ok);
    if (boolFlag(args, 'json')) {
      printJson(system, {
        entrypoint,
        image: imageOf(manifest),
        factsFrom: factsFile ?? 'this machine',
        met,
        rows,
        facts,
      });
    } else {
      system.out(report(entrypoint, manifest, factsFile, facts, rows));
    }
    return met ? EXIT.ok : EXIT.unmet;
  },
};

async function readFactsFile(system: System, file: string): Promise<Facts> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new AgentError('E_FACTS_INVALID', `cannot read the facts file: ${(err as Error).message}`, {
      where: file,
      fix: 'make it with "cloudlet-agent facts --json > FILE" on the machine to check against',
      cause: err,
    });
  }
  const { facts, ignoredKeys } = parseFactsFile(text, file);
  if (ignoredKeys.length) system.err(`note: ${file}: ignoring facts this agent does not know: ${ignoredKeys.join(', ')}`);
  return facts;
}

function imageOf(manifest: NormalizedManifest): { name: string; version?: string } {
  return { name: manifest.name, ...(manifest.version !== undefined ? { version: manifest.version } : {}) };
}

function report(entrypoint: EntrypointName, manifest: NormalizedManifest, factsFile: string | undefined, facts: Facts, rows: RequirementRow[]): string {
  const image = manifest.version ? `${manifest.name} ${manifest.version}` : manifest.name;
  const against = factsFile ? `the facts in ${factsFile} (host ${facts.hostname || 'unnamed'})` : 'this machine';
  const head = `Requirements of entry point ${entrypoint} of image ${image}, against ${against}:`;
  if (rows.length === 0) return `${head}\n\n  none: entry point ${entrypoint} has no requirements`;
  const table = formatTable(['KEY', 'REQUIRED', 'DETECTED', 'OK'], rows.map((r) => [r.key, r.required, r.detected, r.ok ? 'yes' : 'NO']));
  const unmet = rows.filter((r) => !r.ok).length;
  const tail = unmet === 0 ? `All ${rows.length} requirements met.` : `${unmet} of ${rows.length} requirements not met.`;
  return [head, '', ...table.map((l) => `  ${l}`), '', tail].join('\n');
}

function formatTable(header: string[], rows: string[][]): string[] {
  const all = [header, ...rows];
  const widths = header.map((_, i) => Math.max(...all.map((r) => (r[i] ?? '').length)));
  return all.map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i] ?? 0))).join('  '));
}
