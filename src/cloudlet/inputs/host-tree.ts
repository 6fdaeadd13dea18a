// What a tree on the host says about its entries: file types, device numbers, UTF-8 names, extended attributes.

import type { BigIntStats } from 'node:fs';
import { AgentError } from '../../errors';
import type { System } from '../../system/system';
import type { EntryType } from './tar-entry';
import { parseDump } from './xattr-dump';
import { badInput } from './input-errors';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The tar type of an lstat result; sockets have none (tar leaves them out). */
export function typeOf(st: BigIntStats): EntryType | undefined {
  if (st.isFile()) return 'file';
  if (st.isDirectory()) return 'dir';
  if (st.isSymbolicLink()) return 'symlink';
  if (st.isCharacterDevice()) return 'char';
  if (st.isBlockDevice()) return 'block';
  if (st.isFIFO()) return 'fifo';
  return undefined;
}

/** Linux dev_t encoding (glibc gnu_dev_major / gnu_dev_minor). */
export function major(rdev: bigint): number {
  return Number(((rdev >> 8n) & 0xfffn) | ((rdev >> 32n) & ~0xfffn));
}

export function minor(rdev: bigint): number {
  return Number((rdev & 0xffn) | ((rdev >> 12n) & ~0xffn));
}

/** A name or link target as text; archives and listings carry UTF-8 only. */
export function decode(bytes: Buffer, where: string): string {
  try {
    return utf8.decode(bytes);
  } catch {
    throw badInput('a file name or link target is not valid UTF-8', where, 'rename it to a UTF-8 name');
  }
}

/** Extended attributes of every file below `src` in one getfattr run (Node has no xattr calls), by host path. */
export async function readXattrs(src: string, system: System): Promise<Map<string, Map<string, Buffer>>> {
  let r;
  try {
    r = await system.exec('getfattr', ['--recursive', '--physical', '--no-dereference', '--dump', '--match=-', '--encoding=hex', '--absolute-names', '--', src]);
  } catch (err) {
    throw new AgentError('E_BAKE_TOOL', 'cannot run getfattr to read extended attributes', { where: src, fix: 'install the Debian package attr', cause: err });
  }
  if (r.code !== 0) {
    throw new AgentError('E_BAKE_TOOL', `getfattr failed: ${r.stderr.trim().split('\n').slice(0, 3).join('; ')}`, { where: src, fix: 'run as root so every file of the tree can be read' });
  }
  return parseDump(r.stdout);
}
