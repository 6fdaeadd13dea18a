// One entry of a tree as snapshots see it, the order every listing and layer uses, and what a diff says.

import type { EntryType } from '../inputs/tar-entry';

export type { EntryType };

export interface TreeEntry {
  /** Relative path without "./"; the root itself is ".". */
  path: string;
  type: EntryType;
  /** Permission bits with setuid, setgid and sticky (07777). */
  mode: number;
  uid: number;
  gid: number;
  /** Content bytes of a file; 0 for anything else (a hard link's content is its target's). */
  size: number;
  /** sha256 hex of a file's content, '' for anything else. */
  sha256: string;
  /** Target of a symlink, or the first path (in listing order) of a hard-linked file; '' otherwise. */
  linkname: string;
  devmajor: number;
  devminor: number;
  /** Whole seconds, clamped to the epoch when one is given. */
  mtime: number;
  xattrs: ReadonlyMap<string, Buffer>;
}

export const ROOT = '.';

/** What about a path differs between two trees; mtime is never one of them. */
export type ChangeKind = 'type' | 'content' | 'size' | 'mode' | 'owner' | 'link' | 'xattrs' | 'device';

export interface EntryChange {
  path: string;
  before: TreeEntry;
  after: TreeEntry;
  what: ChangeKind[];
}

export interface TreeDiff {
  /** Entries of b only, in path order. */
  added: TreeEntry[];
  /** Entries of a only (every one, children of a removed directory too), in path order. */
  removed: TreeEntry[];
  changed: EntryChange[];
  /** Directories of both trees below which nothing of a stays as it was: a layer hides them whole (opaque whiteout). */
  opaque: string[];
}

/** Byte order of the UTF-8 paths, the root first: parents always come before their children. */
export function comparePaths(a: string, b: string): number {
  if (a === b) return 0;
  if (a === ROOT) return -1;
  if (b === ROOT) return 1;
  for (let i = 0; ; i++) {
    if (i === a.length) return i === b.length ? 0 : -1;
    if (i === b.length) return 1;
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    // UTF-16 order is UTF-8 byte order except around surrogates; only then compare bytes.
    return x >= 0xd800 || y >= 0xd800 ? Buffer.compare(Buffer.from(a.slice(i)), Buffer.from(b.slice(i))) : x - y;
  }
}

export function parentPath(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash === -1 ? ROOT : path.slice(0, slash);
}
