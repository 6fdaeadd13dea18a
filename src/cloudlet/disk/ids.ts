// Identifiers of a disk (GPT GUIDs, ext4 UUID and hash seed, FAT volume id) derived from the input's digest.

import { createHash } from 'node:crypto';

/** Namespace of name-based (RFC 9562 version 5) UUIDs of baked disks; the name is the seed plus what the id is for. */
const NAMESPACE = Buffer.from('ae33238e076443bdb26f1d61e88c615b', 'hex');

export type IdPurpose = 'disk' | 'partition:esp' | 'partition:root' | 'ext4:uuid' | 'ext4:hash-seed';

function format(bytes: Buffer): string {
  const h = bytes.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

/** The same seed and purpose give the same UUID on every bake; different purposes never collide. */
export function derivedUuid(seed: string, purpose: IdPurpose): string {
  const hash = createHash('sha1').update(NAMESPACE).update(`${seed}\n${purpose}`).digest();
  const bytes = hash.subarray(0, 16);
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x50;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  return format(bytes);
}

/** A FAT volume id (32 bits, as mkfs.vfat -i takes it: 8 hex digits). */
export function derivedVolumeId(seed: string): string {
  return createHash('sha256').update(`${seed}\nfat:volume-id`).digest('hex').slice(0, 8).toUpperCase();
}
