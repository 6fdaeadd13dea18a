// What a staged root tree will take in ext4: data, directory and symlink blocks, and inodes (walks the tree once).

import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { BLOCK_SIZE } from './ext4-layout';
import type { TreeUsage } from './types';

/** A directory block's usable bytes: metadata_csum keeps a 12-byte tail in each. */
const DIR_BLOCK_ROOM = BLOCK_SIZE - 12;
/** Symlink targets shorter than this live in the inode itself (fast symlinks). */
const FAST_SYMLINK_MAX = 59;
/** An extent covers at most 32768 blocks, and group boundaries split them further: count one per 64 MiB. */
const BLOCKS_PER_EXTENT = 16384;
/** The inode holds four extents; more need index blocks of 340 entries each. */
const INODE_EXTENTS = 4;
const EXTENTS_PER_BLOCK = 340;

function entryBytes(name: string): number {
  return 8 + Math.ceil(Buffer.byteLength(name) / 4) * 4;
}

/** Blocks of a linear directory holding `names`, filled in order as libext2fs does when it populates one. */
export function directoryBlocks(names: readonly string[]): number {
  let blocks = 1;
  let used = 24; // "." and ".."
  for (const name of names) {
    const size = entryBytes(name);
    if (used + size > DIR_BLOCK_ROOM) {
      blocks += 1;
      used = 0;
    }
    used += size;
  }
  return blocks;
}

/**
 * Data blocks of a regular file: mke2fs -d skips holes, so a sparse file counts what it stores
 * (`allocatedBytes`, from st_blocks), never more than its size.
 */
export function fileBlocks(size: number, allocatedBytes: number): number {
  const blocks = Math.ceil(Math.min(size, allocatedBytes) / BLOCK_SIZE);
  const extents = Math.ceil(blocks / BLOCKS_PER_EXTENT);
  return blocks + (extents > INODE_EXTENTS ? Math.ceil(extents / EXTENTS_PER_BLOCK) : 0);
}

/** Walks `root` (not following symlinks) and sums what its files, directories and links will take. */
export async function measureTree(root: string): Promise<TreeUsage> {
  const usage: TreeUsage = { dataBlocks: 0, inodes: 1, bytes: 0 };
  const seen = new Set<string>();
  const dirs = [root];
  for (let dir = dirs.pop(); dir !== undefined; dir = dirs.pop()) {
    const names = (await readdir(dir)).sort();
    usage.dataBlocks += directoryBlocks(names);
    for (const name of names) {
      const path = join(dir, name);
      const st = await lstat(path);
      if (st.isDirectory()) {
        usage.inodes += 1;
        dirs.push(path);
        continue;
      }
      if (st.nlink > 1) {
        const key = `${st.dev}:${st.ino}`;
        if (seen.has(key)) continue;
        seen.add(key);
      }
      usage.inodes += 1;
      if (st.isFile()) {
        usage.bytes += st.size;
        usage.dataBlocks += fileBlocks(st.size, st.blocks * 512);
      } else if (st.isSymbolicLink() && st.size > FAST_SYMLINK_MAX) {
        usage.dataBlocks += 1;
      }
    }
  }
  return usage;
}
