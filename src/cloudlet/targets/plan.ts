// The pure plan of one target: which disk, which commands, fix-ups, files, checks and renames, from the recipe row and the options.

import { join } from 'node:path';
import { AgentError } from '../../errors';
import { validateContext, XL_SAFE_CMDLINE, type TargetContext } from './context';
import { pinValues, type PinValues } from './derived-ids';
import type { DiskSpec, OutputRole, Pin, Recipe, SidecarRole } from './recipes';

export type TextRole = 'ovf' | 'mf' | SidecarRole;

export type Step =
  | { op: 'run'; tool: 'qemu-img' | 'gzip'; args: string[] }
  | { op: 'pin'; pin: Pin; file: string }
  | { op: 'render'; role: TextRole; file: string }
  | { op: 'tar'; file: string; members: { name: string; from: string }[] }
  | { op: 'sparse-tar'; file: string; member: { name: string; from: string } }
  | { op: 'remove'; file: string }
  | { op: 'check'; role: OutputRole; file: string }
  | { op: 'publish'; role: OutputRole; from: string; to: string };

export interface TargetPlan {
  recipe: Recipe;
  ctx: TargetContext;
  disk: DiskSpec;
  /** the disk's file name as shipped (alone or inside the bundle) */
  diskName: string;
  rawSize: number;
  /** the disk's size after padding: what every disk check expects */
  virtualSize: number;
  pins: PinValues;
  /** member names of an OVA, in archive order */
  ovaMembers: string[];
  steps: Step[];
}

export interface PlanInput {
  rawPath: string;
  rawSize: number;
  outDir: string;
  /** a private directory inside outDir where everything is made before it is renamed into place */
  workDir: string;
  ctx: TargetContext;
}

const SECTOR = 512;

function fill(pattern: string, name: string, ext: string): string {
  return pattern.replace(/\{name\}/g, name).replace(/\{ext\}/g, ext);
}

function usage(message: string, fix: string): AgentError {
  return new AgentError('E_BAKE_TARGET', message, { fix });
}

/** The disk a row ships: its only one, or the one `<target>.disk` names. */
export function chooseDisk(recipe: Recipe, ctx: TargetContext): DiskSpec {
  const [first, ...others] = recipe.disks;
  if (!first) throw new Error(`recipe ${recipe.name} has no disk`);
  if (others.length === 0) return first;
  const wanted = (ctx.options as Record<string, unknown>)[`${recipe.name}.disk`];
  const disk = recipe.disks.find((d) => d.id === wanted);
  if (!disk) throw usage(`${recipe.name}.disk=${String(wanted)} is not a disk format of ${recipe.name}`, `use one of: ${recipe.disks.map((d) => d.id).join(', ')}`);
  return disk;
}

/** Everything that makes a request impossible, before anything is written. */
export function validateTarget(recipe: Recipe, rawSize: number, ctx: TargetContext): void {
  validateContext(ctx);
  if (!Number.isSafeInteger(rawSize) || rawSize <= 0 || rawSize % SECTOR !== 0) {
    throw usage(`the raw disk is ${rawSize} bytes, not a whole number of 512-byte sectors`, 'convert a disk made by bake, whose size is a whole number of MiB');
  }
  chooseDisk(recipe, ctx);
  const o = ctx.options;
  if (recipe.name === 'xen' && o['xen.type'] === 'pvh') {
    if (o['xen.kernel'] === null) throw usage('xen.type=pvh needs xen.kernel: a PVH domain boots a kernel given by the Xen host', 'add --option xen.kernel=/path/on/the/xen/host/vmlinuz, or use xen.type=hvm');
    if (o['xen.cmdline'] === null && (ctx.cmdline === undefined || !XL_SAFE_CMDLINE.test(ctx.cmdline))) {
      throw usage(
        ctx.cmdline === undefined ? 'xen.type=pvh needs a kernel command line' : 'the boot loader\'s kernel command line has quotes or backslashes, which an xl config cannot hold',
        'add --option xen.cmdline="root=PARTUUID=... ro"',
      );
    }
  }
  if (recipe.name === 'ami' && ctx.arch === 'aarch64' && o['ami.boot-mode'] === 'legacy-bios') {
    throw usage('arm64 AMIs boot with UEFI only', 'use ami.boot-mode=uefi');
  }
}

export function paddedSize(recipe: Recipe, rawSize: number): number {
  return recipe.padTo ? Math.ceil(rawSize / recipe.padTo) * recipe.padTo : rawSize;
}

function convertArgs(disk: DiskSpec, compress: boolean, from: string, to: string): string[] {
  return ['convert', '-f', 'raw', '-O', disk.format, ...(disk.qemuOptions.length ? ['-o', disk.qemuOptions.join(',')] : []), ...(compress ? ['-c'] : []), from, to];
}

export function planTarget(recipe: Recipe, input: PlanInput): TargetPlan {
  const { ctx, rawSize, rawPath, workDir, outDir } = input;
  validateTarget(recipe, rawSize, ctx);
  const disk = chooseDisk(recipe, ctx);
  const name = ctx.name;
  const diskName = fill(recipe.diskFile, name, disk.ext);
  const diskWork = join(workDir, diskName);
  const virtualSize = paddedSize(recipe, rawSize);
  const compress = recipe.compressOption !== undefined && (ctx.options as Record<string, unknown>)[recipe.compressOption] === true;
  const steps: Step[] = [];
  const publish: Step[] = [];

  let source = rawPath;
  if (virtualSize !== rawSize) {
    // A raw output is its own padded copy; any other format is converted from one.
    const padded = disk.format === 'raw' ? diskWork : join(workDir, `${name}.padded.raw`);
    steps.push({ op: 'run', tool: 'qemu-img', args: ['convert', '-f', 'raw', '-O', 'raw', rawPath, padded] });
    steps.push({ op: 'run', tool: 'qemu-img', args: ['resize', '-f', 'raw', padded, String(virtualSize)] });
    source = padded;
  }
  if (source !== diskWork) steps.push({ op: 'run', tool: 'qemu-img', args: convertArgs(disk, compress, source, diskWork) });
  if (source !== rawPath && source !== diskWork) steps.push({ op: 'remove', file: source });
  if (disk.pin) steps.push({ op: 'pin', pin: disk.pin, file: diskWork });
  steps.push({ op: 'check', role: 'disk', file: diskWork });

  const ovaMembers: string[] = [];
  const bundle = recipe.bundle;
  if (bundle?.kind === 'ova') {
    const ovf = `${name}.ovf`;
    const mf = `${name}.mf`;
    const withManifest = ctx.options['ova.manifest'];
    ovaMembers.push(ovf, ...(withManifest ? [mf] : []), diskName);
    steps.push({ op: 'render', role: 'ovf', file: join(workDir, ovf) });
    if (withManifest) steps.push({ op: 'render', role: 'mf', file: join(workDir, mf) });
    const ova = fill(bundle.file, name, disk.ext);
    steps.push({ op: 'tar', file: join(workDir, ova), members: ovaMembers.map((m) => ({ name: m, from: join(workDir, m) })) });
    for (const m of ovaMembers) steps.push({ op: 'remove', file: join(workDir, m) });
    steps.push({ op: 'check', role: 'ova', file: join(workDir, ova) });
    publish.push({ op: 'publish', role: 'ova', from: join(workDir, ova), to: join(outDir, ova) });
  } else if (bundle?.kind === 'gce') {
    const gz = fill(bundle.file, name, disk.ext);
    const tar = join(workDir, gz.replace(/\.gz$/, ''));
    steps.push({ op: 'sparse-tar', file: tar, member: { name: diskName, from: diskWork } });
    steps.push({ op: 'remove', file: diskWork });
    // -n: no name and no timestamp in the gzip header; the level is explicit so a GZIP variable cannot change the bytes.
    steps.push({ op: 'run', tool: 'gzip', args: ['-n', '-6', '-f', tar] });
    steps.push({ op: 'check', role: 'gce', file: join(workDir, gz) });
    publish.push({ op: 'publish', role: 'gce', from: join(workDir, gz), to: join(outDir, gz) });
  } else {
    publish.push({ op: 'publish', role: 'disk', from: diskWork, to: join(outDir, diskName) });
  }

  for (const sidecar of recipe.sidecars) {
    const file = fill(sidecar.file, name, disk.ext);
    steps.push({ op: 'render', role: sidecar.role, file: join(workDir, file) });
    steps.push({ op: 'check', role: sidecar.role, file: join(workDir, file) });
    // Side files first, the disk last: a disk under its final name means its target is complete.
    publish.unshift({ op: 'publish', role: sidecar.role, from: join(workDir, file), to: join(outDir, file) });
  }

  return { recipe, ctx, disk, diskName, rawSize, virtualSize, pins: pinValues(ctx, rawSize), ovaMembers, steps: [...steps, ...publish] };
}

/** The final paths a plan publishes, with their roles, in publishing order. */
export function plannedOutputs(plan: TargetPlan): { role: OutputRole; path: string }[] {
  return plan.steps.flatMap((s) => (s.op === 'publish' ? [{ role: s.role, path: s.to }] : []));
}

/** The file name of a side file of the plan's target. */
export function sidecarName(plan: TargetPlan, role: SidecarRole): string {
  const sidecar = plan.recipe.sidecars.find((s) => s.role === role);
  if (!sidecar) throw new Error(`target ${plan.recipe.name} has no ${role}`);
  return fill(sidecar.file, plan.ctx.name, plan.disk.ext);
}
