// Carries out a target's plan: converts the raw disk in a private work dir inside the out dir, checks every file, then renames them into place.

import { mkdir, mkdtemp, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { AgentError } from '../../errors';
import type { System } from '../../system/system';
import { fileProblems, outputError, type OutputFile } from './check-output';
import type { TargetContext } from './context';
import { sha256File } from './file-digest';
import { mustRun } from './host-tools';
import { applyPin } from './pin';
import { planTarget, validateTarget, type Step, type TargetPlan } from './plan';
import type { Recipe } from './recipes';
import { zeroExtents } from './sparse-map';
import { writeSparseOldgnu, writeUstar } from './tar-write';
import { renderText, type Measured } from './texts';

export interface ConvertResult {
  target: string;
  files: OutputFile[];
}

async function rawSizeOf(rawPath: string): Promise<number> {
  try {
    const st = await stat(rawPath);
    if (st.isFile()) return st.size;
  } catch (err) {
    throw new AgentError('E_IO', `cannot read the raw disk ${rawPath}: ${(err as Error).message}`, { where: rawPath, fix: 'build the raw disk first', cause: err });
  }
  throw new AgentError('E_IO', `the raw disk ${rawPath} is not a regular file`, { where: rawPath, fix: 'point at the raw disk file bake built' });
}

/** A failure of this program's own reads and writes (not a tool's, not a check's): space or permissions. */
function ioError(recipe: Recipe, outDir: string, err: unknown): AgentError {
  return new AgentError('E_IO', `target ${recipe.name}: ${(err as Error).message}`, {
    where: outDir,
    fix: 'check the free space and the permissions of the output directory',
    cause: err,
  });
}

/** What the OVF (the disk's size) and the manifest (the digests of the descriptor and the disk) need of files written before them. */
async function measure(plan: TargetPlan, role: string, workDir: string): Promise<Measured> {
  const disk = join(workDir, plan.diskName);
  if (role === 'ovf') return { diskBytes: (await stat(disk)).size };
  if (role !== 'mf') return {};
  const sha256: Record<string, string> = {};
  for (const name of plan.ovaMembers.filter((m) => !m.endsWith('.mf'))) sha256[name] = await sha256File(join(workDir, name));
  return { sha256 };
}

async function run(step: Step, plan: TargetPlan, workDir: string, system: System): Promise<void> {
  switch (step.op) {
    case 'run':
      await mustRun(system, step.tool, step.args);
      return;
    case 'pin':
      await applyPin(step.pin, step.file, plan.pins);
      return;
    case 'render':
      await writeFile(step.file, renderText(step.role, plan, await measure(plan, step.role, workDir)), { mode: step.role === 'ami-script' ? 0o755 : 0o644 });
      return;
    case 'tar':
      await writeUstar(step.file, step.members, plan.ctx.mtime);
      return;
    case 'sparse-tar': {
      const map = await mustRun(system, 'qemu-img', ['map', '--output=json', '-f', 'raw', step.member.from]);
      await writeSparseOldgnu(step.file, step.member, plan.ctx.mtime, zeroExtents(map.stdout));
      return;
    }
    case 'remove':
      await rm(step.file, { force: true });
      return;
    case 'check': {
      const problems = await fileProblems(plan, step.role, step.file, system);
      if (problems.length > 0) throw outputError(step.file, problems);
      return;
    }
    case 'publish':
      await rename(step.from, step.to);
  }
}

/**
 * Converts `rawPath` into `recipe`'s outputs in `outDir`. Everything is made under a hidden work dir
 * in `outDir` (the same filesystem, so the final renames are atomic) and checked there; a failure
 * removes the work dir, so no file reaches a final name unless it passed its checks.
 */
export async function convert(recipe: Recipe, rawInput: string, outInput: string, ctx: TargetContext, system: System): Promise<ConvertResult> {
  // qemu-img reads "nbd:...", "json:..." and other prefixes of a relative name as protocols; an absolute path is a file.
  const rawPath = resolve(rawInput);
  const outDir = resolve(outInput);
  const rawSize = await rawSizeOf(rawPath);
  validateTarget(recipe, rawSize, ctx);
  const workDir = await mkdir(outDir, { recursive: true })
    .then(() => mkdtemp(join(outDir, `.cloudlet-work-${recipe.name}-`)))
    .catch((err: unknown) => {
      throw ioError(recipe, outDir, err);
    });
  try {
    const plan = planTarget(recipe, { rawPath, rawSize, outDir, workDir, ctx });
    const files: OutputFile[] = [];
    for (const step of plan.steps) {
      if (step.op === 'publish') {
        const st = await stat(step.from);
        files.push({ path: step.to, role: step.role, bytes: st.size, sha256: await sha256File(step.from) });
      }
      await run(step, plan, workDir, system);
    }
    return { target: recipe.name, files };
  } catch (err) {
    throw err instanceof AgentError ? err : ioError(recipe, outDir, err);
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}
