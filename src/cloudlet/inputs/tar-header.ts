// Parses one 512-byte tar header (ustar, GNU, v7): checksum, names, octal and base-256 numbers. No I/O.

import { BLOCK, FIELD, GNU_MAGIC, USTAR_MAGIC, headerChecksums } from './tar-format';
import { FIX_CORRUPT, badInput } from './input-errors';

export interface Header {
  /** Name with the ustar prefix joined on; GNU long names and pax paths override it later. */
  name: string;
  linkname: string;
  typeflag: string;
  mode: number;
  uid: number;
  gid: number;
  size: number;
  mtime: number;
  devmajor: number;
  devminor: number;
}

type Field = keyof typeof FIELD;

const utf8 = new TextDecoder('utf-8', { fatal: true });

export function isZeroBlock(block: Uint8Array): boolean {
  for (let i = 0; i < BLOCK; i++) if (block[i] !== 0) return false;
  return true;
}

/** The header in `block`; `where` names the archive and the header's offset for errors. */
export function parseHeader(block: Uint8Array, where: string): Header {
  if (block.length !== BLOCK) throw badInput(`truncated tar header (${block.length} of ${BLOCK} bytes)`, where, FIX_CORRUPT);
  const stored = octal(block, 'chksum', where);
  const sums = headerChecksums(block);
  if (stored !== sums.unsigned && stored !== sums.signed) {
    throw badInput(`tar header checksum mismatch (stored ${stored}, computed ${sums.unsigned})`, where, FIX_CORRUPT);
  }
  const magic = ascii(block, 'magic');
  const ustar = magic === USTAR_MAGIC;
  const gnu = magic === GNU_MAGIC;
  let name = text(block, 'name', where);
  if (ustar) {
    const prefix = text(block, 'prefix', where);
    if (prefix) name = `${prefix}/${name}`;
  }
  const typeflag = String.fromCharCode(block[FIELD.typeflag[0]] as number);
  const hasDevices = ustar || gnu;
  return {
    name,
    linkname: text(block, 'linkname', where),
    typeflag,
    mode: unsigned(block, 'mode', where) & 0o7777,
    uid: unsigned(block, 'uid', where),
    gid: unsigned(block, 'gid', where),
    size: unsigned(block, 'size', where),
    mtime: numeric(block, 'mtime', where),
    devmajor: hasDevices ? unsigned(block, 'devmajor', where) : 0,
    devminor: hasDevices ? unsigned(block, 'devminor', where) : 0,
  };
}

/** Bytes up to the first NUL, as UTF-8; names in other encodings are refused rather than mangled. */
export function cString(bytes: Uint8Array, what: string, where: string): string {
  const end = bytes.indexOf(0);
  const raw = end === -1 ? bytes : bytes.subarray(0, end);
  try {
    return utf8.decode(raw);
  } catch {
    throw badInput(`${what} is not valid UTF-8`, where, 'rename the file to a UTF-8 name before archiving it');
  }
}

function fieldBytes(block: Uint8Array, field: Field): Uint8Array {
  const [start, len] = FIELD[field];
  return block.subarray(start, start + len);
}

function text(block: Uint8Array, field: Field, where: string): string {
  return cString(fieldBytes(block, field), `the ${field} field`, where);
}

function ascii(block: Uint8Array, field: Field): string {
  return Buffer.from(fieldBytes(block, field)).toString('latin1');
}

function unsigned(block: Uint8Array, field: Field, where: string): number {
  const n = numeric(block, field, where);
  if (n < 0) throw badInput(`negative ${field} in tar header`, where, FIX_CORRUPT);
  return n;
}

/** Octal ASCII, or GNU base-256 when the first byte has its high bit set (0x80 positive, 0xff negative). */
function numeric(block: Uint8Array, field: Field, where: string): number {
  const bytes = fieldBytes(block, field);
  const first = bytes[0] as number;
  if ((first & 0x80) === 0) return octal(block, field, where);
  if (first !== 0x80 && first !== 0xff) throw badInput(`bad base-256 number in the ${field} field`, where, FIX_CORRUPT);
  let v = 0n;
  for (const b of bytes) v = (v << 8n) | BigInt(b);
  const bits = BigInt(bytes.length * 8);
  v = first === 0xff ? v - (1n << bits) : v - (0x80n << (bits - 8n));
  if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < BigInt(Number.MIN_SAFE_INTEGER)) {
    throw badInput(`the ${field} field is out of range`, where, FIX_CORRUPT);
  }
  return Number(v);
}

/** Leading spaces, octal digits, then NULs or spaces; an empty field is 0. */
function octal(block: Uint8Array, field: Field, where: string): number {
  const bytes = fieldBytes(block, field);
  let i = 0;
  while (i < bytes.length && bytes[i] === 0x20) i++;
  let v = 0;
  for (; i < bytes.length; i++) {
    const b = bytes[i] as number;
    if (b === 0 || b === 0x20) break;
    if (b < 0x30 || b > 0x37) throw badInput(`bad octal number in the ${field} field`, where, FIX_CORRUPT);
    v = v * 8 + (b - 0x30);
  }
  for (; i < bytes.length; i++) {
    if (bytes[i] !== 0 && bytes[i] !== 0x20) throw badInput(`bad octal number in the ${field} field`, where, FIX_CORRUPT);
  }
  return v;
}
