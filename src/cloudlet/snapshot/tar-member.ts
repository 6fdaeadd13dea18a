// Normalised tar headers (POSIX pax over ustar) for layer members: numeric owners, no names, whole-second times. No I/O.

import { BLOCK, FIELD, PAX_XATTR, TYPE, USTAR_MAGIC, USTAR_VERSION, headerChecksums, padding } from '../inputs/tar-format';
import type { Header } from '../inputs/tar-header';
import { badInput } from '../inputs/input-errors';
import type { EntryType } from '../inputs/tar-entry';

export interface MemberHeader {
  name: string;
  type: EntryType;
  mode: number;
  uid: number;
  gid: number;
  size: number;
  mtime: number;
  linkname: string;
  devmajor: number;
  devminor: number;
  xattrs: ReadonlyMap<string, Buffer>;
}

const TYPE_FLAG: Record<EntryType, string> = { file: TYPE.file, dir: TYPE.dir, symlink: TYPE.symlink, hardlink: TYPE.hardlink, char: TYPE.char, block: TYPE.block, fifo: TYPE.fifo };
/** The name pax headers are given; readers ignore it. */
const PAX_NAME = 'PaxHeader';

/**
 * The header blocks of one member: a pax extended header first when something does not fit ustar (names
 * over 100 bytes or not ASCII, sizes of 8 GiB and more, large ids or device numbers, any xattr), then the
 * ustar header. Pax records are in key order, so the bytes depend on the member alone.
 */
export function memberHeader(m: MemberHeader): Buffer {
  const pax = new Map<string, Buffer>();
  const name = fitText(m.name, FIELD.name[1], 'path', pax);
  const linkname = fitText(m.linkname, FIELD.linkname[1], 'linkpath', pax);
  const numbers = {
    uid: fitNumber(m.uid, FIELD.uid[1], 'uid', pax),
    gid: fitNumber(m.gid, FIELD.gid[1], 'gid', pax),
    size: fitNumber(m.size, FIELD.size[1], 'size', pax),
    mtime: fitNumber(Math.max(0, Math.floor(m.mtime)), FIELD.mtime[1], 'mtime', pax),
    devmajor: fitNumber(m.devmajor, FIELD.devmajor[1], 'SCHILY.devmajor', pax),
    devminor: fitNumber(m.devminor, FIELD.devminor[1], 'SCHILY.devminor', pax),
  };
  for (const [key, value] of m.xattrs) {
    if (key.includes('=') || key.includes('\n')) throw badInput(`the extended attribute name ${JSON.stringify(key)} of "${m.name}" cannot be stored in a tar header`, m.name, 'remove or rename the attribute');
    pax.set(`${PAX_XATTR}${key}`, value);
  }
  const ustar = block({ name, mode: m.mode & 0o7777, ...numbers, typeflag: TYPE_FLAG[m.type], linkname });
  if (pax.size === 0) return ustar;
  const records = paxRecords(pax);
  const paxHeader = block({ name: PAX_NAME, mode: 0o644, uid: 0, gid: 0, size: records.length, mtime: 0, devmajor: 0, devminor: 0, typeflag: TYPE.paxLocal, linkname: '' });
  return Buffer.concat([paxHeader, records, Buffer.alloc(padding(records.length)), ustar]);
}

/** "LEN key=value\n" records, sorted by key; LEN counts its own digits. */
export function paxRecords(records: ReadonlyMap<string, Buffer>): Buffer {
  const parts: Buffer[] = [];
  for (const key of [...records.keys()].sort()) {
    const value = records.get(key) as Buffer;
    const body = Buffer.byteLength(key) + value.length + 3;
    let len = body + String(body).length;
    if (String(len).length !== String(body).length) len = body + String(len).length;
    parts.push(Buffer.from(`${len} ${key}=`), value, Buffer.from('\n'));
  }
  return Buffer.concat(parts);
}

/** Text that fits the field as printable ASCII goes there; anything else goes to pax, the field gets a stand-in. */
function fitText(text: string, len: number, key: string, pax: Map<string, Buffer>): string {
  if (text.length <= len && /^[\x20-\x7e]*$/.test(text)) return text;
  pax.set(key, Buffer.from(text, 'utf8'));
  return text.replace(/[^\x20-\x7e]/g, '_').slice(0, len);
}

/** Octal in the field (with its NUL) when it fits, else a pax record and 0 in the field. */
function fitNumber(value: number, len: number, key: string, pax: Map<string, Buffer>): number {
  if (value < 8 ** (len - 1)) return value;
  pax.set(key, Buffer.from(String(value)));
  return 0;
}

function block(f: Header): Buffer {
  const b = Buffer.alloc(BLOCK);
  const text = (field: readonly [number, number], value: string) => b.write(value, field[0], field[1], 'latin1');
  const octal = (field: readonly [number, number], value: number) => text(field, `${value.toString(8).padStart(field[1] - 1, '0')}\0`);
  text(FIELD.name, f.name);
  octal(FIELD.mode, f.mode);
  octal(FIELD.uid, f.uid);
  octal(FIELD.gid, f.gid);
  octal(FIELD.size, f.size);
  octal(FIELD.mtime, f.mtime);
  text(FIELD.typeflag, f.typeflag);
  text(FIELD.linkname, f.linkname);
  text(FIELD.magic, USTAR_MAGIC);
  text(FIELD.version, USTAR_VERSION);
  octal(FIELD.devmajor, f.devmajor);
  octal(FIELD.devminor, f.devminor);
  text(FIELD.chksum, `${headerChecksums(b).unsigned.toString(8).padStart(6, '0')}\0 `);
  return b;
}
