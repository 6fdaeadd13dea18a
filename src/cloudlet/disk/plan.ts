// Plans the raw master disk (pure): GPT with an ESP and an ext4 root at 1 MiB aligned offsets, their sizes and ids.

import { AgentError } from '../../errors';
import { bootTitle, ESP_ENTRY, ESP_INITRD, ESP_KERNEL, ESP_SYSLINUX_DIR, kernelCmdline, loaderConfig, loaderEntry, syslinuxConfig } from './boot-config';
import { BLOCK_SIZE, EXT4_FEATURES, ext4Geometry, inodeCount, minimumBlocks, RESERVED_INODES, RESERVED_PERCENT } from './ext4-layout';
import { derivedUuid, derivedVolumeId } from './ids';
import type { DiskInput, DiskPlan, DiskSizing, EspFile, PartitionPlan } from './types';

export const MIB = 1024 * 1024;
const SECTOR = 512;
const BLOCKS_PER_MIB = MIB / BLOCK_SIZE;
/** GPT type GUIDs: the EFI System Partition, and the Discoverable Partitions root for x86-64. */
export const ESP_TYPE = 'C12A7328-F81F-11D2-BA4B-00A0C93EC93B';
export const ROOT_TYPE_X86_64 = '4F68BCE3-E8CD-4DB1-96E7-FBCAF984B709';
/** Debian's boot loader files (syslinux-common, systemd-boot-efi). */
export const GPTMBR_BIN = '/usr/lib/syslinux/mbr/gptmbr.bin';
export const SYSTEMD_BOOT_EFI = '/usr/lib/systemd/boot/efi/systemd-bootx64.efi';

/** FAT32 needs 65525 clusters: with 512-byte clusters that is 33 MiB; 64 MiB leaves room for a second kernel. */
const ESP_MIN_MIB = 64;
/** systemd-boot, ldlinux.sys, ldlinux.c32 and the config files, with room to spare. */
const ESP_LOADERS_BYTES = MIB;
/** Free space an automatic root gets beyond its files: a quarter of them, at least this much. */
const HEADROOM_MIN_BYTES = 64 * MIB;
const HEADROOM_SHARE = 0.25;
/**
 * Added to the measured content before sizing: extended attributes too large for the inode and
 * directory blocks a name order packs worse than measureTree's fill (neither is visible from the tree walk).
 */
const CONTENT_MARGIN_SHARE = 0.01;
const CONTENT_MARGIN_BLOCKS = 256;
/** Inodes free for the booted system even on the smallest disk: a tenth more than the tree has, at least this many. */
const INODE_MARGIN_SHARE = 0.1;
const INODE_MARGIN_MIN = 1024;
/** A disk larger than this is refused (GPT and ext4 go further; no target here does). */
const MAX_DISK_BYTES = 16 * 1024 * 1024 * MIB;
const ROOT_LABEL_MAX = 16;
const FAT_LABEL = /^[A-Z0-9_-][A-Z0-9 _-]{0,10}$/;
/** FAT stores local time from 1980 on; earlier epochs (SOURCE_DATE_EPOCH=0) are clamped to its first day. */
const FAT_EPOCH_MIN = 315_532_800;

function mib(bytes: number): number {
  return Math.ceil(bytes / MIB);
}

function checkInput(input: DiskInput): void {
  const counts: Array<[string, number | undefined]> = [
    ['tree.dataBlocks', input.tree.dataBlocks], ['tree.inodes', input.tree.inodes], ['tree.bytes', input.tree.bytes],
    ['kernelBytes', input.kernelBytes], ['initrdBytes', input.initrdBytes], ['epoch', input.epoch],
  ];
  for (const [name, value] of counts) {
    if (value !== undefined && !(Number.isSafeInteger(value) && value >= 0)) {
      throw new AgentError('E_INTERNAL', `disk planner got ${name} = ${value}, not a whole number`);
    }
  }
  if (!/^[\x21-\x7e]{1,256}$/.test(input.seed)) throw new AgentError('E_INTERNAL', 'disk planner got no usable seed (the input digest)');
}

function labels(input: DiskInput): { root: string; esp: string } {
  const root = input.labels?.root ?? 'cloudlet-root';
  const esp = input.labels?.esp ?? 'ESP';
  if (root === '' || Buffer.byteLength(root) > ROOT_LABEL_MAX) {
    throw new AgentError('E_USAGE', `root filesystem label "${root}" must be 1 to ${ROOT_LABEL_MAX} bytes`, { fix: 'choose a shorter label' });
  }
  if (!FAT_LABEL.test(esp)) {
    throw new AgentError('E_USAGE', `ESP label "${esp}" must be 1 to 11 upper-case letters, digits, spaces, _ or -`, { fix: 'choose a label such as ESP' });
  }
  return { root, esp };
}

/** ESP size in MiB: kernel, initrd and loaders with a quarter to spare, never below what FAT32 needs. */
function espMiB(input: DiskInput): number {
  const content = input.kernelBytes + (input.initrdBytes ?? 0) + ESP_LOADERS_BYTES;
  return Math.max(ESP_MIN_MIB, mib(content * 1.25));
}

/** The inodes the root needs: the tree's, mke2fs' own, and room to create files once it boots. */
function neededInodes(input: DiskInput): number {
  return input.tree.inodes + RESERVED_INODES + Math.max(INODE_MARGIN_MIN, Math.ceil(input.tree.inodes * INODE_MARGIN_SHARE));
}

interface RootSize {
  blocks: number;
  minimumBlocks: number;
  contentBlocks: number;
  mode: DiskSizing['mode'];
}

function reservedBlocks(blocks: number): number {
  return Math.floor((blocks * RESERVED_PERCENT) / 100);
}

function rootSize(input: DiskInput, esp: number): RootSize {
  const contentBlocks = Math.ceil(input.tree.dataBlocks * (1 + CONTENT_MARGIN_SHARE)) + CONTENT_MARGIN_BLOCKS;
  const inodes = neededInodes(input);
  const minimum = minimumBlocks(contentBlocks, inodes);
  if (input.requestedBytes === undefined) {
    const headroom = Math.max(HEADROOM_MIN_BYTES, input.tree.bytes * HEADROOM_SHARE) / BLOCK_SIZE;
    let blocks = minimum;
    for (;;) {
      const used = contentBlocks + ext4Geometry(blocks, inodes).overheadBlocks + reservedBlocks(blocks);
      if (blocks - used >= headroom) break;
      blocks = Math.ceil((used + headroom) / BLOCKS_PER_MIB) * BLOCKS_PER_MIB;
    }
    return { blocks, minimumBlocks: minimum, contentBlocks, mode: 'automatic' };
  }
  const requested = input.requestedBytes;
  const minimumDisk = (2 + esp) * MIB + minimum * BLOCK_SIZE;
  if (!Number.isSafeInteger(requested) || requested > MAX_DISK_BYTES) {
    throw new AgentError('E_BAKE_SIZE', `a disk of ${requested} bytes is larger than the ${MAX_DISK_BYTES / MIB / 1024 / 1024} TiB bake makes`, {
      where: '--size',
      fix: `ask for ${mib(minimumDisk)}M or more, up to ${MAX_DISK_BYTES / MIB / 1024 / 1024}T`,
    });
  }
  const rootMiB = Math.floor(requested / MIB) - 2 - esp;
  if (rootMiB * BLOCKS_PER_MIB < minimum) {
    throw new AgentError('E_BAKE_SIZE', `the image needs a disk of at least ${mib(minimumDisk)} MiB, but --size asks for ${requested} bytes (${Math.floor(requested / MIB)} MiB)`, {
      where: '--size',
      fix: `use --size ${mib(minimumDisk)}M or more (ESP ${esp} MiB, root ${minimum / BLOCKS_PER_MIB} MiB for ${mib(input.tree.bytes)} MiB of files in ${input.tree.inodes} inodes), or leave --size out to size the disk automatically`,
    });
  }
  return { blocks: rootMiB * BLOCKS_PER_MIB, minimumBlocks: minimum, contentBlocks, mode: 'requested' };
}

function partition(number: number, role: PartitionPlan['role'], typeGuid: string, uuid: string, startMiB: number, sizeMiB: number, attributes: string[]): PartitionPlan {
  const perMiB = MIB / SECTOR;
  return {
    number,
    role,
    name: role,
    typeGuid,
    uuid,
    startSector: startMiB * perMiB,
    sectors: sizeMiB * perMiB,
    offsetBytes: startMiB * MIB,
    sizeBytes: sizeMiB * MIB,
    attributes,
  };
}

export function planDisk(input: DiskInput): DiskPlan {
  checkInput(input);
  const label = labels(input);
  const esp = espMiB(input);
  const size = rootSize(input, esp);
  const rootMiB = size.blocks / BLOCKS_PER_MIB;
  const inodes = neededInodes(input);
  const geometry = ext4Geometry(size.blocks, inodes);
  const reserved = reservedBlocks(size.blocks);
  const rootUuid = derivedUuid(input.seed, 'partition:root');
  const cmdline = kernelCmdline(rootUuid, input.cmdline);
  const title = bootTitle(input.title);
  const hasInitrd = input.initrdBytes !== undefined;
  const files: EspFile[] = [
    { path: ESP_KERNEL, source: { kind: 'kernel' } },
    ...(hasInitrd ? [{ path: ESP_INITRD, source: { kind: 'initrd' as const } }] : []),
    { path: '/EFI/BOOT/BOOTX64.EFI', source: { kind: 'host', path: SYSTEMD_BOOT_EFI } },
    { path: '/loader/loader.conf', source: { kind: 'text', text: loaderConfig() } },
    { path: ESP_ENTRY, source: { kind: 'text', text: loaderEntry(title, cmdline, hasInitrd) } },
    { path: `${ESP_SYSLINUX_DIR}/syslinux.cfg`, source: { kind: 'text', text: syslinuxConfig(cmdline, hasInitrd) } },
  ];
  const totalMiB = 1 + esp + rootMiB + 1;
  return {
    sectorSize: SECTOR,
    totalBytes: totalMiB * MIB,
    diskGuid: derivedUuid(input.seed, 'disk'),
    sizing: {
      mode: size.mode,
      ...(input.requestedBytes !== undefined ? { requestedBytes: input.requestedBytes } : {}),
      minimumBytes: (2 + esp) * MIB + size.minimumBlocks * BLOCK_SIZE,
      contentBytes: size.contentBlocks * BLOCK_SIZE,
      overheadBytes: geometry.overheadBlocks * BLOCK_SIZE,
      reservedBytes: reserved * BLOCK_SIZE,
      freeBytes: Math.max(0, size.blocks - size.contentBlocks - geometry.overheadBlocks - reserved) * BLOCK_SIZE,
    },
    partitions: [
      // The ESP carries syslinux too: gptmbr.bin boots the partition marked legacy BIOS bootable.
      partition(1, 'esp', ESP_TYPE, derivedUuid(input.seed, 'partition:esp'), 1, esp, ['LegacyBIOSBootable']),
      partition(2, 'root', ROOT_TYPE_X86_64, rootUuid, 1 + esp, rootMiB, []),
    ],
    root: {
      uuid: derivedUuid(input.seed, 'ext4:uuid'),
      hashSeed: derivedUuid(input.seed, 'ext4:hash-seed'),
      label: label.root,
      blockSize: BLOCK_SIZE,
      blocks: size.blocks,
      inodes: inodeCount(size.blocks, inodes),
      journalBlocks: geometry.journalBlocks,
      reservedPercent: RESERVED_PERCENT,
      features: [...EXT4_FEATURES],
    },
    esp: {
      volumeId: derivedVolumeId(input.seed),
      label: label.esp,
      fatBits: 32,
      // 512-byte clusters up to 512 MiB (FAT32 needs 65525 clusters), 4 KiB beyond.
      sectorsPerCluster: esp <= 512 ? 1 : 8,
      directories: ['/EFI', '/EFI/BOOT', '/loader', '/loader/entries', ESP_SYSLINUX_DIR],
      files,
      syslinuxDirectory: ESP_SYSLINUX_DIR,
      timestamp: Math.max(input.epoch, FAT_EPOCH_MIN),
      contentBytes: input.kernelBytes + (input.initrdBytes ?? 0),
    },
    cmdline,
    mbrCode: GPTMBR_BIN,
    epoch: input.epoch,
  };
}
