// The 512-byte VHD footer (a fixed VHD's only metadata): parsing, checksum, and pinning its timestamp and unique id.

export const VHD_FOOTER_SIZE = 512;
export const VHD_COOKIE = 'conectix';
export const VHD_FIXED = 2;

export interface VhdFooter {
  cookie: string;
  timestamp: number;
  creatorApp: string;
  originalSize: number;
  currentSize: number;
  diskType: number;
  checksum: number;
  uniqueId: Buffer;
  /** the stored checksum matches the bytes */
  checksumOk: boolean;
}

const CHECKSUM_AT = 64;

/** One's complement of the byte sum with the checksum field left out, as the VHD specification defines it. */
export function vhdChecksum(footer: Buffer): number {
  let sum = 0;
  for (let i = 0; i < VHD_FOOTER_SIZE; i++) {
    if (i >= CHECKSUM_AT && i < CHECKSUM_AT + 4) continue;
    sum += footer[i] ?? 0;
  }
  return ~sum >>> 0;
}

export function parseVhdFooter(footer: Buffer): VhdFooter {
  if (footer.length !== VHD_FOOTER_SIZE) throw new RangeError(`a VHD footer is ${VHD_FOOTER_SIZE} bytes, got ${footer.length}`);
  const checksum = footer.readUInt32BE(CHECKSUM_AT);
  return {
    cookie: footer.toString('latin1', 0, 8),
    timestamp: footer.readUInt32BE(24),
    creatorApp: footer.toString('latin1', 28, 32),
    originalSize: Number(footer.readBigUInt64BE(40)),
    currentSize: Number(footer.readBigUInt64BE(48)),
    diskType: footer.readUInt32BE(60),
    checksum,
    uniqueId: Buffer.from(footer.subarray(68, 84)),
    checksumOk: checksum === vhdChecksum(footer),
  };
}

/** A copy of `footer` with the given timestamp and unique id and its checksum recomputed. */
export function pinVhdFooter(footer: Buffer, values: { timestamp: number; uniqueId: Buffer }): Buffer {
  if (footer.length !== VHD_FOOTER_SIZE) throw new RangeError(`a VHD footer is ${VHD_FOOTER_SIZE} bytes, got ${footer.length}`);
  if (values.uniqueId.length !== 16) throw new RangeError('a VHD unique id is 16 bytes');
  const out = Buffer.from(footer);
  out.writeUInt32BE(values.timestamp, 24);
  values.uniqueId.copy(out, 68);
  out.writeUInt32BE(vhdChecksum(out), CHECKSUM_AT);
  return out;
}

/** What is wrong with a fixed VHD's footer for a disk of `virtualSize` bytes in a file of `fileSize` bytes, or nothing. */
export function vhdFooterProblems(f: VhdFooter, fileSize: number, virtualSize: number, alignment: number): string[] {
  const problems: string[] = [];
  if (f.cookie !== VHD_COOKIE) problems.push(`footer cookie is ${JSON.stringify(f.cookie)}, not "${VHD_COOKIE}"`);
  if (!f.checksumOk) problems.push('footer checksum does not match');
  if (f.diskType !== VHD_FIXED) problems.push(`disk type is ${f.diskType}, not ${VHD_FIXED} (fixed)`);
  if (f.currentSize !== fileSize - VHD_FOOTER_SIZE) problems.push(`footer says ${f.currentSize} bytes of data, the file holds ${fileSize - VHD_FOOTER_SIZE}`);
  if (f.currentSize !== virtualSize) problems.push(`virtual size is ${f.currentSize}, expected ${virtualSize}`);
  if ((fileSize - VHD_FOOTER_SIZE) % alignment !== 0) problems.push(`(size - 512) = ${fileSize - VHD_FOOTER_SIZE} is not a multiple of ${alignment}`);
  return problems;
}
