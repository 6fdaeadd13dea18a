import { linkSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { directoryBlocks, fileBlocks, measureTree } from './measure-tree';

let dir = '';
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('measureTree', () => {
  it('fills directory blocks as entries come, 4084 bytes each', () => {
    expect(directoryBlocks([])).toBe(1);
    // 12-byte entries for names of up to 4 bytes: (4084 - 24) / 12 = 338 fit in the first block
    expect(directoryBlocks(Array.from({ length: 338 }, (_, i) => String(i % 1000).padStart(4, '0')))).toBe(1);
    expect(directoryBlocks(Array.from({ length: 339 }, (_, i) => String(i % 1000).padStart(4, '0')))).toBe(2);
  });

  it('counts what a file stores: whole blocks, holes left out, index blocks for many extents', () => {
    expect(fileBlocks(0, 0)).toBe(0);
    expect(fileBlocks(1, 4096)).toBe(1);
    expect(fileBlocks(4097, 8192)).toBe(2);
    expect(fileBlocks(1 << 30, 8192)).toBe(2);
    expect(fileBlocks(1 << 30, 1 << 30)).toBe(262144 + 1);
  });

  it('sums a tree: directories, files, long symlinks; a hard link is one inode', async () => {
    dir = mkdtempSync(join(tmpdir(), 'cloudlet-measure-'));
    mkdirSync(join(dir, 'etc'));
    writeFileSync(join(dir, 'etc', 'a'), 'x'.repeat(5000));
    linkSync(join(dir, 'etc', 'a'), join(dir, 'etc', 'b'));
    symlinkSync('short', join(dir, 'etc', 'c'));
    symlinkSync('/'.padEnd(80, 'x'), join(dir, 'etc', 'd'));
    const usage = await measureTree(dir);
    // inodes: root, etc, a (=b), c, d; blocks: 2 directories, 2 for a, 1 for d's target
    expect(usage).toEqual({ inodes: 5, dataBlocks: 5, bytes: 5000 });
  });
});
