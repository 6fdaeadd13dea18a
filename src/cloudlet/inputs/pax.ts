// Parses pax extended headers ("LEN key=value\n" records) and lays them over a ustar header. No I/O.

import { PAX_XATTR, PAX_XATTR_LIBARCHIVE } from './tar-format';
import type { Header } from './tar-header';
import { FIX_CORRUPT, badInput } from './input-errors';

export type PaxRecords = Map<string, Buffer>;

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Records in order; a later record of the same key wins. Values stay raw bytes (xattr values are binary). */
export function parsePax(data: Buffer, where: string): PaxRecords {
  const records: PaxRecords = new Map();
  let pos = 0;
  while (pos < data.length) {
    if (data[pos] === 0) break; // some writers pad the header's content with NULs
    const space = data.indexOf(0x20, pos);
    if (space === -1 || space - pos > 20) throw badInput('malformed pax record (no length)', where, FIX_CORRUPT);
    const lenText = data.toString('latin1', pos, space);
    if (!/^[1-9][0-9]*$/.test(lenText)) throw badInput(`malformed pax record length "${lenText}"`, where, FIX_CORRUPT);
    const len = Number(lenText);
    const end = pos + len;
    if (end > data.length || data[end - 1] !== 0x0a) throw badInput('malformed pax record (length runs past the header)', where, FIX_CORRUPT);
    const eq = data.indexOf(0x3d, space + 1);
    if (eq === -1 || eq >= end - 1) throw badInput('malformed pax record (no "=")', where, FIX_CORRUPT);
    const key = decode(data.subarray(space + 1, eq), 'pax key', where);
    records.set(key, Buffer.from(data.subarray(eq + 1, end - 1)));
    pos = end;
  }
  return records;
}

export interface PaxOverrides {
  path?: string;
  linkpath?: string;
  xattrs: Map<string, Buffer>;
}


/**
 * Applies `records` (globals first, then the member's own) to `header` in place and returns the name
 * overrides and xattrs. Sparse files are refused: their content layout needs a map this reader does not keep.
 */
export function applyPax(header: Header, records: PaxRecords, where: string): PaxOverrides {
  const out: PaxOverrides = { xattrs: new Map() };
  for (const [key, value] of records) {
    switch (key) {
      case 'path':
        out.path = decode(value, 'pax path', where);
        break;
      case 'linkpath':
        out.linkpath = decode(value, 'pax linkpath', where);
        break;
      case 'size':
        header.size = integer(value, key, where);
        break;
      case 'uid':
        header.uid = integer(value, key, where);
        break;
      case 'gid':
        header.gid = integer(value, key, where);
        break;
      case 'mtime':
        header.mtime = seconds(value, where);
        break;
      case 'SCHILY.devmajor':
        header.devmajor = integer(value, key, where);
        break;
      case 'SCHILY.devminor':
        header.devminor = integer(value, key, where);
        break;
      default:
        if (key.startsWith('GNU.sparse.')) {
          throw badInput('sparse members are not supported', where, 'make the archive again without --sparse (-S)');
        }
        if (key.startsWith(PAX_XATTR)) out.xattrs.set(xattrName(key.slice(PAX_XATTR.length), where), value);
        else if (key.startsWith(PAX_XATTR_LIBARCHIVE)) {
          const name = xattrName(decodeURIComponentSafe(key.slice(PAX_XATTR_LIBARCHIVE.length), where), where);
          if (!records.has(PAX_XATTR + name)) out.xattrs.set(name, Buffer.from(value.toString('latin1'), 'base64'));
        }
    }
  }
  return out;
}

function decode(bytes: Uint8Array, what: string, where: string): string {
  try {
    return utf8.decode(bytes);
  } catch {
    throw badInput(`${what} is not valid UTF-8`, where, 'rename the file to a UTF-8 name before archiving it');
  }
}

function integer(value: Buffer, key: string, where: string): number {
  const text = value.toString('latin1');
  if (!/^[0-9]{1,16}$/.test(text) || !Number.isSafeInteger(Number(text))) throw badInput(`bad pax ${key} "${text.slice(0, 40)}"`, where, FIX_CORRUPT);
  return Number(text);
}

function seconds(value: Buffer, where: string): number {
  const text = value.toString('latin1');
  if (!/^-?[0-9]{1,16}(\.[0-9]{0,30})?$/.test(text)) throw badInput(`bad pax mtime "${text.slice(0, 40)}"`, where, FIX_CORRUPT);
  return Number(text);
}

function xattrName(name: string, where: string): string {
  if (!/^[a-z]+\.[^\0]+$/.test(name) || name.length > 255) throw badInput(`bad extended attribute name "${name.slice(0, 60)}"`, where, FIX_CORRUPT);
  return name;
}

function decodeURIComponentSafe(text: string, where: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    throw badInput(`bad extended attribute name "${text.slice(0, 60)}"`, where, FIX_CORRUPT);
  }
}
