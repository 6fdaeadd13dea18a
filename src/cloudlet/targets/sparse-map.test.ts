// Data runs of a sparse file and the holes qemu-img map reports.

import { describe, expect, it } from 'vitest';
import { RegionBuilder, zeroExtents } from './sparse-map';

function regions(blocks: string, size = blocks.length * 4): { offset: number; length: number }[] {
  const b = new RegionBuilder();
  [...blocks].forEach((c, i) => b.add(i * 4, 4, c === '0'));
  return b.finish(size);
}

describe('RegionBuilder', () => {
  it('merges neighbouring data blocks and skips zero blocks', () => {
    expect(regions('0110D')).toEqual([
      { offset: 4, length: 8 },
      { offset: 16, length: 4 },
    ]);
  });

  it('ends the map at the file size with an empty run when the file ends in zeros', () => {
    expect(regions('D00')).toEqual([
      { offset: 0, length: 4 },
      { offset: 12, length: 0 },
    ]);
    expect(regions('000')).toEqual([{ offset: 12, length: 0 }]);
  });

  it('refuses blocks out of order', () => {
    const b = new RegionBuilder();
    b.add(0, 4, false);
    expect(() => b.add(8, 4, false)).toThrow(/expected offset 4/);
  });
});

describe('zeroExtents', () => {
  it('keeps the ranges qemu-img map reports as zero, merged', () => {
    const map = JSON.stringify([
      { start: 0, length: 4096, zero: false, data: true },
      { start: 4096, length: 4096, zero: true, data: false },
      { start: 8192, length: 8192, zero: true, data: true },
      { start: 16384, length: 4096, zero: false, data: true },
    ]);
    expect(zeroExtents(map)).toEqual([{ offset: 4096, length: 12288 }]);
  });

  it('refuses what is not a list', () => {
    expect(() => zeroExtents('{}')).toThrow(/list/);
  });
});
