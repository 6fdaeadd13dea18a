// The host commands that carry a disk plan out, as argument lists (pure): buildDisk runs them, --dry-run prints them.

import { AgentError } from '../../errors';
import { EXT4_FEATURES } from './ext4-layout';
import type { DiskPlan, EspFile, PartitionPlan } from './types';

/** Where the commands read and write; a dry run passes placeholders. */
export interface DiskPaths {
  /** the staged root tree */
  root: string;
  /** the disk being written */
  disk: string;
  /** a private scratch directory (config files, the ESP's text files) */
  work: string;
  /** the kernel and initrd copied onto the ESP */
  kernel: string;
  initrd?: string;
}

export interface ToolCall {
  tool: string;
  args: string[];
  /** environment beyond LC_ALL=C and TZ=UTC, which every call gets */
  env?: Record<string, string>;
  /** text on stdin */
  input?: string;
}

export function partitionOf(plan: DiskPlan, role: PartitionPlan['role']): PartitionPlan {
  const found = plan.partitions.find((p) => p.role === role);
  if (!found) throw new AgentError('E_INTERNAL', `disk plan has no ${role} partition`);
  return found;
}

/** mke2fs reads this instead of /etc/mke2fs.conf, so the host's defaults never change the image. */
export function mke2fsConfig(): string {
  return ['[defaults]', '\tblocksize = 4096', '\tinode_size = 256', '', '[fs_types]', '\text4 = {', `\t\tfeatures = ${EXT4_FEATURES.join(',')}`, '\t}', ''].join('\n');
}

export const MKE2FS_CONFIG_FILE = 'mke2fs.conf';

/**
 * The root filesystem, written straight into the disk at its partition's offset: no image of it is
 * copied afterwards. mke2fs sorts each directory by name (C locale), so the staging directory's readdir
 * order never reaches the image; E2FSPROGS_FAKE_TIME stands in for the clock.
 */
export function mkfsExt4(plan: DiskPlan, paths: DiskPaths): ToolCall {
  const root = partitionOf(plan, 'root');
  const fs = plan.root;
  return {
    tool: 'mkfs.ext4',
    args: [
      '-q', '-F', '-t', 'ext4',
      '-b', String(fs.blockSize), '-I', '256', '-N', String(fs.inodes), '-m', String(fs.reservedPercent),
      '-J', `size=${(fs.journalBlocks * fs.blockSize) / (1024 * 1024)}`,
      '-L', fs.label, '-U', fs.uuid,
      '-E', `hash_seed=${fs.hashSeed},offset=${root.offsetBytes}`,
      '-d', paths.root, paths.disk, String(fs.blocks),
    ],
    env: { MKE2FS_CONFIG: `${paths.work}/${MKE2FS_CONFIG_FILE}`, E2FSPROGS_FAKE_TIME: String(plan.epoch) },
  };
}

/** The root filesystem as the e2fsprogs tools open it inside the disk. */
export function ext4Device(plan: DiskPlan, paths: DiskPaths): string {
  return `${paths.disk}?offset=${partitionOf(plan, 'root').offsetBytes}`;
}

export function dumpe2fs(plan: DiskPlan, paths: DiskPaths): ToolCall {
  return { tool: 'dumpe2fs', args: [ext4Device(plan, paths)] };
}

export const EXT4_TIMES_FILE = 'ext4-times.debugfs';

export function debugfsTimes(plan: DiskPlan, paths: DiskPaths): ToolCall {
  return { tool: 'debugfs', args: ['-w', '-f', `${paths.work}/${EXT4_TIMES_FILE}`, ext4Device(plan, paths)], env: { E2FSPROGS_FAKE_TIME: String(plan.epoch) } };
}

/** The GPT as an sfdisk script: every id, offset and attribute fixed by the plan. */
export function sfdiskScript(plan: DiskPlan): string {
  const lines = ['label: gpt', `label-id: ${plan.diskGuid}`, 'unit: sectors', `sector-size: ${plan.sectorSize}`, 'first-lba: 2048', ''];
  for (const p of plan.partitions) {
    const attrs = p.attributes.length ? `, attrs="${p.attributes.join(' ')}"` : '';
    lines.push(`start=${p.startSector}, size=${p.sectors}, type=${p.typeGuid}, uuid=${p.uuid}, name="${p.name}"${attrs}`);
  }
  return lines.join('\n') + '\n';
}

export function sfdisk(plan: DiskPlan, paths: DiskPaths): ToolCall {
  return { tool: 'sfdisk', args: ['--quiet', '--no-reread', '--no-tell-kernel', '--wipe', 'never', paths.disk], input: sfdiskScript(plan) };
}

/** The ESP in place; --invariant pins the label entry's time, -h tells the boot sector where its partition starts. */
export function mkfsVfat(plan: DiskPlan, paths: DiskPaths): ToolCall {
  const esp = partitionOf(plan, 'esp');
  return {
    tool: 'mkfs.vfat',
    args: [
      '-F', String(plan.esp.fatBits), '-S', String(plan.sectorSize), '-s', String(plan.esp.sectorsPerCluster),
      '--offset', String(esp.startSector), '-h', String(esp.startSector),
      '--invariant', '-i', plan.esp.volumeId, '-n', plan.esp.label,
      paths.disk, String(esp.sizeBytes / 1024),
    ],
  };
}

/** mtools take the time of every entry they write from SOURCE_DATE_EPOCH, in TZ (UTC). */
function mtoolsEnv(plan: DiskPlan): Record<string, string> {
  // MTOOLSRC: no user's ~/.mtoolsrc changes how names are written.
  return { MTOOLS_SKIP_CHECK: '1', MTOOLSRC: '/dev/null', SOURCE_DATE_EPOCH: String(plan.esp.timestamp) };
}

export function espImage(plan: DiskPlan, paths: DiskPaths): string {
  return `${paths.disk}@@${partitionOf(plan, 'esp').offsetBytes}`;
}

export function mmd(plan: DiskPlan, paths: DiskPaths): ToolCall {
  return { tool: 'mmd', args: ['-i', espImage(plan, paths), ...plan.esp.directories.map((d) => `::${d}`)], env: mtoolsEnv(plan) };
}

/** Where an ESP file's bytes are read from: text files are written under the work directory first. */
export function espSource(file: EspFile, paths: DiskPaths): string {
  switch (file.source.kind) {
    case 'kernel':
      return paths.kernel;
    case 'initrd':
      if (paths.initrd === undefined) throw new AgentError('E_INTERNAL', 'disk plan copies an initrd, but none was given');
      return paths.initrd;
    case 'host':
      return file.source.path;
    case 'text':
      return `${paths.work}/esp${file.path}`;
  }
}

export function mcopy(plan: DiskPlan, paths: DiskPaths, file: EspFile): ToolCall {
  return { tool: 'mcopy', args: ['-i', espImage(plan, paths), espSource(file, paths), `::${file.path}`], env: mtoolsEnv(plan) };
}

/** syslinux writes the ESP's boot sector and ldlinux.sys/ldlinux.c32 through mtools, in the disk file. */
export function syslinuxInstall(plan: DiskPlan, paths: DiskPaths): ToolCall {
  const esp = partitionOf(plan, 'esp');
  return {
    tool: 'syslinux',
    args: ['--install', '--offset', String(esp.offsetBytes), '--directory', plan.esp.syslinuxDirectory, paths.disk],
    env: { SOURCE_DATE_EPOCH: String(plan.esp.timestamp) },
  };
}
