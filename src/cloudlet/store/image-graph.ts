// Every image the store knows: index.json's entries, the manifests of nested indexes, and each manifest's parents.

import { type Descriptor, type ImageManifest, isIndexType, isManifestType, parentOf, parseIndex, parseManifest, parseStoreJson, REF_NAME } from './oci-docs';
import { storeError } from './store-errors';
import { LIMITS } from './store-limits';
import type { Store } from './store';

export interface GraphNode {
  digest: string;
  mediaType: string;
  /** NAME:VERSION refs of index.json pointing here */
  refs: string[];
  /** false: named (by index.json, an index or a child's parent annotation) but not in blobs/ */
  present: boolean;
  /** an image manifest's content */
  manifest?: ImageManifest;
  /** an image index's entries */
  children: string[];
  /** reached only as some manifest's parent (not named by index.json or an index) */
  parentOnly: boolean;
}

/**
 * Reads each reachable manifest and index once, verified and bounded (`also`: images to include that
 * index.json may not name, such as an old version asked for by digest). A parent that is not in the store (an
 * image pulled without its ancestors) is recorded as absent, not an error; a damaged one is an error, because
 * what it references cannot be known.
 */
export async function readImageGraph(store: Store, also: readonly Descriptor[] = []): Promise<Map<string, GraphNode>> {
  const nodes = new Map<string, GraphNode>();
  const queue: Array<{ d: Descriptor; depth: number; asParent: boolean }> = [];
  for (const d of await store.indexEntries()) {
    const node = nodes.get(d.digest);
    const ref = d.annotations?.[REF_NAME];
    if (node) {
      if (ref !== undefined) node.refs.push(ref);
      continue;
    }
    nodes.set(d.digest, blank(d, ref, false));
    queue.push({ d, depth: 0, asParent: false });
  }
  // Names come from index.json alone: an `also` descriptor may be one of its entries, name and all.
  for (const d of also) visit({ mediaType: d.mediaType, digest: d.digest, size: d.size }, 0, false);
  while (queue.length > 0) {
    const { d, depth } = queue.shift() as (typeof queue)[number];
    const node = nodes.get(d.digest) as GraphNode;
    if (!(await store.hasBlob(d.digest))) continue;
    node.present = true;
    const where = `${store.dir} ${isIndexType(d.mediaType) ? 'index' : 'manifest'} ${d.digest}`;
    if (isIndexType(d.mediaType)) {
      if (depth >= LIMITS.indexDepth) throw storeError(`image indexes nested deeper than ${LIMITS.indexDepth}`, where, 'remove that entry with cloudlet rm');
      const children = parseIndex(parseStoreJson(await store.readBlobBytes(d.digest, LIMITS.manifestBytes), where, 'the index blob is damaged'), where, 'the index blob is damaged');
      for (const c of children) {
        node.children.push(c.digest);
        visit(c, depth + 1, false);
      }
    } else if (isManifestType(d.mediaType)) {
      node.manifest = parseManifest(parseStoreJson(await store.readBlobBytes(d.digest, LIMITS.manifestBytes), where, 'the manifest blob is damaged'), where);
      const parent = parentOf(node.manifest);
      if (parent !== undefined) visit({ mediaType: d.mediaType, digest: parent, size: 0 }, depth, true);
    }
  }
  return nodes;

  function visit(d: Descriptor, depth: number, asParent: boolean): void {
    const known = nodes.get(d.digest);
    if (known) {
      if (!asParent) known.parentOnly = false;
      return;
    }
    if (nodes.size >= LIMITS.manifests) throw storeError(`more than ${LIMITS.manifests} manifests reachable`, store.dir, 'remove names with cloudlet rm and run cloudlet gc');
    nodes.set(d.digest, blank(d, undefined, asParent));
    queue.push({ d, depth, asParent });
  }
}

function blank(d: Descriptor, ref: string | undefined, parentOnly: boolean): GraphNode {
  return { digest: d.digest, mediaType: d.mediaType, refs: ref === undefined ? [] : [ref], present: false, children: [], parentOnly };
}

/** The image manifests present in the graph. */
export function imageNodes(graph: ReadonlyMap<string, GraphNode>): GraphNode[] {
  return [...graph.values()].filter((n) => n.present && n.manifest !== undefined);
}
