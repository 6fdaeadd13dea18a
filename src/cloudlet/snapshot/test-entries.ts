// Tree entries for the tree engine's unit tests: a file unless told otherwise, everything else at defaults.

import { createHash } from 'node:crypto';
import type { TreeEntry } from './tree-entry';

export function entry(path: string, over: Partial<TreeEntry> & { content?: string } = {}): TreeEntry {
  const { content, ...rest } = over;
  const type = rest.type ?? 'file';
  const body = content ?? (type === 'file' ? path : '');
  return {
    path,
    type,
    mode: type === 'dir' ? 0o755 : 0o644,
    uid: 0,
    gid: 0,
    size: type === 'file' ? Buffer.byteLength(body) : 0,
    sha256: type === 'file' ? createHash('sha256').update(body).digest('hex') : '',
    linkname: '',
    devmajor: 0,
    devminor: 0,
    mtime: 1_700_000_000,
    xattrs: new Map(),
    ...rest,
  };
}

export function dir(path: string, over: Partial<TreeEntry> = {}): TreeEntry {
  return entry(path, { type: 'dir', ...over });
}
