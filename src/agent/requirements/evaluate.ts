// Checks an entry point's requirements against a machine's facts and the image probes: one row per check.

import { AgentError, type Problem } from '../../errors';
import type { Requirements } from '../../manifest/types';
import type { Facts } from './facts-types';
import { kernelVersion } from './kernel-version';
import { formatBytes, memoryAllowance, parseMemorySize } from './memory-size';
import { canonicalArch, canonicalHypervisor } from '../../manifest/requirement-names';
import type { ImageProbes } from './probe-image';

export type RequirementKey = keyof Requirements;

export interface RequirementRow {
  key: RequirementKey;
  /** what the manifest asks, as text */
  required: string;
  /** what this machine or image has, as text */
  detected: string;
  ok: boolean;
}

// Pre-releases take part in ranges: without this a 6.8.0-rc3 kernel would fail even ">=6.7".
const RANGE_OPTIONS = { includePrerelease: true } as const;

// semver loads when a kernel range is there to check: initialising it costs milliseconds on every
// start (tens under emulation). Only the functions needed, not the whole package.
const semver = {
  validRange: (range: string) => (require('semver/ranges/valid') as typeof import('semver/ranges/valid'))(range, RANGE_OPTIONS),
  satisfies: (version: string, range: string) => (require('semver/functions/satisfies') as typeof import('semver/functions/satisfies'))(version, range, RANGE_OPTIONS),
};

/**
 * Problems with the requirement values themselves (not with the machine): a kernel range semver
 * cannot read, a memory size that is not a size. Paths are relative to the `requires` object.
 */
export function requirementProblems(requires: Requirements): Problem[] {
  const problems: Problem[] = [];
  if (requires.kernel !== undefined && semver.validRange(requires.kernel) === null) {
    problems.push({ path: '/kernel', message: `"${requires.kernel}" is not a semver range (e.g. ">=5.10", "^6.1", ">=4.19 <7")` });
  }
  if (requires.memory !== undefined && parseMemorySize(requires.memory) === undefined) {
    problems.push({ path: '/memory', message: `"${requires.memory}" is not a memory size (e.g. "512M", "1.5G", "1024K")` });
  }
  return problems;
}

/**
 * One row per requirement (one per command and per file), in a fixed order. Throws E_MANIFEST_INVALID
 * when a requirement value cannot be read; `pointer` locates `requires` in the manifest for that error.
 */
export function evaluateRequirements(requires: Requirements, facts: Facts, probes: ImageProbes, pointer = '/requires'): RequirementRow[] {
  const problems = requirementProblems(requires);
  if (problems.length) {
    throw new AgentError('E_MANIFEST_INVALID', 'the manifest has requirements that cannot be checked', {
      where: pointer,
      problems: problems.map((p) => ({ ...p, path: pointer + p.path })),
      fix: 'correct the values in /.cloudlet/manifest (see docs/requirements.md)',
    });
  }
  const rows: RequirementRow[] = [];
  if (requires.arch !== undefined) {
    const wanted = list(requires.arch);
    rows.push({ key: 'arch', required: wanted.join(' or '), detected: facts.arch, ok: wanted.some((a) => canonicalArch(a) === canonicalArch(facts.arch)) });
  }
  if (requires.os !== undefined) {
    rows.push({ key: 'os', required: requires.os, detected: facts.os, ok: requires.os.trim().toLowerCase() === facts.os.trim().toLowerCase() });
  }
  if (requires.kernel !== undefined) rows.push(kernelRow(requires.kernel, facts.kernelRelease));
  if (requires.memory !== undefined) rows.push(memoryRow(requires.memory, facts.memoryBytes));
  if (requires.cpus !== undefined) {
    rows.push({ key: 'cpus', required: `at least ${requires.cpus}`, detected: String(facts.cpus), ok: facts.cpus >= requires.cpus });
  }
  if (requires.cpuFlags !== undefined) rows.push(cpuFlagsRow(requires.cpuFlags, facts.cpuFlags));
  if (requires.hypervisor !== undefined) {
    const wanted = list(requires.hypervisor);
    const detected = canonicalHypervisor(facts.hypervisor);
    rows.push({ key: 'hypervisor', required: wanted.join(' or '), detected: facts.hypervisor, ok: wanted.some((h) => canonicalHypervisor(h) === detected) });
  }
  for (const name of requires.commands ?? []) {
    const probe = probes.commands[name] ?? { missing: true };
    const detected = 'found' in probe ? probe.found : 'refused' in probe ? `refused: ${probe.refused}` : 'not found on the image PATH';
    rows.push({ key: 'commands', required: name, detected, ok: 'found' in probe });
  }
  for (const path of requires.files ?? []) {
    const probe = probes.files[path] ?? { missing: true };
    const detected = 'present' in probe ? 'present' : 'refused' in probe ? `refused: ${probe.refused}` : 'missing';
    rows.push({ key: 'files', required: path, detected, ok: 'present' in probe });
  }
  return rows;
}

function kernelRow(range: string, release: string): RequirementRow {
  const version = kernelVersion(release);
  if (!version) return { key: 'kernel', required: range, detected: `${release} (no MAJOR.MINOR version in it)`, ok: false };
  return { key: 'kernel', required: range, detected: `${release} (${version.version})`, ok: semver.satisfies(version.version, range) };
}

function memoryRow(size: string, memTotal: number): RequirementRow {
  const bytes = parseMemorySize(size) as number;
  const threshold = Math.max(0, bytes - memoryAllowance(bytes));
  return {
    key: 'memory',
    required: `${size} (MemTotal at least ${formatBytes(threshold)})`,
    detected: `${formatBytes(memTotal)} MemTotal`,
    ok: memTotal >= threshold,
  };
}

function cpuFlagsRow(wanted: string[], present: string[]): RequirementRow {
  const have = new Set(present.map((f) => f.toLowerCase()));
  const missing = wanted.filter((f) => !have.has(f.toLowerCase()));
  return {
    key: 'cpuFlags',
    required: wanted.join(' '),
    detected: missing.length ? `lacks ${missing.join(' ')}` : 'all present',
    ok: missing.length === 0,
  };
}

function list(value: string | string[]): string[] {
  return typeof value === 'string' ? [value] : value;
}
