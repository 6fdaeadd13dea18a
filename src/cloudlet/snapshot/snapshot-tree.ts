// `cloudlet snapshot`: a tree (directory or any image input) stored as a new image version, one layer over its parent.

import { lstat, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { System } from '../../system/system';
import { type Descriptor, type ResolvedImage, type Store, parseNameRef, writeImage } from '../store';
import { stageImage } from '../inputs/stage-image';
import { readCloudletManifest } from './cloudlet-manifest';
import { diffTrees } from './diff-trees';
import { writeCachedEntries } from './entries-cache';
import { checkRepo, trackInGit, type TrackReport } from './git-track';
import { imageEntries } from './image-entries';
import { listingText } from './listing';
import type { TreeDiff, TreeEntry } from './tree-entry';
import { walkTree } from './walk-tree';
import { writeLayer } from './write-layer';

export interface SnapshotRequest {
  source: string;
  tag: string;
  parent?: string;
  git?: string;
  /** SOURCE_DATE_EPOCH: clamps mtimes and stamps the image; default the newest mtime of the tree. */
  epoch?: number;
}

export interface SnapshotReport {
  ref: string;
  digest: string;
  parent?: string;
  layer: Descriptor;
  added: number;
  removed: number;
  changed: number;
  git?: TrackReport;
}

/** Stores the tree as NAME:VERSION inside the store lock, so gc never sees the new blobs unreferenced. */
export async function snapshot(store: Store, req: SnapshotRequest, system: System): Promise<SnapshotReport> {
  const ref = parseNameRef(req.tag);
  if (req.git !== undefined) await checkRepo(system, resolve(req.git));
  return store.withLock(`snapshot ${ref}`, async () => {
    const parent = req.parent !== undefined ? await store.resolve(req.parent) : undefined;
    const staged = await treeOf(store, req.source, system);
    try {
      return await storeTree(store, { ...req, ref, root: staged.root, ...(parent ? { parentImage: parent } : {}) }, system);
    } finally {
      if (staged.cleanup) await rm(staged.cleanup, { recursive: true, force: true });
    }
  });
}

/** A plain directory is read in place; a tarball, OCI layout or docker archive is unpacked into the store's tmp/ first. */
async function treeOf(store: Store, source: string, system: System): Promise<{ root: string; cleanup?: string }> {
  const src = resolve(source);
  const st = await lstat(src).catch(() => undefined);
  const layout = st?.isDirectory() && (await lstat(join(src, 'oci-layout')).catch(() => undefined))?.isFile();
  if (st?.isDirectory() && !layout) return { root: src };
  const staging = store.tempPath('stage');
  const staged = await stageImage(src, staging, { system });
  return { root: staged.root, cleanup: staging };
}

interface StoreTree extends SnapshotRequest {
  ref: string;
  root: string;
  parentImage?: ResolvedImage;
}

async function storeTree(store: Store, req: StoreTree, system: System): Promise<SnapshotReport> {
  const before = req.parentImage ? await imageEntries(store, req.parentImage, system) : [];
  // A base layer copies every file: it hashes them as it goes instead of the walk reading them first.
  const entries = await walkTree(req.root, { system, hash: req.parentImage !== undefined, ...(req.epoch !== undefined ? { epoch: req.epoch } : {}) });
  const cloudletManifest = await readCloudletManifest(req.root);
  const diff = diffTrees(before, entries);
  const layer = await writeLayer(store, req.root, diff);
  const epoch = req.epoch ?? Math.max(0, ...entries.map((e) => e.mtime));
  const manifest = await writeImage(store, { ...(req.parentImage ? { parent: req.parentImage } : {}), newLayer: layer, cloudletManifest, epoch });
  await store.setRef(req.ref, manifest);
  await writeCachedEntries(store, manifest.digest, asStored(before, entries, diff));
  const counts = { added: diff.added.length, removed: diff.removed.length, changed: diff.changed.length };
  const git = req.git !== undefined ? await trackInGit(system, resolve(req.git), { ref: req.ref, digest: manifest.digest, cloudletManifest, listing: listingText(entries), counts }) : undefined;
  return { ref: req.ref, digest: manifest.digest, ...(req.parentImage ? { parent: req.parentImage.digest } : {}), layer, ...counts, ...(git ? { git } : {}) };
}

/** The new image's entries as its layers give them back: what the new layer did not write keeps the parent's mtime. */
function asStored(before: readonly TreeEntry[], after: readonly TreeEntry[], diff: TreeDiff): TreeEntry[] {
  const written = new Set([...diff.added.map((e) => e.path), ...diff.changed.map((c) => c.path)]);
  const old = new Map(before.map((e) => [e.path, e]));
  return after.map((e) => (written.has(e.path) ? e : (old.get(e.path) ?? e)));
}
