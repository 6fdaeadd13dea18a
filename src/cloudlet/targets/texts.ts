// The text files a plan writes (OVF, manifest, xl config, AMI calls and disk container), from the plan and what conversion measured.

import { describeImage } from './context';
import { renderContainers, renderImportScript, type AmiInput } from './ami-import';
import { renderManifest, renderOvf } from './ovf';
import { sidecarName, type TargetPlan, type TextRole } from './plan';
import { pvhCmdline, renderXlConfig } from './xl-config';

/** What only exists after the disk is written. */
export interface Measured {
  /** size of the disk file as shipped */
  diskBytes?: number;
  /** sha256 of files by their name in the bundle */
  sha256?: Readonly<Record<string, string>>;
}

function need<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`${what} must be measured before it is written`);
  return value;
}

export function amiInput(plan: TargetPlan): AmiInput {
  const o = plan.ctx.options;
  return {
    name: plan.ctx.name,
    description: describeImage(plan.ctx),
    diskFile: plan.diskName,
    diskFormat: plan.disk.id === 'raw' ? 'raw' : 'vmdk',
    containersFile: sidecarName(plan, 'ami-containers'),
    bucket: o['ami.bucket'],
    keyPrefix: o['ami.key-prefix'],
    arch: plan.ctx.arch,
    bootMode: o['ami.boot-mode'],
    rootDevice: o['ami.root-device'],
    ena: o['ami.ena'],
  };
}

export function renderText(role: TextRole, plan: TargetPlan, measured: Measured): string {
  const o = plan.ctx.options;
  switch (role) {
    case 'ovf':
      return renderOvf({
        name: plan.ctx.name,
        description: describeImage(plan.ctx),
        diskFile: plan.diskName,
        diskBytes: need(measured.diskBytes, 'the disk size'),
        capacity: plan.virtualSize,
        version: o['ova.ovf-version'],
        controller: o['ova.controller'],
        firmware: o['ova.firmware'],
        memoryMiB: o['vm.memory'],
        cpus: o['vm.cpus'],
      });
    case 'mf': {
      const sums = need(measured.sha256, 'the digests');
      const covered = plan.ovaMembers.filter((m) => !m.endsWith('.mf'));
      return renderManifest(covered.map((name) => ({ name, sha256: need(sums[name], `the digest of ${name}`) })));
    }
    case 'xl-config':
      return renderXlConfig({
        name: plan.ctx.name,
        description: describeImage(plan.ctx),
        configFile: sidecarName(plan, 'xl-config'),
        diskFile: plan.diskName,
        diskDir: o['xen.disk-dir'],
        diskFormat: plan.disk.id === 'qcow2' ? 'qcow2' : 'raw',
        type: o['xen.type'],
        firmware: o['xen.firmware'],
        memoryMiB: o['vm.memory'],
        cpus: o['vm.cpus'],
        bridge: o['xen.bridge'],
        kernel: o['xen.kernel'],
        ramdisk: o['xen.ramdisk'],
        cmdline: pvhCmdline(o['xen.cmdline'], plan.ctx.cmdline),
      });
    case 'ami-script':
      return renderImportScript(amiInput(plan));
    case 'ami-containers':
      return renderContainers(amiInput(plan));
  }
}
