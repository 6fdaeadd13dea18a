// The bake targets as data: one row per target (its disk formats, file names, bundle and side files); adding a target is adding a row.

export const MiB = 1024 * 1024;
export const GiB = 1024 * MiB;

/** What `qemu-img -O` writes. */
export type QemuFormat = 'raw' | 'qcow2' | 'vmdk' | 'vpc' | 'vhdx';

/** A fix-up after conversion that replaces what qemu-img leaves random (ids, timestamps) with values derived from the input. */
export type Pin = 'vmdk-cid' | 'vhd-footer' | 'vhdx-ids';

/** Checks of a disk beyond `qemu-img info` (format and virtual size), which every disk gets. */
export type DiskCheck = 'vmdk-descriptor' | 'vhd-footer' | 'vhdx-headers' | 'qemu-check';

export interface DiskSpec {
  /** the choice's name in `<target>.disk=` */
  readonly id: string;
  readonly format: QemuFormat;
  readonly ext: string;
  /** `qemu-img convert -o` entries */
  readonly qemuOptions: readonly string[];
  readonly pin?: Pin;
  readonly checks: readonly DiskCheck[];
}

export const DISKS = {
  raw: { id: 'raw', format: 'raw', ext: 'raw', qemuOptions: [], checks: [] },
  // `qemu-img check` reads qcow2, vmdk and vhdx metadata through; vpc has no checker.
  qcow2: { id: 'qcow2', format: 'qcow2', ext: 'qcow2', qemuOptions: ['compat=1.1'], checks: ['qemu-check'] },
  // ESXi and AWS import read streamOptimized; compat6 (hardware version 6) is what both accept.
  vmdk: {
    id: 'vmdk',
    format: 'vmdk',
    ext: 'vmdk',
    qemuOptions: ['adapter_type=lsilogic', 'subformat=streamOptimized', 'compat6'],
    pin: 'vmdk-cid',
    checks: ['vmdk-descriptor', 'qemu-check'],
  },
  // Azure takes fixed VHDs only, sized exactly (force_size: no CHS rounding) to a whole MiB plus the footer.
  vhd: { id: 'vhd', format: 'vpc', ext: 'vhd', qemuOptions: ['subformat=fixed', 'force_size'], pin: 'vhd-footer', checks: ['vhd-footer'] },
  vhdx: { id: 'vhdx', format: 'vhdx', ext: 'vhdx', qemuOptions: ['subformat=dynamic'], pin: 'vhdx-ids', checks: ['vhdx-headers', 'qemu-check'] },
} as const satisfies Record<string, DiskSpec>;

/** The kinds of file a target publishes; checks are chosen by kind. */
export type OutputRole = 'disk' | 'ova' | 'gce' | 'xl-config' | 'ami-script' | 'ami-containers';

export type SidecarRole = 'xl-config' | 'ami-script' | 'ami-containers';

export interface Recipe {
  readonly name: string;
  /** where the output goes, for --help and docs */
  readonly summary: string;
  /** disk formats this target can ship; the first is the default, `<name>.disk=` picks another */
  readonly disks: readonly DiskSpec[];
  /** the disk's file name: `{name}` is the image's output name, `{ext}` the chosen disk's extension */
  readonly diskFile: string;
  /** the raw is padded with zeros to a multiple of this many bytes before conversion */
  readonly padTo?: number;
  /** the boolean option that compresses the disk (`qemu-img convert -c`) */
  readonly compressOption?: string;
  /** the disk is shipped inside an archive rather than on its own */
  readonly bundle?: { readonly kind: 'ova' | 'gce'; readonly file: string };
  /** text files shipped beside the disk */
  readonly sidecars: readonly { readonly role: SidecarRole; readonly file: string }[];
}

const ROWS = [
  { name: 'raw', summary: 'sparse raw disk: bare metal (dd), QEMU/KVM', disks: [DISKS.raw], diskFile: '{name}.raw', sidecars: [] },
  {
    name: 'qcow2',
    summary: 'QEMU/KVM, OpenStack, libvirt (qcow2.compress=true for compressed clusters)',
    disks: [DISKS.qcow2],
    diskFile: '{name}.qcow2',
    compressOption: 'qcow2.compress',
    sidecars: [],
  },
  { name: 'vmdk', summary: 'VMware ESXi and AWS import (streamOptimized)', disks: [DISKS.vmdk], diskFile: '{name}.vmdk', sidecars: [] },
  {
    name: 'ova',
    summary: 'VMware vSphere/Workstation, VirtualBox: OVF descriptor, manifest and streamOptimized vmdk in one tar',
    disks: [DISKS.vmdk],
    diskFile: '{name}-disk1.vmdk',
    bundle: { kind: 'ova', file: '{name}.ova' },
    sidecars: [],
  },
  { name: 'vhd', summary: 'Azure (fixed VHD, whole MiB), Hyper-V gen 1', disks: [DISKS.vhd], diskFile: '{name}.vhd', padTo: MiB, sidecars: [] },
  { name: 'vhdx', summary: 'Hyper-V', disks: [DISKS.vhdx], diskFile: '{name}.vhdx', sidecars: [] },
  {
    name: 'gce',
    summary: 'Google Compute Engine image import: disk.raw (whole GiB) in a sparse oldgnu tar.gz',
    disks: [DISKS.raw],
    diskFile: 'disk.raw',
    padTo: GiB,
    bundle: { kind: 'gce', file: '{name}-gce.tar.gz' },
    sidecars: [],
  },
  {
    name: 'ami',
    summary: 'Amazon EC2: an import-ready disk plus the aws ec2 import-snapshot / register-image calls (nothing is uploaded)',
    disks: [DISKS.vmdk, DISKS.raw],
    diskFile: '{name}-ami.{ext}',
    sidecars: [
      { role: 'ami-script', file: '{name}-ami-import.sh' },
      { role: 'ami-containers', file: '{name}-ami-containers.json' },
    ],
  },
  {
    name: 'xen',
    summary: 'Xen (xl): the disk plus a domain config, HVM by default or PVH with a kernel',
    disks: [DISKS.raw, DISKS.qcow2],
    diskFile: '{name}-xen.{ext}',
    sidecars: [{ role: 'xl-config', file: '{name}-xen.cfg' }],
  },
] as const satisfies readonly Recipe[];

export type TargetName = (typeof ROWS)[number]['name'];

/** Every target, in the order `--target all` makes them. */
export const RECIPES: readonly Recipe[] = ROWS;

/** The host tools a target runs, for the stage key's tool versions and the missing-tool report. */
export function recipeTools(recipe: Recipe): string[] {
  const tools = ['qemu-img'];
  if (recipe.bundle?.kind === 'gce') tools.push('gzip');
  if (recipe.bundle?.kind === 'ova') tools.push('xmllint');
  return tools;
}
