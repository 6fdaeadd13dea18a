// The checks every output passes before it gets its final name, and `checkOutput` for outputs already published (a cache hit, a rerun).

import { readFile, rm, stat } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import { AgentError } from '../../errors';
import type { System } from '../../system/system';
import { gceProblems, ovaProblems } from './check-bundle';
import { diskAt, diskProblems } from './check-disk';
import type { TargetContext } from './context';
import { plannedOutputs, planTarget, type TargetPlan } from './plan';
import type { OutputRole, Recipe } from './recipes';
import { renderText } from './texts';

export interface OutputFile {
  path: string;
  role: OutputRole;
  bytes: number;
  sha256: string;
}

/** Side files are a few KiB; anything larger is not one of ours. */
const MAX_TEXT = 256 * 1024;

async function textProblems(plan: TargetPlan, role: Exclude<OutputRole, 'disk' | 'ova' | 'gce'>, path: string): Promise<string[]> {
  if ((await stat(path)).size > MAX_TEXT) return ['too large for a side file'];
  const text = await readFile(path, 'utf8');
  if (role === 'ami-containers') {
    try {
      JSON.parse(text);
    } catch {
      return ['not valid JSON'];
    }
  }
  return text === renderText(role, plan, {}) ? [] : ['differs from what bake writes for this target (edited or damaged)'];
}

/** What is wrong with one file of a target, by its role; nothing when it passes. */
export async function fileProblems(plan: TargetPlan, role: OutputRole, path: string, system: System): Promise<string[]> {
  try {
    switch (role) {
      case 'disk':
        return await diskProblems(plan, await diskAt(path), system);
      case 'ova':
        return await ovaProblems(plan, path, system);
      case 'gce':
        return await gceProblems(plan, path);
      default:
        return await textProblems(plan, role, path);
    }
  } catch (err) {
    if (err instanceof AgentError && err.code === 'E_BAKE_TOOL') throw err;
    return [`cannot be read: ${(err as Error).message}`];
  }
}

export function outputError(path: string, problems: readonly string[]): AgentError {
  return new AgentError('E_BAKE_OUTPUT', `${basename(path)} failed its checks: ${problems[0] ?? 'unknown problem'}`, {
    where: path,
    problems: problems.map((message) => ({ path: basename(path), message })),
    fix: 'the file was removed; bake again (a repeat failure means a broken qemu-img or a full disk: check `qemu-img --version` and free space)',
  });
}

/**
 * Checks a target's published files as a conversion does before publishing: the set of files, their
 * sizes, and each file by its role. On any failure every file of the target is removed and the error
 * names the bad one; nothing bad is left under a final name.
 */
export async function checkOutput(
  recipe: Recipe,
  files: readonly OutputFile[],
  facts: { rawSize: number; ctx: TargetContext },
  system: System,
): Promise<void> {
  // Absolute paths, as conversion uses: qemu-img would read a relative "nbd:..." as a protocol.
  const outputs = files.map((f) => ({ ...f, path: resolve(f.path) }));
  const outDir = dirname(outputs[0]?.path ?? '.');
  const plan = planTarget(recipe, { rawPath: '', rawSize: facts.rawSize, outDir, workDir: outDir, ctx: facts.ctx });
  const expected = plannedOutputs(plan);
  const fail = async (path: string, problems: string[]): Promise<never> => {
    await Promise.all(outputs.map((f) => rm(f.path, { force: true })));
    throw outputError(path, problems);
  };
  for (const e of expected) {
    if (!outputs.some((f) => f.path === e.path && f.role === e.role)) await fail(e.path, [`the ${e.role} file of target ${recipe.name} is not listed`]);
  }
  for (const f of outputs) {
    if (!expected.some((e) => e.path === f.path)) await fail(f.path, [`not a file target ${recipe.name} makes`]);
    const size = await stat(f.path).then((s) => s.size, () => -1);
    if (size !== f.bytes) await fail(f.path, [size < 0 ? 'missing' : `is ${size} bytes, recorded as ${f.bytes}`]);
    const problems = await fileProblems(plan, f.role, f.path, system);
    if (problems.length > 0) await fail(f.path, problems);
  }
}
