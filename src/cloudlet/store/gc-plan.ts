// What gc keeps and removes: mark from the image graph, sweep every other blob. No I/O.

import type { GraphNode } from './image-graph';

export interface BlobFile {
  digest: string;
  size: number;
}

export interface GcPlan {
  keep: Set<string>;
  remove: BlobFile[];
  bytes: number;
}

/** Keeps each node of the graph (index.json's images, nested indexes, and their parents), their configs and layers. */
export function planGc(graph: ReadonlyMap<string, GraphNode>, blobs: readonly BlobFile[]): GcPlan {
  const keep = new Set<string>();
  for (const node of graph.values()) {
    keep.add(node.digest);
    if (node.manifest) {
      keep.add(node.manifest.config.digest);
      for (const l of node.manifest.layers) keep.add(l.digest);
    }
  }
  const remove = blobs.filter((b) => !keep.has(b.digest)).sort((a, b) => (a.digest < b.digest ? -1 : 1));
  return { keep, remove, bytes: remove.reduce((n, b) => n + b.size, 0) };
}
