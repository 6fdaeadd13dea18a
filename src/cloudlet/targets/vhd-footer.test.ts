// The VHD footer: parsing, checksum, pinning, and each reason Azure would refuse it.

import { describe, expect, it } from 'vitest';
import { parseVhdFooter, pinVhdFooter, vhdChecksum, vhdFooterProblems, VHD_FOOTER_SIZE } from './vhd-footer';

const MiB = 1024 * 1024;

/** A fixed-disk footer laid out as the VHD specification describes it. */
function footer(size: number, type = 2, cookie = 'conectix'): Buffer {
  const f = Buffer.alloc(VHD_FOOTER_SIZE);
  f.write(cookie, 0, 'latin1');
  f.writeUInt32BE(2, 8);
  f.writeUInt32BE(0x00010000, 12);
  f.writeBigUInt64BE(0xffffffffffffffffn, 16);
  f.writeUInt32BE(12345, 24);
  f.write('qem2', 28, 'latin1');
  f.writeBigUInt64BE(BigInt(size), 40);
  f.writeBigUInt64BE(BigInt(size), 48);
  f.writeUInt32BE(type, 60);
  f.fill(7, 68, 84);
  f.writeUInt32BE(vhdChecksum(f), 64);
  return f;
}

describe('VHD footer', () => {
  it('parses a fixed disk footer and checks its checksum', () => {
    const f = parseVhdFooter(footer(4 * MiB));
    expect(f).toMatchObject({ cookie: 'conectix', currentSize: 4 * MiB, diskType: 2, creatorApp: 'qem2', checksumOk: true });
    const damaged = footer(4 * MiB);
    damaged[100] = 1;
    expect(parseVhdFooter(damaged).checksumOk).toBe(false);
  });

  it('pins the timestamp and unique id and keeps the checksum valid', () => {
    const id = Buffer.from('00112233445566778899aabbccddeeff', 'hex');
    const pinned = parseVhdFooter(pinVhdFooter(footer(4 * MiB), { timestamp: 777, uniqueId: id }));
    expect(pinned.timestamp).toBe(777);
    expect(pinned.uniqueId.equals(id)).toBe(true);
    expect(pinned.checksumOk).toBe(true);
    expect(pinned.currentSize).toBe(4 * MiB);
  });

  it('passes an Azure-ready footer', () => {
    expect(vhdFooterProblems(parseVhdFooter(footer(4 * MiB)), 4 * MiB + 512, 4 * MiB, MiB)).toEqual([]);
  });

  it('names each way a footer can be wrong', () => {
    expect(vhdFooterProblems(parseVhdFooter(footer(4 * MiB, 2, 'notvhd!!')), 4 * MiB + 512, 4 * MiB, MiB)[0]).toBe('footer cookie is "notvhd!!", not "conectix"');
    expect(vhdFooterProblems(parseVhdFooter(footer(4 * MiB, 3)), 4 * MiB + 512, 4 * MiB, MiB)).toEqual(['disk type is 3, not 2 (fixed)']);
    const odd = 4 * MiB + 4096;
    expect(vhdFooterProblems(parseVhdFooter(footer(odd)), odd + 512, odd, MiB)).toEqual([`(size - 512) = ${odd} is not a multiple of ${MiB}`]);
    expect(vhdFooterProblems(parseVhdFooter(footer(4 * MiB)), 5 * MiB + 512, 4 * MiB, MiB)).toEqual([`footer says ${4 * MiB} bytes of data, the file holds ${5 * MiB}`]);
  });
});
