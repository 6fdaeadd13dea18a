// What a target will do, as lines for --dry-run: the commands it runs, the files it writes, the checks and the renames.

import { basename, join } from 'node:path';
import type { TargetContext } from './context';
import { plannedOutputs, planTarget, type Step, type TargetPlan } from './plan';
import type { OutputRole, Recipe } from './recipes';

export interface TargetDescription {
  target: string;
  outputs: { role: OutputRole; path: string }[];
  steps: string[];
}

function quote(arg: string): string {
  return /^[A-Za-z0-9_./:=,@%+-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

function uuid(bytes: Buffer): string {
  const h = bytes.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

function rendered(role: string, plan: TargetPlan): string {
  const o = plan.ctx.options;
  switch (role) {
    case 'ovf':
      return `OVF ${o['ova.ovf-version']} descriptor: ${o['ova.controller']} disk controller, ${o['vm.cpus']} CPU, ${o['vm.memory']} MiB, ${o['ova.firmware']} firmware`;
    case 'mf':
      return 'manifest: SHA256 of the descriptor and the disk';
    case 'xl-config':
      return `xl domain config, type ${o['xen.type']}`;
    case 'ami-script':
      return `aws ec2 import-snapshot and register-image calls: boot mode ${o['ami.boot-mode']}, root device ${o['ami.root-device']}, ENA ${o['ami.ena'] ? 'on' : 'off'}`;
    default:
      return 'import-snapshot --disk-container';
  }
}

function checked(role: OutputRole, plan: TargetPlan): string {
  switch (role) {
    case 'disk':
      return [`qemu-img info -f ${plan.disk.format} (format, virtual size ${plan.virtualSize})`, ...plan.disk.checks].join(', ');
    case 'ova':
      return `members ${plan.ovaMembers.join(', ')} in that order, xmllint, the descriptor names ${plan.diskName} and its size, manifest digests, the disk inside`;
    case 'gce':
      return `gzip header without name or time, ${plan.diskName} alone, ${plan.virtualSize} bytes (whole GiB)`;
    default:
      return 'the expected text';
  }
}

function line(step: Step, plan: TargetPlan): string {
  switch (step.op) {
    case 'run':
      return [step.tool, ...step.args].map(quote).join(' ');
    case 'pin':
      if (step.pin === 'vmdk-cid') return `set CID=${plan.pins.vmdkCid} in the descriptor of ${basename(step.file)}`;
      if (step.pin === 'vhd-footer') return `set the footer timestamp ${plan.pins.vhdTimestamp} and unique id ${uuid(plan.pins.vhdUniqueId)} of ${basename(step.file)}`;
      return `set the write GUIDs, sequence numbers and virtual disk id of ${basename(step.file)}, empty its log`;
    case 'render':
      return `write ${basename(step.file)} (${rendered(step.role, plan)})`;
    case 'tar':
      return `tar (ustar) ${basename(step.file)}: ${step.members.map((m) => m.name).join(' ')}`;
    case 'sparse-tar':
      return `tar (oldgnu, sparse: data blocks only, holes found with qemu-img map) ${basename(step.file)}: ${step.member.name}`;
    case 'remove':
      return `remove ${basename(step.file)}`;
    case 'check':
      return `check ${basename(step.file)}: ${checked(step.role, plan)}`;
    case 'publish':
      return `rename to ${step.to}`;
  }
}

/** The dry run of one target; `rawSize` is the size the disk plan gives the raw disk. */
export function describe(recipe: Recipe, input: { rawPath: string; rawSize: number; outDir: string; ctx: TargetContext }): TargetDescription {
  const workDir = join(input.outDir, `.cloudlet-work-${recipe.name}-XXXXXX`);
  const plan = planTarget(recipe, { ...input, workDir });
  return { target: recipe.name, outputs: plannedOutputs(plan), steps: plan.steps.map((s) => line(s, plan)) };
}
