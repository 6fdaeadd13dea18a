// The VMDK header and descriptor: parsing, setting the CID in place, streamOptimized checks.

import { describe, expect, it } from 'vitest';
import { descriptorText, parseVmdkDescriptor, parseVmdkHeader, setVmdkCid, vmdkProblems, type VmdkHeader } from './vmdk-descriptor';

const TEXT = [
  '# Disk DescriptorFile',
  'version=1',
  'CID=8b78f34a',
  'parentCID=ffffffff',
  'createType="streamOptimized"',
  '',
  '# Extent description',
  'RW 10240 SPARSE "hello.vmdk"',
  '',
  '# The Disk Data Base',
  '#DDB',
  '',
  'ddb.virtualHWVersion = "6"',
  'ddb.adapterType = "lsilogic"',
  '',
].join('\n');

function area(text: string, size = 10240): Buffer {
  const a = Buffer.alloc(size);
  a.write(text, 'latin1');
  return a;
}

const HEADER: VmdkHeader = { magic: 'KDMV', version: 3, flags: 0x30003, capacity: 10240, grainSize: 128, descriptorOffset: 1, descriptorSize: 20, compressAlgorithm: 1 };
const EXPECT = { virtualSize: 10240 * 512, cid: '0badcafe', adapterType: 'lsilogic' };

describe('VMDK descriptor', () => {
  it('parses what qemu-img writes', () => {
    expect(parseVmdkDescriptor(TEXT)).toEqual({
      version: '1',
      cid: '8b78f34a',
      parentCid: 'ffffffff',
      createType: 'streamOptimized',
      extents: [{ access: 'RW', sectors: 10240, type: 'SPARSE', file: 'hello.vmdk' }],
      ddb: { virtualHWVersion: '6', adapterType: 'lsilogic' },
    });
  });

  it('parses the sparse header fields', () => {
    const s = Buffer.alloc(512);
    s.write('KDMV', 0, 'latin1');
    s.writeUInt32LE(3, 4);
    s.writeUInt32LE(0x30003, 8);
    s.writeBigUInt64LE(10240n, 12);
    s.writeBigUInt64LE(128n, 20);
    s.writeBigUInt64LE(1n, 28);
    s.writeBigUInt64LE(20n, 36);
    s.writeUInt16LE(1, 77);
    expect(parseVmdkHeader(s)).toEqual(HEADER);
  });

  it('sets the CID and changes no other byte of the area', () => {
    const before = area(TEXT);
    const after = setVmdkCid(before, '0badcafe');
    expect(after.length).toBe(before.length);
    expect(parseVmdkDescriptor(descriptorText(after)).cid).toBe('0badcafe');
    const changed = [...after].flatMap((b, i) => (b !== before[i] ? [i] : []));
    expect(changed.length).toBeGreaterThan(0);
    expect(changed.length).toBeLessThanOrEqual(8);
    const at = TEXT.indexOf('CID=') + 4;
    expect(changed.every((i) => i >= at && i < at + 8)).toBe(true);
  });

  it('refuses a malformed CID or a descriptor without one', () => {
    expect(() => setVmdkCid(area(TEXT), 'xyz')).toThrow(/8 hex digits/);
    expect(() => setVmdkCid(area(TEXT.replace('CID=8b78f34a\n', '')), '0badcafe')).toThrow(/no CID line/);
  });

  it('accepts a pinned streamOptimized disk and says what else is wrong', () => {
    const pinned = parseVmdkDescriptor(descriptorText(setVmdkCid(area(TEXT), '0badcafe')));
    expect(vmdkProblems(HEADER, pinned, EXPECT)).toEqual([]);
    const sparse = parseVmdkDescriptor(TEXT.replace('streamOptimized', 'monolithicSparse'));
    expect(vmdkProblems({ ...HEADER, version: 1, flags: 3 }, sparse, EXPECT)).toEqual([
      'sparse header version is 1, streamOptimized needs 3',
      'header flags lack compressed grains and stream markers',
      'createType is monolithicSparse, not streamOptimized',
      'CID is 8b78f34a, expected 0badcafe (derived from the input)',
    ]);
    expect(vmdkProblems({ ...HEADER, magic: 'KDMX' }, pinned, EXPECT)).toEqual(['magic is "KDMX", not "KDMV"']);
  });
});
