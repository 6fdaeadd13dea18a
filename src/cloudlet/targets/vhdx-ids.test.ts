// VHDX headers, region and metadata tables: CRC-32C, pinning, finding the virtual disk id.

import { describe, expect, it } from 'vitest';
import { crc32c } from './crc32c';
import { metadataRegion, page83Offset, parseVhdxHeader, pinVhdxHeader, VHDX_HEADER_SIZE, VHDX_TABLE_SIZE, vhdxProblems } from './vhdx-ids';

const METADATA_REGION = Buffer.from('06a27c8b90479a4bb8fe575f050f886e', 'hex');
const PAGE83 = Buffer.from('ab12cabee6b2234593efc309e000c746', 'hex');
const g = (byte: number) => Buffer.alloc(16, byte);

function sealed(block: Buffer): Buffer {
  block.writeUInt32LE(0, 4);
  block.writeUInt32LE(crc32c(block), 4);
  return block;
}

function header(sequence: bigint, fill: number): Buffer {
  const b = Buffer.alloc(VHDX_HEADER_SIZE);
  b.write('head', 0, 'latin1');
  b.writeBigUInt64LE(sequence, 8);
  g(fill).copy(b, 16);
  g(fill + 1).copy(b, 32);
  b.writeUInt16LE(1, 66);
  b.writeUInt32LE(1024 * 1024, 68);
  b.writeBigUInt64LE(1024n * 1024n, 72);
  return sealed(b);
}

function regionTable(entries: { guid: Buffer; offset: number; length: number }[]): Buffer {
  const t = Buffer.alloc(VHDX_TABLE_SIZE);
  t.write('regi', 0, 'latin1');
  t.writeUInt32LE(entries.length, 8);
  entries.forEach((e, i) => {
    e.guid.copy(t, 16 + i * 32);
    t.writeBigUInt64LE(BigInt(e.offset), 16 + i * 32 + 16);
    t.writeUInt32LE(e.length, 16 + i * 32 + 24);
  });
  return sealed(t);
}

function metadataTable(items: { guid: Buffer; offset: number; length: number }[]): Buffer {
  const t = Buffer.alloc(VHDX_TABLE_SIZE);
  t.write('metadata', 0, 'latin1');
  t.writeUInt16LE(items.length, 10);
  items.forEach((e, i) => {
    e.guid.copy(t, 32 + i * 32);
    t.writeUInt32LE(e.offset, 32 + i * 32 + 16);
    t.writeUInt32LE(e.length, 32 + i * 32 + 20);
  });
  return t;
}

describe('VHDX headers', () => {
  it('parses a header and verifies its CRC-32C', () => {
    const h = parseVhdxHeader(header(7n, 1));
    expect(h).toMatchObject({ signature: 'head', checksumOk: true, sequence: 7n, logLength: 1024 * 1024, logOffset: 1024 * 1024 });
    expect(h.fileWrite.equals(g(1))).toBe(true);
    const damaged = header(7n, 1);
    damaged[200] = 9;
    expect(parseVhdxHeader(damaged).checksumOk).toBe(false);
  });

  it('pins the sequence number and write GUIDs with a valid checksum', () => {
    const h = parseVhdxHeader(pinVhdxHeader(header(0xad4cba2dn, 1), { sequence: 2n, fileWrite: g(0xa), dataWrite: g(0xb) }));
    expect(h.checksumOk).toBe(true);
    expect(h.sequence).toBe(2n);
    expect(h.fileWrite.equals(g(0xa)) && h.dataWrite.equals(g(0xb))).toBe(true);
  });

  it('finds the metadata region and the virtual disk id item', () => {
    const other = Buffer.alloc(16, 3);
    expect(metadataRegion(regionTable([{ guid: other, offset: 2 << 20, length: 1 << 20 }, { guid: METADATA_REGION, offset: 3 << 20, length: 1 << 20 }]))).toEqual({ offset: 3 << 20, length: 1 << 20 });
    expect(metadataRegion(regionTable([{ guid: other, offset: 0, length: 0 }]))).toBe('region table has no metadata region');
    const broken = regionTable([]);
    broken[100] = 1;
    expect(metadataRegion(broken)).toBe('region table checksum does not match');
    expect(page83Offset(metadataTable([{ guid: other, offset: 65536, length: 8 }, { guid: PAGE83, offset: 65552, length: 16 }]))).toBe(65552);
    expect(page83Offset(metadataTable([{ guid: other, offset: 65536, length: 8 }]))).toBe('metadata table has no Page 83 item');
  });

  it('accepts pinned headers and names what is not pinned', () => {
    const expectIds = { fileWrite: g(0xa), dataWrite: g(0xb), diskId: g(0xc) };
    const pinned = [1n, 2n].map((s) => parseVhdxHeader(pinVhdxHeader(header(s, 1), { sequence: s, fileWrite: g(0xa), dataWrite: g(0xb) })));
    expect(vhdxProblems('vhdxfile', pinned, g(0xc), expectIds)).toEqual([]);
    const random = [parseVhdxHeader(header(5n, 1)), parseVhdxHeader(header(6n, 1))];
    expect(vhdxProblems('vhdxfile', random, g(0xd), expectIds)).toEqual([
      'header 1 write GUIDs are not the ones derived from the input',
      'header 2 write GUIDs are not the ones derived from the input',
      'header sequence numbers are 5 and 6, not 1 and 2',
      'virtual disk id (Page 83) is not the one derived from the input',
    ]);
    expect(vhdxProblems('vhdfile!', pinned, g(0xc), expectIds)).toEqual(['file signature is "vhdfile!", not "vhdxfile"']);
  });
});
