// The listings cache: an image's entries under <store>/cache/listings/<manifest hex>, derived data checked on every read.

import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Store } from '../store';
import type { EntryType, TreeEntry } from './tree-entry';

const HEADER = 'cloudlet-entries 1';
const TYPES: readonly EntryType[] = ['file', 'dir', 'symlink', 'hardlink', 'char', 'block', 'fifo'];

function cachePath(store: Store, digest: string): string {
  return join(store.dir, 'cache', 'listings', digest.replace(/^sha256:/, ''));
}

/** The cached entries, or undefined when there are none or they do not parse (then the caller rebuilds them). */
export async function readCachedEntries(store: Store, digest: string): Promise<TreeEntry[] | undefined> {
  if (!/^sha256:[0-9a-f]{64}$/.test(digest)) return undefined;
  const text = await readFile(cachePath(store, digest), 'utf8').catch(() => undefined);
  if (text === undefined) return undefined;
  try {
    return parseEntries(text);
  } catch {
    return undefined;
  }
}

/** Written to a temporary name and renamed, so a reader sees the whole file or none. */
export async function writeCachedEntries(store: Store, digest: string, entries: readonly TreeEntry[]): Promise<void> {
  if (!/^sha256:[0-9a-f]{64}$/.test(digest)) return;
  const path = cachePath(store, digest);
  await mkdir(join(store.dir, 'cache', 'listings'), { recursive: true });
  const temp = `${path}.${process.pid}.tmp`;
  await writeFile(temp, serialiseEntries(entries));
  await rename(temp, path);
}

/** One JSON array a line: path, type, mode, uid, gid, size, sha256, linkname, devmajor, devminor, mtime, xattrs (hex). */
export function serialiseEntries(entries: readonly TreeEntry[]): string {
  const lines = [HEADER];
  for (const e of entries) {
    const xattrs = Object.fromEntries([...e.xattrs].map(([k, v]) => [k, v.toString('hex')]));
    lines.push(JSON.stringify([e.path, e.type, e.mode, e.uid, e.gid, e.size, e.sha256, e.linkname, e.devmajor, e.devminor, e.mtime, xattrs]));
  }
  return `${lines.join('\n')}\n`;
}

/** Throws on anything that is not exactly what serialiseEntries writes. */
export function parseEntries(text: string): TreeEntry[] {
  const lines = text.split('\n');
  if (lines[0] !== HEADER || lines.pop() !== '') throw new Error('not a listings cache file');
  return lines.slice(1).map((line) => {
    const v: unknown = JSON.parse(line);
    if (!Array.isArray(v) || v.length !== 12) throw new Error('bad line');
    const [path, type, mode, uid, gid, size, sha256, linkname, devmajor, devminor, mtime, xattrs] = v as unknown[];
    const ints = [mode, uid, gid, size, devmajor, devminor, mtime];
    if (typeof path !== 'string' || !TYPES.includes(type as EntryType) || typeof sha256 !== 'string' || typeof linkname !== 'string') throw new Error('bad line');
    if (!ints.every((n) => Number.isSafeInteger(n)) || typeof xattrs !== 'object' || xattrs === null || Array.isArray(xattrs)) throw new Error('bad line');
    const attrs = new Map<string, Buffer>();
    for (const [k, hex] of Object.entries(xattrs)) {
      if (typeof hex !== 'string' || !/^([0-9a-f]{2})*$/.test(hex)) throw new Error('bad xattr');
      attrs.set(k, Buffer.from(hex, 'hex'));
    }
    return { path, type: type as EntryType, mode: mode as number, uid: uid as number, gid: gid as number, size: size as number, sha256, linkname, devmajor: devmajor as number, devminor: devminor as number, mtime: mtime as number, xattrs: attrs };
  });
}
