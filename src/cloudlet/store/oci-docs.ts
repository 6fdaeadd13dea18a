// The OCI documents of the store (index.json, image manifests, configs): parsed, bounded and checked. No I/O.

import { parseJsonText } from '../../manifest/json-text';
import { DIGEST } from './refs';
import { FIX_DAMAGED_BLOB, storeError } from './store-errors';
import { LIMITS } from './store-limits';

export const MEDIA = {
  index: 'application/vnd.oci.image.index.v1+json',
  manifest: 'application/vnd.oci.image.manifest.v1+json',
  config: 'application/vnd.oci.image.config.v1+json',
  layerTar: 'application/vnd.oci.image.layer.v1.tar',
} as const;
export const DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json';
export const DOCKER_LIST = 'application/vnd.docker.distribution.manifest.list.v2+json';
export const REF_NAME = 'org.opencontainers.image.ref.name';
export const CREATED = 'org.opencontainers.image.created';
export const PARENT = 'io.cloudlets.parent';

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  annotations?: Record<string, string>;
  /** kept as read so an index entry another tool wrote survives rewrites of index.json */
  platform?: Record<string, unknown>;
}

export interface ImageManifest {
  config: Descriptor;
  layers: Descriptor[];
  annotations: Record<string, string>;
}

export interface ImageConfig {
  created: string;
  diffIds: string[];
  cloudletManifest: unknown | null;
  raw: unknown;
}

export function isIndexType(mediaType: string): boolean {
  return mediaType === MEDIA.index || mediaType === DOCKER_LIST;
}

export function isManifestType(mediaType: string): boolean {
  return mediaType === MEDIA.manifest || mediaType === DOCKER_MANIFEST;
}

/** Bytes of a store document as JSON, nesting bounded; `where` names the file or blob. */
export function parseStoreJson(bytes: Buffer, where: string, fix: string): unknown {
  const parsed = parseJsonText(bytes.toString('utf8'));
  if (!parsed.ok) throw storeError(`not valid JSON at line ${parsed.line}, column ${parsed.column}: ${parsed.reason}`, where, fix);
  return parsed.value;
}

export function parseDescriptor(value: unknown, where: string, fix: string): Descriptor {
  const d = object(value, where, fix);
  const { mediaType, digest, size } = d;
  if (typeof mediaType !== 'string' || mediaType.length > 255) throw storeError('a descriptor without a valid mediaType', where, fix);
  if (typeof digest !== 'string' || !DIGEST.test(digest)) throw storeError(`digest ${JSON.stringify(String(digest).slice(0, 80))} is not sha256:<64 hex>`, where, fix);
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) throw storeError(`bad size ${JSON.stringify(size)} in a descriptor`, where, fix);
  const out: Descriptor = { mediaType, digest, size };
  if (d.annotations !== undefined) {
    const annotations: Record<string, string> = {};
    for (const [k, v] of Object.entries(object(d.annotations, `${where} annotations`, fix))) if (typeof v === 'string') annotations[k] = v;
    out.annotations = annotations;
  }
  if (typeof d.platform === 'object' && d.platform !== null && !Array.isArray(d.platform)) out.platform = d.platform as Record<string, unknown>;
  return out;
}

/** The manifests listed by index.json or a nested index. */
export function parseIndex(value: unknown, where: string, fix: string): Descriptor[] {
  const { manifests } = object(value, where, fix);
  if (manifests === undefined) return [];
  if (!Array.isArray(manifests)) throw storeError('"manifests" is not a list', where, fix);
  if (manifests.length > LIMITS.indexEntries) throw storeError(`${manifests.length} entries, more than the limit of ${LIMITS.indexEntries}`, where, fix);
  return manifests.map((m, i) => parseDescriptor(m, `${where} manifests[${i}]`, fix));
}

export function parseManifest(value: unknown, where: string): ImageManifest {
  const m = object(value, where, FIX_DAMAGED_BLOB);
  if (m.schemaVersion !== 2) throw storeError('not an image manifest (schemaVersion is not 2)', where, FIX_DAMAGED_BLOB);
  if (!Array.isArray(m.layers)) throw storeError('an image manifest without "layers"', where, FIX_DAMAGED_BLOB);
  if (m.layers.length > LIMITS.layers) throw storeError(`${m.layers.length} layers, more than the limit of ${LIMITS.layers}`, where, 'squash the image into fewer layers');
  const annotations: Record<string, string> = {};
  if (m.annotations !== undefined) for (const [k, v] of Object.entries(object(m.annotations, where, FIX_DAMAGED_BLOB))) if (typeof v === 'string') annotations[k] = v;
  const parent = annotations[PARENT];
  if (parent !== undefined && !DIGEST.test(parent)) throw storeError(`its ${PARENT} annotation is not a sha256 digest`, where, FIX_DAMAGED_BLOB);
  return {
    config: parseDescriptor(m.config, `${where} config`, FIX_DAMAGED_BLOB),
    layers: m.layers.map((l, i) => parseDescriptor(l, `${where} layers[${i}]`, FIX_DAMAGED_BLOB)),
    annotations,
  };
}

export function parseConfig(value: unknown, where: string): ImageConfig {
  const c = object(value, where, FIX_DAMAGED_BLOB);
  const rootfs = c.rootfs === undefined ? {} : object(c.rootfs, `${where} rootfs`, FIX_DAMAGED_BLOB);
  const ids = rootfs.diff_ids ?? [];
  if (!Array.isArray(ids) || ids.length > LIMITS.layers || !ids.every((d) => typeof d === 'string' && DIGEST.test(d))) {
    throw storeError(`rootfs.diff_ids is not a list of at most ${LIMITS.layers} sha256 digests`, where, FIX_DAMAGED_BLOB);
  }
  const cloudlet = c.cloudlet;
  const cloudletManifest = typeof cloudlet === 'object' && cloudlet !== null && !Array.isArray(cloudlet) ? ((cloudlet as { manifest?: unknown }).manifest ?? null) : null;
  return { created: typeof c.created === 'string' ? c.created : '', diffIds: ids as string[], cloudletManifest, raw: value };
}

/** The parent digest a manifest names, if any. */
export function parentOf(manifest: ImageManifest): string | undefined {
  return manifest.annotations[PARENT];
}

function object(value: unknown, where: string, fix: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw storeError('expected a JSON object', where, fix);
  return value as Record<string, unknown>;
}
