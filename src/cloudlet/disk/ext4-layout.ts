// The ext4 root's geometry as mke2fs 1.47 lays it out (4 KiB blocks, 256-byte inodes, 64-bit descriptors, flex_bg):
// what the filesystem itself takes for a given size, so the planner knows how much room files get.

export const BLOCK_SIZE = 4096;
export const INODE_SIZE = 256;
/** Bytes of filesystem per inode when the size, not the content, decides the inode count (mke2fs' default ratio). */
export const INODE_RATIO = 16384;
/** The features asked of mke2fs, pinned so the host's /etc/mke2fs.conf cannot change the image. */
export const EXT4_FEATURES = [
  'sparse_super', 'large_file', 'filetype', 'resize_inode', 'dir_index', 'ext_attr',
  'has_journal', 'extent', 'huge_file', 'flex_bg', 'metadata_csum', '64bit', 'dir_nlink', 'extra_isize',
] as const;
export const RESERVED_PERCENT = 5;

const BLOCKS_PER_GROUP = 32768;
const DESC_SIZE = 64;
/** Inodes mke2fs uses before the first file: the reserved ones (1-10) and lost+found. */
export const RESERVED_INODES = 11;
/** Root directory, lost+found (4 blocks), the resize inode's indirect block, the journal's extent index: measured, rounded up. */
const FIXED_BLOCKS = 16;

export interface Ext4Geometry {
  blocks: number;
  inodes: number;
  journalBlocks: number;
  /** blocks the filesystem keeps for itself: superblock copies, descriptors, bitmaps, inode tables, journal */
  overheadBlocks: number;
}

/** mke2fs' default journal size for a filesystem of `blocks` 4 KiB blocks (ext2fs_default_journal_size). */
export function journalBlocks(blocks: number): number {
  if (blocks < 32768) return 1024;
  if (blocks < 256 * 1024) return 4096;
  if (blocks < 512 * 1024) return 8192;
  if (blocks < 4096 * 1024) return 16384;
  if (blocks < 8192 * 1024) return 32768;
  if (blocks < 16384 * 1024) return 65536;
  if (blocks < 32768 * 1024) return 131072;
  return 262144;
}

/** Groups holding a superblock backup with sparse_super: 0, 1 and the powers of 3, 5 and 7. */
function backupGroups(groups: number): number {
  const found = new Set<number>([0]);
  if (groups > 1) found.add(1);
  for (const base of [3, 5, 7]) for (let g = base; g < groups; g *= base) found.add(g);
  return found.size;
}

/** Descriptor blocks kept free so the filesystem can grow 1024-fold online (calc_reserved_gdt_blocks). */
function reservedGdtBlocks(blocks: number, descBlocks: number): number {
  const maxBlocks = Math.min(0xffffffff, blocks * 1024);
  const perBlock = BLOCK_SIZE / DESC_SIZE;
  const rsv = Math.ceil(Math.ceil(maxBlocks / BLOCKS_PER_GROUP) / perBlock) - descBlocks;
  return Math.max(0, Math.min(rsv, BLOCK_SIZE / 4));
}

/** The inode count asked of mke2fs (-N): the default ratio, or more when the tree needs more. */
export function inodeCount(blocks: number, neededInodes: number): number {
  return Math.max(Math.floor((blocks * BLOCK_SIZE) / INODE_RATIO), neededInodes);
}

export function ext4Geometry(blocks: number, neededInodes: number): Ext4Geometry {
  const groups = Math.ceil(blocks / BLOCKS_PER_GROUP);
  const inodes = inodeCount(blocks, neededInodes);
  const descBlocks = Math.ceil(groups / (BLOCK_SIZE / DESC_SIZE));
  const superblocks = backupGroups(groups) * (1 + descBlocks + reservedGdtBlocks(blocks, descBlocks));
  // Inodes per group are rounded up to whole inode-table blocks.
  const perTableBlock = BLOCK_SIZE / INODE_SIZE;
  const inodesPerGroup = Math.ceil(Math.ceil(inodes / groups) / perTableBlock) * perTableBlock;
  const inodeTables = (groups * inodesPerGroup) / perTableBlock;
  const journal = journalBlocks(blocks);
  return {
    blocks,
    inodes: inodesPerGroup * groups,
    journalBlocks: journal,
    overheadBlocks: superblocks + 2 * groups + inodeTables + journal + FIXED_BLOCKS,
  };
}

/**
 * The smallest filesystem (in blocks, a whole number of MiB) whose room for files holds `contentBlocks`
 * and whose inode tables hold `neededInodes`. The overhead grows with the size, so this steps up until it fits.
 */
export function minimumBlocks(contentBlocks: number, neededInodes: number): number {
  const perMiB = (1024 * 1024) / BLOCK_SIZE;
  let blocks = Math.ceil((contentBlocks + 1) / perMiB) * perMiB;
  for (;;) {
    const g = ext4Geometry(blocks, neededInodes);
    if (blocks - g.overheadBlocks >= contentBlocks) return blocks;
    blocks = Math.ceil((contentBlocks + g.overheadBlocks) / perMiB) * perMiB;
  }
}
