// Recognizes filesystems and other on-disk signatures from the first bytes of a block device (no blkid).

export interface FsProbe {
  fstype: string;
  label?: string;
  uuid?: string;
}

/** Bytes probeSignature wants: up to the end of the btrfs superblock at 64 KiB. */
export const PROBE_BYTES = 65536 + 4096;

/**
 * The filesystem (or swap, LUKS, ...) whose superblock starts `head`, which holds the device's first
 * bytes (PROBE_BYTES or fewer when the device is smaller). Null when nothing is recognized.
 */
export function probeSignature(head: Buffer): FsProbe | null {
  return luks(head) ?? xfs(head) ?? ext(head) ?? btrfs(head) ?? iso9660(head) ?? swap(head) ?? vfat(head);
}

/** Partition tables and volume-manager signatures, which mean "holds data" without a filesystem. */
export function containerSignature(head: Buffer): string | null {
  if (ascii(head, 512, 8) === 'EFI PART' || ascii(head, 4096, 8) === 'EFI PART') return 'gpt';
  if (ascii(head, 512, 8) === 'LABELONE' && ascii(head, 536, 8) === 'LVM2 001') return 'LVM2_member';
  if (u32le(head, 4096) === 0xa92b4efc || u32le(head, 0) === 0xa92b4efc) return 'linux_raid_member';
  if (u16le(head, 510) === 0xaa55 && mbrHasPartitions(head)) return 'dos';
  return null;
}

/** Where the vfat root directory starts and how long it is, to look for its volume-label entry. */
export function vfatRootDir(head: Buffer): { offset: number; length: number } | null {
  if (!isVfat(head)) return null;
  const bytesPerSector = u16le(head, 11);
  const sectorsPerCluster = head[13] ?? 0;
  const reserved = u16le(head, 14);
  const fats = head[16] ?? 0;
  const rootEntries = u16le(head, 17);
  const fatSize16 = u16le(head, 22);
  if (fatSize16 !== 0 && rootEntries !== 0) {
    return { offset: (reserved + fats * fatSize16) * bytesPerSector, length: rootEntries * 32 };
  }
  const fatSize32 = u32le(head, 36);
  const rootCluster = u32le(head, 44);
  if (rootCluster < 2) return null;
  const dataStart = reserved + fats * fatSize32;
  return { offset: (dataStart + (rootCluster - 2) * sectorsPerCluster) * bytesPerSector, length: sectorsPerCluster * bytesPerSector };
}

/** The volume label entry of a vfat root directory (what fatlabel and blkid report first). */
export function vfatRootLabel(dir: Buffer): string | undefined {
  for (let off = 0; off + 32 <= dir.length; off += 32) {
    const first = dir[off];
    if (first === 0x00) break;
    const attr = dir[off + 11] ?? 0;
    if (first === 0xe5 || (attr & 0x0f) === 0x0f) continue;
    if ((attr & 0x08) !== 0) return trimmed(dir.toString('latin1', off, off + 11));
  }
  return undefined;
}

function iso9660(head: Buffer): FsProbe | null {
  if (head[32768] !== 1 || ascii(head, 32769, 5) !== 'CD001') return null;
  const label = trimmed(ascii(head, 32808, 32));
  // blkid shows the volume creation time (PVD offset 813) as the UUID of an ISO image.
  const t = ascii(head, 32768 + 813, 16);
  const uuid = /^\d{16}$/.test(t) && t !== '0000000000000000'
    ? `${t.slice(0, 4)}-${t.slice(4, 6)}-${t.slice(6, 8)}-${t.slice(8, 10)}-${t.slice(10, 12)}-${t.slice(12, 14)}-${t.slice(14, 16)}`
    : undefined;
  return withOptional('iso9660', label, uuid);
}

function isVfat(head: Buffer): boolean {
  if (u16le(head, 510) !== 0xaa55) return false;
  const bps = u16le(head, 11);
  const spc = head[13] ?? 0;
  if (![512, 1024, 2048, 4096].includes(bps) || spc === 0 || (spc & (spc - 1)) !== 0) return false;
  return ascii(head, 54, 3) === 'FAT' || ascii(head, 82, 5) === 'FAT32' || ascii(head, 3, 8) === 'MSWIN4.1' || ascii(head, 3, 8) === 'mkfs.fat';
}

function vfat(head: Buffer): FsProbe | null {
  if (!isVfat(head)) return null;
  const fat32 = u16le(head, 22) === 0 && ascii(head, 82, 5) === 'FAT32';
  const labelAt = fat32 ? 71 : 43;
  const serial = u32le(head, fat32 ? 67 : 39);
  const raw = trimmed(head.toString('latin1', labelAt, labelAt + 11));
  const label = raw === 'NO NAME' ? undefined : raw;
  const hex = serial.toString(16).toUpperCase().padStart(8, '0');
  return withOptional('vfat', label, `${hex.slice(0, 4)}-${hex.slice(4)}`);
}

function ext(head: Buffer): FsProbe | null {
  if (u16le(head, 1080) !== 0xef53) return null;
  const compat = u32le(head, 1024 + 92);
  const incompat = u32le(head, 1024 + 96);
  const roCompat = u32le(head, 1024 + 100);
  // extents, 64bit, flex_bg, or huge_file/gdt_csum/dir_nlink/extra_isize/metadata_csum make ext4.
  const fstype = (incompat & (0x40 | 0x80 | 0x200)) !== 0 || (roCompat & (0x8 | 0x10 | 0x20 | 0x40 | 0x400)) !== 0
    ? 'ext4'
    : (compat & 0x4) !== 0 ? 'ext3' : 'ext2';
  return withOptional(fstype, cstring(head, 1144, 16), uuid(head, 1128));
}

function xfs(head: Buffer): FsProbe | null {
  if (ascii(head, 0, 4) !== 'XFSB') return null;
  return withOptional('xfs', cstring(head, 108, 12), uuid(head, 32));
}

function btrfs(head: Buffer): FsProbe | null {
  if (ascii(head, 65536 + 64, 8) !== '_BHRfS_M') return null;
  return withOptional('btrfs', cstring(head, 65536 + 299, 256), uuid(head, 65536 + 32));
}

function swap(head: Buffer): FsProbe | null {
  for (const page of [4096, 8192, 16384, 65536]) {
    const magic = ascii(head, page - 10, 10);
    if (magic === 'SWAPSPACE2' || magic === 'SWAP-SPACE') {
      return withOptional('swap', cstring(head, 1024 + 28, 16), magic === 'SWAPSPACE2' ? uuid(head, 1024 + 12) : undefined);
    }
  }
  return null;
}

function luks(head: Buffer): FsProbe | null {
  if (head.length < 208 || !head.subarray(0, 6).equals(Buffer.from([0x4c, 0x55, 0x4b, 0x53, 0xba, 0xbe]))) return null;
  const version = u16be(head, 6);
  return withOptional('crypto_LUKS', version === 2 ? cstring(head, 24, 48) : undefined, cstring(head, 168, 40));
}

function mbrHasPartitions(head: Buffer): boolean {
  for (let i = 0; i < 4; i++) {
    const entry = 446 + i * 16;
    const status = head[entry] ?? 0;
    if (status !== 0 && status !== 0x80) return false;
    if ((head[entry + 4] ?? 0) !== 0) return true;
  }
  return false;
}

function withOptional(fstype: string, label: string | undefined, id: string | undefined): FsProbe {
  return { fstype, ...(label ? { label } : {}), ...(id ? { uuid: id } : {}) };
}

function uuid(b: Buffer, off: number): string | undefined {
  if (b.length < off + 16) return undefined;
  const hex = b.toString('hex', off, off + 16);
  if (/^0+$/.test(hex)) return undefined;
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function cstring(b: Buffer, off: number, len: number): string | undefined {
  if (b.length < off + len) return undefined;
  const raw = b.subarray(off, off + len);
  const end = raw.indexOf(0);
  const s = raw.toString('utf8', 0, end < 0 ? len : end).trim();
  return s || undefined;
}

function trimmed(s: string): string {
  return s.replace(/[\s\0]+$/, '');
}

function ascii(b: Buffer, off: number, len: number): string {
  return b.length < off + len ? '' : b.toString('latin1', off, off + len);
}

function u16le(b: Buffer, off: number): number {
  return b.length < off + 2 ? 0 : b.readUInt16LE(off);
}

function u16be(b: Buffer, off: number): number {
  return b.length < off + 2 ? 0 : b.readUInt16BE(off);
}

function u32le(b: Buffer, off: number): number {
  return b.length < off + 4 ? 0 : b.readUInt32LE(off);
}
