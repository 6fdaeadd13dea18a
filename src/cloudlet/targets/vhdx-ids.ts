// VHDX headers, region table and metadata table: parsing, checksums, and pinning the GUIDs and sequence numbers qemu-img draws at random.

import { crc32c } from './crc32c';

const KiB = 1024;
export const VHDX_SIGNATURE = 'vhdxfile';
/** The two headers, 4 KiB each; the one with the larger sequence number is current. */
export const VHDX_HEADER_OFFSETS = [64 * KiB, 128 * KiB] as const;
export const VHDX_HEADER_SIZE = 4 * KiB;
export const VHDX_REGION_TABLE_OFFSET = 192 * KiB;
export const VHDX_TABLE_SIZE = 64 * KiB;

/** Region and metadata item GUIDs fixed by the VHDX specification, in their on-disk byte order. */
const METADATA_REGION = Buffer.from('06a27c8b90479a4bb8fe575f050f886e', 'hex');
const PAGE83_ITEM = Buffer.from('ab12cabee6b2234593efc309e000c746', 'hex');

export interface VhdxHeader {
  signature: string;
  checksumOk: boolean;
  sequence: bigint;
  fileWrite: Buffer;
  dataWrite: Buffer;
  log: Buffer;
  logLength: number;
  logOffset: number;
}

function checksumOk(block: Buffer): boolean {
  const copy = Buffer.from(block);
  copy.writeUInt32LE(0, 4);
  return crc32c(copy) === block.readUInt32LE(4);
}

export function parseVhdxHeader(block: Buffer): VhdxHeader {
  if (block.length !== VHDX_HEADER_SIZE) throw new RangeError(`a VHDX header is ${VHDX_HEADER_SIZE} bytes`);
  return {
    signature: block.toString('latin1', 0, 4),
    checksumOk: checksumOk(block),
    sequence: block.readBigUInt64LE(8),
    fileWrite: Buffer.from(block.subarray(16, 32)),
    dataWrite: Buffer.from(block.subarray(32, 48)),
    log: Buffer.from(block.subarray(48, 64)),
    logLength: block.readUInt32LE(68),
    logOffset: Number(block.readBigUInt64LE(72)),
  };
}

/** A copy of a header block with the given sequence number and write GUIDs, checksum recomputed. */
export function pinVhdxHeader(block: Buffer, values: { sequence: bigint; fileWrite: Buffer; dataWrite: Buffer }): Buffer {
  const out = Buffer.from(block);
  out.writeBigUInt64LE(values.sequence, 8);
  values.fileWrite.copy(out, 16);
  values.dataWrite.copy(out, 32);
  out.writeUInt32LE(0, 4);
  out.writeUInt32LE(crc32c(out), 4);
  return out;
}

/** Where the metadata region is, from a region table (checksum verified), or a reason it cannot be found. */
export function metadataRegion(table: Buffer): { offset: number; length: number } | string {
  if (table.toString('latin1', 0, 4) !== 'regi') return 'region table signature is not "regi"';
  if (!checksumOk(table)) return 'region table checksum does not match';
  const count = table.readUInt32LE(8);
  for (let i = 0; i < Math.min(count, 2047); i++) {
    const at = 16 + i * 32;
    if (table.subarray(at, at + 16).equals(METADATA_REGION)) return { offset: Number(table.readBigUInt64LE(at + 16)), length: table.readUInt32LE(at + 24) };
  }
  return 'region table has no metadata region';
}

/** Offset (from the metadata region's start) of the Page 83 item, the virtual disk id, or a reason it cannot be found. */
export function page83Offset(metadataTable: Buffer): number | string {
  if (metadataTable.toString('latin1', 0, 8) !== 'metadata') return 'metadata table signature is not "metadata"';
  const count = metadataTable.readUInt16LE(10);
  for (let i = 0; i < Math.min(count, 2047); i++) {
    const at = 32 + i * 32;
    if (!metadataTable.subarray(at, at + 16).equals(PAGE83_ITEM)) continue;
    return metadataTable.readUInt32LE(at + 20) === 16 ? metadataTable.readUInt32LE(at + 16) : 'the Page 83 item is not 16 bytes';
  }
  return 'metadata table has no Page 83 item';
}

export interface VhdxExpectation {
  fileWrite: Buffer;
  dataWrite: Buffer;
  diskId: Buffer;
}

/** What is wrong with a pinned VHDX's two headers and disk id, or nothing. */
export function vhdxProblems(signature: string, headers: readonly VhdxHeader[], diskId: Buffer | string, expect: VhdxExpectation): string[] {
  if (signature !== VHDX_SIGNATURE) return [`file signature is ${JSON.stringify(signature)}, not "${VHDX_SIGNATURE}"`];
  const problems: string[] = [];
  headers.forEach((h, i) => {
    const which = `header ${i + 1}`;
    if (h.signature !== 'head') problems.push(`${which} signature is ${JSON.stringify(h.signature)}, not "head"`);
    else if (!h.checksumOk) problems.push(`${which} checksum does not match`);
    if (!h.fileWrite.equals(expect.fileWrite) || !h.dataWrite.equals(expect.dataWrite)) problems.push(`${which} write GUIDs are not the ones derived from the input`);
    if (!h.log.equals(Buffer.alloc(16))) problems.push(`${which} has a log to replay`);
  });
  const sequences = headers.map((h) => h.sequence).sort();
  if (sequences.join() !== '1,2') problems.push(`header sequence numbers are ${sequences.join(' and ')}, not 1 and 2`);
  if (typeof diskId === 'string') problems.push(diskId);
  else if (!diskId.equals(expect.diskId)) problems.push('virtual disk id (Page 83) is not the one derived from the input');
  return problems;
}
