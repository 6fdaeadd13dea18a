// ustar and oldgnu sparse headers: fields, checksum, base-256 sizes, extension blocks.

import { describe, expect, it } from 'vitest';
import { BLOCK, fileHeader, padding, parseHeader, parseSparseExtension, sparseHeader } from './tar-header';

const GiB = 1024 ** 3;

describe('tar headers', () => {
  it('writes a ustar header that reads back with a valid checksum', () => {
    const block = fileHeader({ name: 'hello.ovf', size: 3587, mtime: 1_700_000_000, mode: 0o644 }, 'ustar');
    expect(block.length).toBe(BLOCK);
    expect(block.toString('latin1', 257, 265)).toBe('ustar\u000000');
    expect(parseHeader(block)).toMatchObject({ name: 'hello.ovf', size: 3587, mtime: 1_700_000_000, mode: 0o644, uid: 0, gid: 0, typeflag: '0', format: 'ustar', checksumOk: true });
  });

  it('notices a damaged header', () => {
    const block = fileHeader({ name: 'a', size: 1, mtime: 0, mode: 0o644 }, 'ustar');
    block[10] = 0x41;
    expect(parseHeader(block)?.checksumOk).toBe(false);
  });

  it('stores sizes past 8 GiB in base-256', () => {
    const block = fileHeader({ name: 'big', size: 9 * GiB, mtime: 0, mode: 0o644 }, 'oldgnu');
    expect(block[124]).toBe(0x80);
    expect(parseHeader(block)?.size).toBe(9 * GiB);
  });

  it('refuses names that do not fit or are not printable ASCII', () => {
    expect(() => fileHeader({ name: 'x'.repeat(101), size: 0, mtime: 0, mode: 0o644 }, 'ustar')).toThrow(RangeError);
    expect(() => fileHeader({ name: 'caf\u00e9', size: 0, mtime: 0, mode: 0o644 }, 'ustar')).toThrow(RangeError);
  });

  it('puts four map entries in an oldgnu sparse header and the rest in extension blocks', () => {
    const map = Array.from({ length: 30 }, (_, i) => ({ offset: i * 8192, length: 4096 }));
    map.push({ offset: 10 * GiB, length: 0 });
    const size = 30 * 4096;
    const blocks = sparseHeader({ name: 'disk.raw', size, realSize: 10 * GiB, map, mtime: 5, mode: 0o644 });
    expect(blocks.length).toBe(1 + Math.ceil((31 - 4) / 21));
    const first = parseHeader(blocks[0] as Buffer);
    expect(first).toMatchObject({ name: 'disk.raw', typeflag: 'S', format: 'oldgnu', size, realSize: 10 * GiB, extended: true, checksumOk: true });
    const rest = blocks.slice(1).map(parseSparseExtension);
    expect(rest.map((r) => r.extended)).toEqual([true, false]);
    expect([...(first?.sparse ?? []), ...rest.flatMap((r) => r.regions)]).toEqual(map);
  });

  it('refuses a sparse size that is not the sum of its map', () => {
    expect(() => sparseHeader({ name: 'disk.raw', size: 1, realSize: GiB, map: [{ offset: GiB, length: 0 }], mtime: 0, mode: 0o644 })).toThrow(/sum of the map/);
  });

  it('reads an all-zero block as the end of the archive', () => {
    expect(parseHeader(Buffer.alloc(BLOCK))).toBeNull();
  });

  it('pads data to whole blocks', () => {
    expect([0, 1, 511, 512, 513].map(padding)).toEqual([0, 511, 1, 0, 511]);
  });
});
