// Compares two trees entry by entry: what was added, removed and changed, and how. No I/O.

import { ROOT, comparePaths, parentPath, type ChangeKind, type EntryChange, type TreeDiff, type TreeEntry } from './tree-entry';

/**
 * The changes that turn `a` into `b` (both in path order). Mtimes are not compared: a snapshot records a
 * tree, not when it was built, so the same tree always gives the same changes and the same digest.
 */
export function diffTrees(a: readonly TreeEntry[], b: readonly TreeEntry[]): TreeDiff {
  const added: TreeEntry[] = [];
  const removed: TreeEntry[] = [];
  const changed: EntryChange[] = [];
  /** Entries that `b` keeps exactly as `a` had them. */
  const kept: Array<[TreeEntry, TreeEntry]> = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    const x = a[i];
    const y = b[j];
    const order = x === undefined ? 1 : y === undefined ? -1 : comparePaths(x.path, y.path);
    if (order < 0) {
      removed.push(x as TreeEntry);
      i++;
    } else if (order > 0) {
      added.push(y as TreeEntry);
      j++;
    } else {
      const what = changes(x as TreeEntry, y as TreeEntry);
      if (what.length) changed.push({ path: (y as TreeEntry).path, before: x as TreeEntry, after: y as TreeEntry, what });
      else kept.push([x as TreeEntry, y as TreeEntry]);
      i++;
      j++;
    }
  }
  const still = relinkChanged(changed, kept);
  return { added, removed, changed, opaque: opaqueDirs(a, b, removed, still.map(([x]) => x.path)) };
}

function changes(x: TreeEntry, y: TreeEntry): ChangeKind[] {
  const what: ChangeKind[] = [];
  if (x.type !== y.type) what.push('type');
  if (x.sha256 !== y.sha256) what.push('content');
  if (x.size !== y.size) what.push('size');
  if (x.mode !== y.mode) what.push('mode');
  if (x.uid !== y.uid || x.gid !== y.gid) what.push('owner');
  if (x.linkname !== y.linkname) what.push('link');
  if (!sameXattrs(x.xattrs, y.xattrs)) what.push('xattrs');
  if (x.devmajor !== y.devmajor || x.devminor !== y.devminor) what.push('device');
  return what;
}

function sameXattrs(x: ReadonlyMap<string, Buffer>, y: ReadonlyMap<string, Buffer>): boolean {
  if (x.size !== y.size) return false;
  for (const [k, v] of x) {
    const w = y.get(k);
    if (!w || !w.equals(v)) return false;
  }
  return true;
}

/**
 * A hard link shares its target's inode: when a layer writes the target again, it must make the link again
 * too. Such links move from `kept` to `changed`, with what changed about their target.
 */
function relinkChanged(changed: EntryChange[], kept: Array<[TreeEntry, TreeEntry]>): Array<[TreeEntry, TreeEntry]> {
  const rewritten = new Map<string, ChangeKind[]>(changed.map((c) => [c.path, c.what]));
  const still: Array<[TreeEntry, TreeEntry]> = [];
  let moved = false;
  for (const [x, y] of kept) {
    const what = y.type === 'hardlink' ? rewritten.get(y.linkname) : undefined;
    if (what) {
      changed.push({ path: y.path, before: x, after: y, what });
      moved = true;
    } else still.push([x, y]);
  }
  if (moved) changed.sort((p, q) => comparePaths(p.path, q.path));
  return still;
}

/** Directories in both trees where every path of `a` below them was removed or rewritten, and at least one removed. */
function opaqueDirs(a: readonly TreeEntry[], b: readonly TreeEntry[], removed: readonly TreeEntry[], kept: readonly string[]): string[] {
  const bDirs = new Set(b.filter((e) => e.type === 'dir').map((e) => e.path));
  const aDirs = new Set(a.filter((e) => e.type === 'dir').map((e) => e.path));
  const keeps = new Set<string>();
  for (const path of kept) for (let p = path; p !== ROOT; ) keeps.add((p = parentPath(p)));
  const out = new Set<string>();
  for (const r of removed) {
    const dir = parentPath(r.path);
    if (aDirs.has(dir) && bDirs.has(dir) && !keeps.has(dir)) out.add(dir);
  }
  return [...out].sort(comparePaths);
}
