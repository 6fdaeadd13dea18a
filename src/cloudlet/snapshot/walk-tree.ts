// Reads a directory tree into sorted entries: attributes, content digests, hard links, extended attributes.

import { createHash } from 'node:crypto';
import { closeSync, constants, lstatSync, openSync, readSync, readdirSync, readlinkSync } from 'node:fs';
import { realpath } from 'node:fs/promises';
import { AgentError } from '../../errors';
import type { System } from '../../system/system';
import { decode, major, minor, readXattrs, typeOf } from '../inputs/host-tree';
import { ROOT, comparePaths, type TreeEntry } from './tree-entry';

const READ_CHUNK = 1024 * 1024;
const NO_XATTRS: ReadonlyMap<string, Buffer> = new Map();

export interface WalkOptions {
  system: System;
  /** SOURCE_DATE_EPOCH: later mtimes are clamped to it. */
  epoch?: number;
  /**
   * false leaves sha256 '' for files, for a caller that reads every file anyway (a base layer: writeLayer
   * hashes while it copies), so the tree is read once.
   */
  hash?: boolean;
}

/**
 * Every entry below `dir` (sockets left out, as tar does), sorted by path bytes. A file with several links
 * is content at its first path and a hard link to that path everywhere else. Synchronous calls on purpose:
 * thousands of awaited lstats cost several times more, and getfattr runs meanwhile.
 */
export async function walkTree(dir: string, opts: WalkOptions): Promise<TreeEntry[]> {
  try {
    return await walk(await realpath(dir), opts);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (err instanceof AgentError || typeof e.code !== 'string') throw err;
    throw new AgentError('E_IO', `cannot read the tree ${dir}: ${e.message}`, {
      where: e.path ?? dir,
      fix: e.code === 'EACCES' || e.code === 'EPERM' ? 'run as root so every file of the tree can be read' : 'check that the tree is not being changed or unmounted meanwhile',
      cause: err,
    });
  }
}

async function walk(root: string, opts: WalkOptions): Promise<TreeEntry[]> {
  const xattrsRun = readXattrs(root, opts.system);
  // Awaited below; a walk that fails first must not leave its rejection unhandled.
  xattrsRun.catch(() => undefined);
  const found: Array<{ entry: TreeEntry; inode?: string }> = [];
  const stack: string[] = [ROOT];
  while (stack.length) {
    const rel = stack.pop() as string;
    const host = rel === ROOT ? root : `${root}/${rel}`;
    const st = lstatSync(host, { bigint: true });
    const type = typeOf(st);
    if (!type) continue;
    const device = type === 'char' || type === 'block';
    const mtime = Number(st.mtimeNs / 1_000_000_000n);
    found.push({
      entry: {
        path: rel,
        type,
        mode: Number(st.mode) & 0o7777,
        uid: Number(st.uid),
        gid: Number(st.gid),
        size: type === 'file' ? Number(st.size) : 0,
        sha256: '',
        linkname: type === 'symlink' ? decode(readlinkSync(host, { encoding: 'buffer' }), host) : '',
        devmajor: device ? major(st.rdev) : 0,
        devminor: device ? minor(st.rdev) : 0,
        mtime: opts.epoch !== undefined ? Math.min(mtime, opts.epoch) : mtime,
        xattrs: NO_XATTRS,
      },
      ...(type !== 'dir' && st.nlink > 1n ? { inode: `${st.dev}:${st.ino}` } : {}),
    });
    if (type === 'dir') {
      for (const name of readdirSync(host, { encoding: 'buffer' })) {
        const text = decode(name, `${host}/${name.toString('latin1')}`);
        stack.push(rel === ROOT ? text : `${rel}/${text}`);
      }
    }
  }
  found.sort((a, b) => comparePaths(a.entry.path, b.entry.path));
  const firstPaths = new Map<string, string>();
  for (const f of found) {
    if (f.inode === undefined) continue;
    const first = firstPaths.get(f.inode);
    if (first === undefined) firstPaths.set(f.inode, f.entry.path);
    else Object.assign(f.entry, { type: 'hardlink', linkname: first, size: 0 });
  }
  const xattrs = await xattrsRun;
  return found.map(({ entry }) => {
    const host = entry.path === ROOT ? root : `${root}/${entry.path}`;
    const own = xattrs.get(host);
    if (own && entry.type !== 'hardlink') entry.xattrs = own;
    if (entry.type === 'file' && opts.hash !== false) entry.sha256 = hashFile(host, entry.size);
    return entry;
  });
}

/** sha256 of exactly `size` bytes; a file that grows or shrinks meanwhile is an error, not a wrong digest. */
export function hashFile(host: string, size: number): string {
  const hash = createHash('sha256');
  const fd = openSync(host, constants.O_RDONLY | constants.O_NOFOLLOW);
  const buf = Buffer.allocUnsafe(Math.min(READ_CHUNK, size + 1));
  let read = 0;
  try {
    for (;;) {
      const n = readSync(fd, buf, 0, buf.length, read);
      if (n === 0) break;
      read += n;
      if (read > size) break;
      hash.update(buf.subarray(0, n));
    }
  } finally {
    closeSync(fd);
  }
  if (read !== size) throw changedWhileRead(host);
  return hash.digest('hex');
}

export function changedWhileRead(host: string): AgentError {
  return new AgentError('E_IO', `${host} changed while it was read`, { where: host, fix: 'stop whatever writes to the tree and snapshot again' });
}
