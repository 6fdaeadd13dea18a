// The tree of a stored image, read from its layers (whiteouts applied, contents hashed) and cached as derived data.

import { createHash } from 'node:crypto';
import type { ResolvedImage, Store } from '../store';
import type { System } from '../../system/system';
import { Budget } from '../inputs/budget';
import { ByteReader } from '../inputs/byte-reader';
import { layerCompression, knownLayerTypes } from '../inputs/compression';
import { openInput } from '../inputs/input-stream';
import { badInput } from '../inputs/input-errors';
import { planMember } from '../inputs/layer-plan';
import { limitsWith } from '../inputs/limits';
import { readTar } from '../inputs/tar-reader';
import { readCachedEntries, writeCachedEntries } from './entries-cache';
import { applyLayer } from './apply-layer';
import { ROOT, comparePaths, type TreeEntry } from './tree-entry';

const NONE: ReadonlyMap<string, Buffer> = new Map();

/** The image's tree in path order: from the listings cache when it is there and parses, else from the layers (and cached). */
export async function imageEntries(store: Store, image: ResolvedImage, system: System): Promise<TreeEntry[]> {
  const cached = await readCachedEntries(store, image.digest);
  if (cached) return cached;
  const entries = await entriesFromLayers(store, image, system);
  await writeCachedEntries(store, image.digest, entries);
  return entries;
}

async function entriesFromLayers(store: Store, image: ResolvedImage, system: System): Promise<TreeEntry[]> {
  const tree = new Map<string, TreeEntry>();
  const budget = new Budget(limitsWith());
  const { layers } = image.manifest;
  for (const [i, layer] of layers.entries()) {
    const name = `${image.ref ?? image.digest} layer ${i + 1}/${layers.length} (${layer.digest})`;
    const compression = layerCompression(layer.mediaType);
    if (!compression) throw badInput(`unsupported layer type ${layer.mediaType}`, name, `layers must be one of: ${knownLayerTypes().join(', ')}`);
    const input = await openInput(store.blobPath(layer.digest), budget, system, name, { compression });
    const reader = new ByteReader(input.chunks);
    const puts: TreeEntry[] = [];
    const hidden: Array<{ path: string; opaque: boolean }> = [];
    try {
      for await (const member of readTar(reader, budget, name)) {
        const plan = planMember(member.entry, true, name);
        if (plan.kind === 'skip') continue;
        if (plan.kind === 'whiteout') hidden.push({ path: plan.path, opaque: false });
        else if (plan.kind === 'opaque') hidden.push({ path: plan.dir || ROOT, opaque: true });
        else {
          const e = member.entry;
          const content = e.type === 'file' ? await hashBody(member.body()) : { sha256: '', size: 0 };
          puts.push({
            path: plan.kind === 'root' ? ROOT : plan.path,
            type: e.type,
            mode: e.mode,
            uid: e.uid,
            gid: e.gid,
            ...content,
            linkname: plan.kind === 'put' && plan.link !== undefined ? plan.link : e.linkname,
            devmajor: e.devmajor,
            devminor: e.devminor,
            mtime: Math.floor(e.mtime),
            xattrs: e.type === 'hardlink' ? NONE : e.xattrs,
          });
        }
      }
      await reader.drain();
    } finally {
      await reader.close();
    }
    const raw = input.raw();
    if (raw.bytes !== layer.size || `sha256:${raw.sha256}` !== layer.digest) {
      throw badInput(`the layer blob does not match its descriptor (sha256:${raw.sha256}, ${raw.bytes} bytes)`, name, 'the store is damaged: pull or snapshot the image again');
    }
    applyLayer(tree, hidden, puts);
  }
  return [...tree.values()].sort((a, b) => comparePaths(a.path, b.path));
}

async function hashBody(body: AsyncGenerator<Buffer>): Promise<{ sha256: string; size: number }> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of body) {
    hash.update(chunk);
    size += chunk.length;
  }
  return { sha256: hash.digest('hex'), size };
}
