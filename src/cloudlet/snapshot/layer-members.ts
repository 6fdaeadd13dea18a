// What a layer holds for a diff: added and changed entries whole, whiteouts and opaque markers, in one fixed order. No I/O.

import { badInput } from '../inputs/input-errors';
import { ROOT, comparePaths, parentPath, type TreeDiff, type TreeEntry } from './tree-entry';

export const WHITEOUT = '.wh.';
export const OPAQUE = '.wh..wh..opq';

export type LayerMember =
  | { kind: 'put'; name: string; entry: TreeEntry }
  /** An empty file named .wh.NAME (or .wh..wh..opq): removes NAME (every child) of the layers below. */
  | { kind: 'whiteout'; name: string };

/**
 * The members of the layer that turns the parent tree into the new one (OCI image-spec layer.md):
 * - added and changed entries in their entirety; an entry of another type simply replaces the old one
 *   (applying a layer removes the existing path unless both are directories), so a directory replaced
 *   by a file needs no whiteout for its children;
 * - one whiteout for the topmost removed path, nothing for what was below it;
 * - a directory below which nothing of the parent stays gets one opaque marker instead of a whiteout per child.
 * Sorted by path bytes, except that a directory's whiteouts come right after it, before its other children,
 * as the spec recommends; the same diff always gives the same members.
 */
export function layerMembers(diff: TreeDiff): LayerMember[] {
  const removed = new Set(diff.removed.map((e) => e.path));
  const replaced = new Set(diff.changed.filter((c) => c.before.type === 'dir' && c.after.type !== 'dir').map((c) => c.path));
  const opaque = new Set(diff.opaque);
  const keyed: Array<{ key: string; member: LayerMember }> = [];
  for (const entry of [...diff.added, ...diff.changed.map((c) => c.after)]) {
    const base = entry.path.slice(entry.path.lastIndexOf('/') + 1);
    if (base.startsWith(WHITEOUT)) {
      throw badInput(`"${entry.path}" cannot be stored in an image layer: names starting with ${WHITEOUT} mark deletions`, entry.path, 'rename the file');
    }
    const name = entry.path === ROOT ? './' : entry.type === 'dir' ? `${entry.path}/` : entry.path;
    keyed.push({ key: entry.path === ROOT ? '' : entry.path, member: { kind: 'put', name, entry } });
  }
  for (const dir of opaque) keyed.push({ key: `${dirPrefix(dir)}\0`, member: { kind: 'whiteout', name: `${dirPrefix(dir)}${OPAQUE}` } });
  for (const e of diff.removed) {
    const dir = parentPath(e.path);
    if (removed.has(dir) || replaced.has(dir) || opaque.has(dir)) continue;
    const base = e.path.slice(e.path.lastIndexOf('/') + 1);
    keyed.push({ key: `${dirPrefix(dir)}\0${WHITEOUT}${base}`, member: { kind: 'whiteout', name: `${dirPrefix(dir)}${WHITEOUT}${base}` } });
  }
  keyed.sort((a, b) => comparePaths(a.key, b.key));
  return keyed.map((k) => k.member);
}

function dirPrefix(dir: string): string {
  return dir === ROOT ? '' : `${dir}/`;
}
