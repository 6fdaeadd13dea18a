// A new image version: its config and manifest blobs, built from the parent, the new layer and the Cloudlet manifest.

import { canonicalJson } from './canonical-json';
import { CREATED, type Descriptor, MEDIA, PARENT } from './oci-docs';
import { storeError } from './store-errors';
import { LIMITS } from './store-limits';
import type { ResolvedImage, Store } from './store';

export interface NewImage {
  parent?: ResolvedImage;
  /** an uncompressed tar layer (its digest is its diff_id) */
  newLayer?: Descriptor;
  /** the image's /.cloudlet/manifest, or null when it has none */
  cloudletManifest: unknown | null;
  /** seconds since the epoch stamped as the image's creation time */
  epoch: number;
}

export interface ImageDocs {
  config: Record<string, unknown>;
  /** the manifest without its config descriptor, which needs the config's digest */
  manifest: (config: Descriptor) => Record<string, unknown>;
}

/** The config and manifest of a new version as plain data: the same inputs give the same documents. No I/O. */
export function imageDocs(p: NewImage): ImageDocs {
  if (!Number.isSafeInteger(p.epoch) || p.epoch < 0) throw new RangeError(`writeImage: epoch ${p.epoch} is not whole seconds since 1970`);
  if (p.newLayer && p.newLayer.mediaType !== MEDIA.layerTar) {
    throw storeError(`a new layer must be ${MEDIA.layerTar} (uncompressed, so its digest is its diff_id), not ${p.newLayer.mediaType}`, p.newLayer.digest, 'write the layer as an uncompressed tar');
  }
  const created = new Date(p.epoch * 1000).toISOString().replace(/\.000Z$/, 'Z');
  const parentLayers = p.parent?.manifest.layers ?? [];
  const parentIds = p.parent?.config.diffIds ?? [];
  const layers = [...parentLayers, ...(p.newLayer ? [p.newLayer] : [])].map(plain);
  if (layers.length > LIMITS.layers) throw storeError(`${layers.length} layers, more than the limit of ${LIMITS.layers}`, p.parent?.digest ?? '', 'squash the image: snapshot its tree without --parent');
  const raw = (p.parent?.config.raw ?? {}) as Record<string, unknown>;
  const history = [...parentHistory(raw, parentLayers.length, p.parent?.config.created ?? created), ...(p.newLayer ? [{ created, created_by: 'cloudlet snapshot' }] : [])];
  const config: Record<string, unknown> = {
    architecture: 'amd64',
    os: 'linux',
    created,
    rootfs: { type: 'layers', diff_ids: [...parentIds, ...(p.newLayer ? [p.newLayer.digest] : [])] },
    history,
    cloudlet: { manifest: p.cloudletManifest ?? null },
    // The process settings of an image that came from a container registry keep applying to what derives from it.
    ...(isObject(raw.config) ? { config: raw.config } : {}),
  };
  const annotations: Record<string, string> = { [CREATED]: created, ...(p.parent ? { [PARENT]: p.parent.digest } : {}) };
  return {
    config,
    manifest: (configDesc) => ({ schemaVersion: 2, mediaType: MEDIA.manifest, config: plain(configDesc), layers, annotations }),
  };
}

/** Writes config + manifest blobs for a new version; returns the manifest descriptor (not yet named by any ref). */
export async function writeImage(store: Store, p: NewImage): Promise<Descriptor> {
  const docs = imageDocs(p);
  const config = await store.addBlobBytes(canonicalJson(docs.config), MEDIA.config);
  return store.addBlobBytes(canonicalJson(docs.manifest(config)), MEDIA.manifest);
}

/** The parent's history if it has one entry per layer (empty_layer entries aside); otherwise one made up per layer. */
function parentHistory(raw: Record<string, unknown>, layers: number, created: string): unknown[] {
  const h = raw.history;
  if (Array.isArray(h) && h.length <= LIMITS.historyEntries && h.every(isObject) && h.filter((e) => e.empty_layer !== true).length === layers) return h;
  return Array.from({ length: layers }, () => ({ created, created_by: 'cloudlet snapshot' }));
}

function plain(d: Descriptor): Descriptor {
  return { mediaType: d.mediaType, digest: d.digest, size: d.size };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
