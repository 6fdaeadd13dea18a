// Tar header blocks as bytes: POSIX ustar (OVA) and GNU oldgnu with a sparse map (GCE), built and parsed without I/O.

export const BLOCK = 512;
/** GNU tar's default record: archives are padded to a multiple of it. */
export const RECORD = 20 * BLOCK;

export type TarFormat = 'ustar' | 'oldgnu';

/** A run of data in a sparse file: `length` bytes at `offset`; everything between runs reads as zeros. */
export interface Region {
  offset: number;
  length: number;
}

export interface TarEntry {
  /** at most 100 bytes of ASCII; no prefix field is used */
  name: string;
  /** bytes of data stored in the archive after the header */
  size: number;
  /** seconds since the epoch */
  mtime: number;
  mode: number;
}

export interface SparseTarEntry extends TarEntry {
  /** the file's full length, holes included */
  realSize: number;
  map: readonly Region[];
}

const MAGIC: Record<TarFormat, string> = { ustar: 'ustar\u000000', oldgnu: 'ustar  \u0000' };
const OWNER = 'root';
const HEADER_SPARSE = 4;
const EXTENSION_SPARSE = 21;

/** Octal with leading zeros and a NUL when it fits, else GNU base-256 (first byte 0x80): sizes past 8 GiB need it. */
function putNumber(block: Buffer, at: number, len: number, value: number): void {
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`tar numbers are whole and not negative, got ${value}`);
  const octal = value.toString(8);
  if (octal.length < len) {
    block.write(octal.padStart(len - 1, '0') + '\0', at, len, 'latin1');
    return;
  }
  let v = BigInt(value);
  for (let i = at + len - 1; i > at; i--) {
    block[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  block[at] = 0x80;
}

function getNumber(block: Buffer, at: number, len: number): number {
  if (((block[at] ?? 0) & 0x80) !== 0) {
    let v = BigInt((block[at] ?? 0) & 0x7f);
    for (let i = at + 1; i < at + len; i++) v = (v << 8n) | BigInt(block[i] ?? 0);
    return Number(v);
  }
  const text = block.toString('latin1', at, at + len).replace(/[\0 ]+$/, '').replace(/^ +/, '');
  return text === '' ? 0 : /^[0-7]+$/.test(text) ? parseInt(text, 8) : NaN;
}

function putString(block: Buffer, at: number, len: number, text: string): void {
  const bytes = Buffer.from(text, 'latin1');
  if (bytes.length > len || !/^[\x20-\x7e]*$/.test(text)) throw new RangeError(`tar field holds at most ${len} printable ASCII bytes: ${JSON.stringify(text)}`);
  bytes.copy(block, at);
}

function getString(block: Buffer, at: number, len: number): string {
  const field = block.subarray(at, at + len);
  const end = field.indexOf(0);
  return field.toString('latin1', 0, end < 0 ? len : end);
}

function sumForChecksum(block: Buffer): number {
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : (block[i] ?? 0);
  return sum;
}

function header(entry: TarEntry, format: TarFormat, typeflag: string): Buffer {
  const block = Buffer.alloc(BLOCK);
  putString(block, 0, 100, entry.name);
  putNumber(block, 100, 8, entry.mode);
  putNumber(block, 108, 8, 0);
  putNumber(block, 116, 8, 0);
  putNumber(block, 124, 12, entry.size);
  putNumber(block, 136, 12, entry.mtime);
  block.write(typeflag, 156, 1, 'latin1');
  block.write(MAGIC[format], 257, 8, 'latin1');
  putString(block, 265, 32, OWNER);
  putString(block, 297, 32, OWNER);
  return block;
}

function seal(block: Buffer): Buffer {
  block.write(sumForChecksum(block).toString(8).padStart(6, '0') + '\0 ', 148, 8, 'latin1');
  return block;
}

/** The header of a regular file. */
export function fileHeader(entry: TarEntry, format: TarFormat): Buffer {
  return seal(header(entry, format, '0'));
}

function putRegions(block: Buffer, at: number, regions: readonly Region[]): void {
  regions.forEach((r, i) => {
    putNumber(block, at + i * 24, 12, r.offset);
    putNumber(block, at + i * 24 + 12, 12, r.length);
  });
}

/**
 * The oldgnu header of a sparse file (type S) and the extension blocks its map needs beyond the
 * header's four entries; `size` must be the sum of the map's lengths.
 */
export function sparseHeader(entry: SparseTarEntry): Buffer[] {
  const stored = entry.map.reduce((n, r) => n + r.length, 0);
  if (stored !== entry.size) throw new RangeError(`sparse size ${entry.size} is not the sum of the map, ${stored}`);
  const first = header(entry, 'oldgnu', 'S');
  putRegions(first, 386, entry.map.slice(0, HEADER_SPARSE));
  putNumber(first, 483, 12, entry.realSize);
  const blocks = [first];
  for (let i = HEADER_SPARSE; i < entry.map.length; i += EXTENSION_SPARSE) {
    const ext = Buffer.alloc(BLOCK);
    putRegions(ext, 0, entry.map.slice(i, i + EXTENSION_SPARSE));
    blocks.push(ext);
  }
  blocks.forEach((b, i) => {
    if (i < blocks.length - 1) b[i === 0 ? 482 : 504] = 1;
  });
  seal(first);
  return blocks;
}

export interface ParsedHeader {
  name: string;
  mode: number;
  uid: number;
  gid: number;
  size: number;
  mtime: number;
  typeflag: string;
  /** which magic the block carries */
  format: TarFormat | 'other';
  checksumOk: boolean;
  /** type S only: the full length and the map entries of this block */
  realSize: number;
  sparse: Region[];
  /** type S only: an extension block follows */
  extended: boolean;
}

function getRegions(block: Buffer, at: number, count: number): Region[] {
  const regions: Region[] = [];
  for (let i = 0; i < count; i++) {
    const base = at + i * 24;
    if (block[base] === 0) break;
    regions.push({ offset: getNumber(block, base, 12), length: getNumber(block, base + 12, 12) });
  }
  return regions;
}

/** A header block, or null for an all-zero block (the end of the archive). */
export function parseHeader(block: Buffer): ParsedHeader | null {
  if (block.length !== BLOCK) throw new RangeError(`a tar block is ${BLOCK} bytes`);
  if (block.every((b) => b === 0)) return null;
  const magic = block.toString('latin1', 257, 265);
  const format = magic === MAGIC.ustar ? 'ustar' : magic === MAGIC.oldgnu ? 'oldgnu' : 'other';
  const typeflag = block.toString('latin1', 156, 157);
  const sparse = format === 'oldgnu' && typeflag === 'S';
  return {
    name: getString(block, 0, 100),
    mode: getNumber(block, 100, 8),
    uid: getNumber(block, 108, 8),
    gid: getNumber(block, 116, 8),
    size: getNumber(block, 124, 12),
    mtime: getNumber(block, 136, 12),
    typeflag,
    format,
    checksumOk: getNumber(block, 148, 8) === sumForChecksum(block),
    realSize: sparse ? getNumber(block, 483, 12) : getNumber(block, 124, 12),
    sparse: sparse ? getRegions(block, 386, HEADER_SPARSE) : [],
    extended: sparse && block[482] === 1,
  };
}

/** The map entries of a sparse extension block and whether another follows. */
export function parseSparseExtension(block: Buffer): { regions: Region[]; extended: boolean } {
  return { regions: getRegions(block, 0, EXTENSION_SPARSE), extended: block[504] === 1 };
}

/** Zero bytes that pad `n` bytes of data to a whole block. */
export function padding(n: number): number {
  return (BLOCK - (n % BLOCK)) % BLOCK;
}
