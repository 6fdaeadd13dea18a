// Applies one layer's members to an in-memory tree, as the extractor applies them to a directory. No I/O.

import { ROOT, parentPath, type TreeEntry } from './tree-entry';

const NONE: ReadonlyMap<string, Buffer> = new Map();

/**
 * One layer over the tree below it: whiteouts and opaque markers act on the lower layers only, whatever their
 * place in the layer; an entry replaces what was at its path (and below it, unless both are directories);
 * parents a layer never named are made as the extractor makes them (0755, root).
 */
export function applyLayer(tree: Map<string, TreeEntry>, hidden: ReadonlyArray<{ path: string; opaque: boolean }>, puts: readonly TreeEntry[]): void {
  if (hidden.length) {
    const gone = new Set(hidden.filter((h) => !h.opaque).map((h) => h.path));
    const emptied = new Set(hidden.filter((h) => h.opaque).map((h) => h.path));
    for (const path of tree.keys()) {
      if (path === ROOT) continue;
      for (let p = path, first = true; ; first = false) {
        if (gone.has(p) || (!first && emptied.has(p))) {
          tree.delete(path);
          break;
        }
        if (p === ROOT) break;
        p = parentPath(p);
      }
    }
  }
  for (const e of puts) {
    for (let p = parentPath(e.path); e.path !== ROOT && !tree.has(p); p = parentPath(p)) {
      tree.set(p, { path: p, type: 'dir', mode: 0o755, uid: 0, gid: 0, size: 0, sha256: '', linkname: '', devmajor: 0, devminor: 0, mtime: e.mtime, xattrs: NONE });
      if (p === ROOT) break;
    }
    const old = tree.get(e.path);
    if (old?.type === 'dir' && e.type !== 'dir') {
      const prefix = e.path === ROOT ? '' : `${e.path}/`;
      for (const path of tree.keys()) if (path.startsWith(prefix)) tree.delete(path);
    }
    tree.set(e.path, e);
  }
}
