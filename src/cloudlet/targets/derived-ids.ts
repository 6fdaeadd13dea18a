// Identifiers qemu-img would draw at random (VMDK CID, VHD/VHDX GUIDs, the VHD timestamp), derived from the input instead.

import { createHash } from 'node:crypto';
import type { TargetContext } from './context';

export interface PinValues {
  /** 8 lowercase hex digits */
  vmdkCid: string;
  /** 16 bytes in RFC 4122 order, as the VHD footer stores its unique id */
  vhdUniqueId: Buffer;
  /** seconds since 2000-01-01 UTC */
  vhdTimestamp: number;
  /** 16 bytes each in GUID (mixed-endian) order, as VHDX stores them */
  vhdxFileWrite: Buffer;
  vhdxDataWrite: Buffer;
  vhdxDiskId: Buffer;
}

const VHD_EPOCH = 946_684_800;

function derive(ctx: TargetContext, rawSize: number, label: string): Buffer {
  return createHash('sha256').update(`${ctx.digest}\0${rawSize}\0${label}`).digest();
}

/** A name-based UUID (version 8: hash-derived) in RFC 4122 byte order. */
function derivedUuid(ctx: TargetContext, rawSize: number, label: string): Buffer {
  const b = derive(ctx, rawSize, label).subarray(0, 16);
  b[6] = ((b[6] ?? 0) & 0x0f) | 0x80;
  b[8] = ((b[8] ?? 0) & 0x3f) | 0x80;
  return Buffer.from(b);
}

/** The same UUID as Microsoft GUID bytes: the first three fields little-endian. */
export function guidBytes(uuid: Buffer): Buffer {
  const g = Buffer.from(uuid);
  g.subarray(0, 4).reverse();
  g.subarray(4, 6).reverse();
  g.subarray(6, 8).reverse();
  return g;
}

/** 0xffffffff means "no content id" to VMDK readers and is kept for parents; a derived CID avoids it. */
function cid(ctx: TargetContext, rawSize: number): string {
  const n = derive(ctx, rawSize, 'vmdk-cid').readUInt32BE(0);
  return (n === 0xffffffff ? 0xfffffffe : n).toString(16).padStart(8, '0');
}

export function pinValues(ctx: TargetContext, rawSize: number): PinValues {
  return {
    vmdkCid: cid(ctx, rawSize),
    vhdUniqueId: derivedUuid(ctx, rawSize, 'vhd-unique-id'),
    vhdTimestamp: Math.max(0, ctx.mtime - VHD_EPOCH),
    vhdxFileWrite: guidBytes(derivedUuid(ctx, rawSize, 'vhdx-file-write')),
    vhdxDataWrite: guidBytes(derivedUuid(ctx, rawSize, 'vhdx-data-write')),
    vhdxDiskId: guidBytes(derivedUuid(ctx, rawSize, 'vhdx-virtual-disk-id')),
  };
}
