// The history of an image (its parent chain) and the tree of derived images, as rows and lines. No I/O.

import { humanBytes } from '../bake/progress';
import { CREATED, parentOf } from './oci-docs';
import { imageNodes, type GraphNode } from './image-graph';
import { shortDigest } from './refs';
import { LIMITS } from './store-limits';

export interface ImageRow {
  digest: string;
  refs: string[];
  /** org.opencontainers.image.created of the manifest ('' if it has none) */
  created: string;
  /** bytes of the layers this version adds to its parent's */
  layerBytes: number;
  layers: number;
  parent?: string;
  /** the parent is named but not in this store (an image pulled without its ancestors) */
  parentMissing?: boolean;
}

export interface TreeNode {
  row: ImageRow;
  children: TreeNode[];
}

export function imageRow(node: GraphNode, graph: ReadonlyMap<string, GraphNode>): ImageRow {
  const m = node.manifest;
  const layers = m?.layers ?? [];
  const parent = m ? parentOf(m) : undefined;
  const parentNode = parent === undefined ? undefined : graph.get(parent);
  const parentLayers = parentNode?.manifest ? parentNode.manifest.layers.length : parent === undefined ? 0 : Math.max(layers.length - 1, 0);
  const own = layers.slice(Math.min(parentLayers, layers.length));
  return {
    digest: node.digest,
    refs: [...node.refs].sort(),
    created: m?.annotations[CREATED] ?? '',
    layerBytes: own.reduce((n, l) => n + l.size, 0),
    layers: layers.length,
    ...(parent !== undefined ? { parent } : {}),
    ...(parent !== undefined && !parentNode?.manifest ? { parentMissing: true } : {}),
  };
}

/** The image and its ancestors, newest first; stops at a base, a missing parent, or a loop. */
export function historyOf(graph: ReadonlyMap<string, GraphNode>, digest: string): ImageRow[] {
  const rows: ImageRow[] = [];
  const seen = new Set<string>();
  for (let d: string | undefined = digest; d !== undefined && !seen.has(d) && rows.length < LIMITS.manifests; ) {
    seen.add(d);
    const node = graph.get(d);
    if (!node?.manifest) break;
    const row = imageRow(node, graph);
    rows.push(row);
    d = row.parent;
  }
  return rows;
}

/** Base images (and images whose parent is not here) as roots, each with the images derived from it; or the subtree of `root`. */
export function derivationTree(graph: ReadonlyMap<string, GraphNode>, root?: string): TreeNode[] {
  const rows = imageNodes(graph).map((n) => imageRow(n, graph));
  const children = new Map<string, ImageRow[]>();
  for (const r of rows) if (r.parent !== undefined && !r.parentMissing) children.set(r.parent, [...(children.get(r.parent) ?? []), r]);
  const seen = new Set<string>();
  const build = (row: ImageRow): TreeNode => {
    seen.add(row.digest);
    const kids = (children.get(row.digest) ?? []).filter((c) => !seen.has(c.digest)).sort(byAge);
    return { row, children: kids.map(build) };
  };
  if (root !== undefined) {
    const r = rows.find((x) => x.digest === root);
    return r ? [build(r)] : [];
  }
  const roots = rows.filter((r) => r.parent === undefined || r.parentMissing).sort(byAge).map(build);
  // Images on a parent loop (a damaged or hand-made store) have no base; they are shown rather than hidden.
  for (const r of rows.sort(byAge)) if (!seen.has(r.digest)) roots.push(build(r));
  return roots;
}

export function rowText(row: ImageRow): string {
  const names = row.refs.length ? row.refs.join(', ') : '(no name)';
  const parent = row.parentMissing ? `  (parent ${shortDigest(row.parent as string)} not in this store)` : '';
  return `${shortDigest(row.digest)}  ${names}  ${row.created || '-'}  +${humanBytes(row.layerBytes)}${parent}`;
}

/** One line per image, children indented under their parent. */
export function treeLines(nodes: readonly TreeNode[], depth = 0): string[] {
  return nodes.flatMap((n) => [`${'  '.repeat(depth)}${rowText(n.row)}`, ...treeLines(n.children, depth + 1)]);
}

function byAge(a: ImageRow, b: ImageRow): number {
  const ka = `${a.created} ${a.refs[0] ?? '~'} ${a.digest}`;
  const kb = `${b.created} ${b.refs[0] ?? '~'} ${b.digest}`;
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}
