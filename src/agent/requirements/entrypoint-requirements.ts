// The requirements of one entry point of a manifest: which entry point, checking it, and the error when unmet.

import { AgentError, type Problem } from '../../errors';
import type { EntrypointName, NormalizedManifest, Requirements } from '../../manifest/types';
import { evaluateRequirements, type RequirementRow } from './evaluate';
import type { Facts } from './facts-types';
import { probeImage } from './probe-image';

const ORDER: readonly EntrypointName[] = ['init', 'chroot', 'kernel'];

/** The entry point `check` looks at when none is named: init if the image has one, else chroot, else kernel. */
export function defaultEntrypoint(manifest: NormalizedManifest): EntrypointName {
  const name = ORDER.find((n) => manifest.entrypoints[n] !== undefined);
  if (!name) throw missing(manifest, 'init');
  return name;
}

/** The `requires` of entry point `name` ({} when it has none); E_ENTRYPOINT_MISSING when the manifest does not offer it. */
export function requirementsOf(manifest: NormalizedManifest, name: EntrypointName): Requirements {
  const entry = manifest.entrypoints[name];
  if (!entry) throw missing(manifest, name);
  return entry.requires ?? {};
}

/** Probes the image under `root` and evaluates entry point `name` against `facts`: one row per check. */
export async function checkRequirements(root: string, manifest: NormalizedManifest, name: EntrypointName, facts: Facts): Promise<RequirementRow[]> {
  const requires = requirementsOf(manifest, name);
  const probes = await probeImage(root, requires);
  return evaluateRequirements(requires, facts, probes, `/entrypoints/${name}/requires`);
}

/** E_REQUIREMENTS_UNMET with one problem per unmet row, located in the manifest, saying what is required and what was found. */
export function unmetError(name: EntrypointName, requires: Requirements, rows: readonly RequirementRow[]): AgentError {
  const unmet = rows.filter((r) => !r.ok);
  const problems: Problem[] = unmet.map((row) => {
    const base = `/entrypoints/${name}/requires/${row.key}`;
    const items = row.key === 'commands' ? requires.commands : row.key === 'files' ? requires.files : undefined;
    const path = items ? `${base}/${items.indexOf(row.required)}` : base;
    return { path, message: `requires ${row.required}, detected ${row.detected}` };
  });
  return new AgentError('E_REQUIREMENTS_UNMET', `${unmet.length} of ${rows.length} requirements of entry point "${name}" are not met`, {
    where: `/entrypoints/${name}/requires`,
    problems,
    fix: 'boot the image on a machine that meets them or change "requires" in the manifest; "cloudlet-agent check" shows every check',
  });
}

function missing(manifest: NormalizedManifest, name: EntrypointName): AgentError {
  const offered = ORDER.filter((n) => manifest.entrypoints[n] !== undefined);
  return new AgentError('E_ENTRYPOINT_MISSING', `the image offers no "${name}" entry point`, {
    where: '/entrypoints',
    fix: offered.length ? `use one the manifest offers (${offered.join(', ')}) or add "${name}" to its entrypoints` : 'add an entry point to the manifest',
  });
}
