import { describe, expect, it } from 'vitest';
import { ext4Geometry, journalBlocks, minimumBlocks } from './ext4-layout';

const MIB_BLOCKS = 256;

describe('ext4 layout', () => {
  it('sizes the journal as mke2fs 1.47 does by default (measured with dumpe2fs)', () => {
    // filesystem MiB -> journal blocks, from mkfs.ext4 -b 4096 of empty files of these sizes
    const measured: Array<[number, number]> = [[20, 1024], [100, 1024], [200, 4096], [600, 4096], [1100, 8192], [2100, 16384], [5000, 16384], [17000, 32768], [33000, 65536]];
    for (const [mib, blocks] of measured) expect(journalBlocks(mib * MIB_BLOCKS)).toBe(blocks);
  });

  it('counts more overhead for a larger filesystem and for more inodes', () => {
    const small = ext4Geometry(1000 * MIB_BLOCKS, 1000);
    expect(ext4Geometry(4000 * MIB_BLOCKS, 1000).overheadBlocks).toBeGreaterThan(small.overheadBlocks);
    expect(ext4Geometry(1000 * MIB_BLOCKS, 500_000).overheadBlocks).toBeGreaterThan(small.overheadBlocks);
  });

  it('uses the default inode ratio unless the tree needs more inodes', () => {
    expect(ext4Geometry(1024 * MIB_BLOCKS, 10).inodes).toBe(65536);
    expect(ext4Geometry(1024 * MIB_BLOCKS, 100_000).inodes).toBeGreaterThanOrEqual(100_000);
  });

  it('finds the smallest whole-MiB filesystem whose room holds the content', () => {
    for (const [content, inodes] of [[10, 20], [3000, 400], [80_000, 6000], [2_000_000, 150_000]] as const) {
      const blocks = minimumBlocks(content, inodes);
      expect(blocks % MIB_BLOCKS).toBe(0);
      expect(blocks - ext4Geometry(blocks, inodes).overheadBlocks).toBeGreaterThanOrEqual(content);
      const smaller = blocks - MIB_BLOCKS;
      expect(smaller - ext4Geometry(smaller, inodes).overheadBlocks).toBeLessThan(content);
    }
  });
});
