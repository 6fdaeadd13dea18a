// What each member of an archive or layer does to the tree (put, whiteout, opaque), and what a whiteout removes. No I/O.

import type { TarEntry } from './tar-entry';
import { checkSymlinkTarget, joinParts, memberComponents, parentOf } from './member-path';
import { badInput, memberWhere } from './input-errors';

const WHITEOUT = '.wh.';
const OPAQUE = '.wh..wh..opq';
/** aufs bookkeeping (".wh..wh.plnk/", ".wh..wh.aufs"): never part of the image, nor is what is inside. */
const AUFS_META = '.wh..wh.';

export type MemberPlan =
  /** The archive's "./": attributes of the root itself. */
  | { kind: 'root' }
  /** Create or replace `path`; `link` is a hard link's target. */
  | { kind: 'put'; path: string; link?: string }
  /** Remove `path` as lower layers left it. */
  | { kind: 'whiteout'; path: string }
  /** Hide everything lower layers left below `dir`. */
  | { kind: 'opaque'; dir: string }
  | { kind: 'skip' };

/** Whiteout names mean something only in image layers; in a plain tarball they are ordinary files. */
export function planMember(entry: TarEntry, layered: boolean, archive: string): MemberPlan {
  const parts = memberComponents(entry.path, archive);
  if (parts.length === 0) {
    if (entry.type !== 'dir') throw badInput(`the image root "${entry.path}" is a ${entry.type}, not a directory`, memberWhere(archive, entry.path), 'make the archive again');
    return { kind: 'root' };
  }
  const base = parts[parts.length - 1] as string;
  const dir = joinParts(parts.slice(0, -1));
  if (layered && parts[0] !== OPAQUE && (parts[0] as string).startsWith(AUFS_META)) return { kind: 'skip' };
  if (layered && base.startsWith(WHITEOUT)) {
    if (base === OPAQUE) return { kind: 'opaque', dir };
    if (base.startsWith(AUFS_META)) return { kind: 'skip' };
    const name = base.slice(WHITEOUT.length);
    if (name === '' || name === '.' || name === '..') throw badInput(`whiteout "${entry.path}" names no file`, memberWhere(archive, entry.path), 'make the layer again');
    return { kind: 'whiteout', path: dir ? `${dir}/${name}` : name };
  }
  if (entry.type === 'symlink') checkSymlinkTarget(parts, entry, archive);
  if (entry.type === 'hardlink') {
    return { kind: 'put', path: joinParts(parts), link: joinParts(memberComponents(entry.linkname, archive, 'hard link target')) };
  }
  return { kind: 'put', path: joinParts(parts) };
}

/** The paths one layer has put so far, with their ancestors: what its own whiteouts must leave alone. */
export class LayerPaths {
  private readonly paths = new Set<string>();

  add(path: string): void {
    for (let p = path; p !== '' && !this.paths.has(p); p = parentOf(p)) this.paths.add(p);
  }

  has(path: string): boolean {
    return path === '' || this.paths.has(path);
  }
}

/** What the tree looks like, as much as pruning needs (an in-memory tree in tests, the staging tree for real). */
export interface TreeView {
  /** Names below `path`, or [] when it is not a directory. */
  children(path: string): string[];
  exists(path: string): boolean;
}

/**
 * Paths to remove so that nothing lower layers left remains at or below `path`, keeping what this layer
 * put: whiteouts apply to lower layers only, whatever order the layer lists its members in.
 */
export function lowerPaths(path: string, tree: TreeView, layer: LayerPaths): string[] {
  if (!tree.exists(path)) return [];
  if (!layer.has(path)) return [path];
  return tree.children(path).flatMap((c) => lowerPaths(path ? `${path}/${c}` : c, tree, layer));
}

/** Paths an opaque whiteout on `dir` removes: every child lower layers left, at any depth. */
export function opaquePaths(dir: string, tree: TreeView, layer: LayerPaths): string[] {
  if (!tree.exists(dir)) return [];
  return tree.children(dir).flatMap((c) => lowerPaths(dir ? `${dir}/${c}` : c, tree, layer));
}

