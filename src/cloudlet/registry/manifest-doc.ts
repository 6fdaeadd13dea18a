// Reads a manifest a registry sent: an image manifest (OCI or Docker v2) or an index (-> linux/amd64), checked and bounded. Pure.

import { createHash } from 'node:crypto';
import { AgentError } from '../../errors';
import { parseJsonText } from '../../manifest/json-text';
import { DIGEST } from './reference';
import type { Descriptor } from './store-port';

export interface ImageDoc {
  kind: 'image';
  mediaType: string;
  config: Descriptor;
  layers: Descriptor[];
}

export interface IndexDoc {
  kind: 'index';
  mediaType: string;
  manifests: Array<Descriptor & { platform?: { os?: string; architecture?: string } }>;
}

const INDEX_TYPES = new Set(['application/vnd.oci.image.index.v1+json', 'application/vnd.docker.distribution.manifest.list.v2+json']);
const IMAGE_TYPES = new Set(['application/vnd.oci.image.manifest.v1+json', 'application/vnd.docker.distribution.manifest.v2+json']);
const MAX_LAYERS = 1000;
/** A blob larger than this is not a layer of an image we bake; refusing it bounds what a registry can make us write. */
const MAX_BLOB = 64 * 1024 ** 3;
const MEDIA_TYPE = /^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}\/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}$/;

export function sha256Digest(bytes: Buffer): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

function garbage(where: string, why: string): AgentError {
  return new AgentError('E_REGISTRY', `the manifest ${where} is not a usable image manifest: ${why}`, {
    where,
    fix: 'check the reference; the registry sent something that is not an OCI or Docker v2 image manifest or index',
  });
}

function descriptor(v: unknown, where: string, at: string): Descriptor {
  const d = v as Partial<Descriptor> | null;
  if (!d || typeof d !== 'object') throw garbage(where, `${at} is not a descriptor`);
  if (typeof d.digest !== 'string' || !DIGEST.test(d.digest)) throw garbage(where, `${at}.digest is not a sha256 digest`);
  if (typeof d.size !== 'number' || !Number.isSafeInteger(d.size) || d.size < 0 || d.size > MAX_BLOB) throw garbage(where, `${at}.size is not a size up to ${MAX_BLOB} bytes`);
  if (typeof d.mediaType !== 'string' || !MEDIA_TYPE.test(d.mediaType)) throw garbage(where, `${at}.mediaType is not a media type`);
  return { mediaType: d.mediaType, digest: d.digest, size: d.size };
}

/** `contentType` is the registry's Content-Type; the document's own mediaType wins when it has one. */
export function parseManifestDoc(bytes: Buffer, contentType: string, where: string): ImageDoc | IndexDoc {
  const parsed = parseJsonText(bytes.toString('utf8'), 16);
  if (!parsed.ok) throw garbage(where, `not JSON (line ${parsed.line}, column ${parsed.column}: ${parsed.reason})`);
  const doc = parsed.value as { schemaVersion?: unknown; mediaType?: unknown; config?: unknown; layers?: unknown; manifests?: unknown } | null;
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) throw garbage(where, 'not a JSON object');
  if (doc.schemaVersion !== 2) throw garbage(where, 'schemaVersion is not 2');
  const mediaType = typeof doc.mediaType === 'string' ? doc.mediaType : contentType;
  if (INDEX_TYPES.has(mediaType) || (!IMAGE_TYPES.has(mediaType) && Array.isArray(doc.manifests))) {
    if (!Array.isArray(doc.manifests) || doc.manifests.length > MAX_LAYERS) throw garbage(where, 'an index without a list of manifests');
    return {
      kind: 'index',
      mediaType: INDEX_TYPES.has(mediaType) ? mediaType : 'application/vnd.oci.image.index.v1+json',
      manifests: doc.manifests.map((m, i) => {
        const platform = (m as { platform?: { os?: unknown; architecture?: unknown } }).platform;
        return { ...descriptor(m, where, `manifests[${i}]`), ...(platform && typeof platform === 'object' ? { platform: { os: String(platform.os), architecture: String(platform.architecture) } } : {}) };
      }),
    };
  }
  if (!Array.isArray(doc.layers)) throw garbage(where, 'no layers');
  if (doc.layers.length > MAX_LAYERS) throw garbage(where, `more than ${MAX_LAYERS} layers`);
  return {
    kind: 'image',
    mediaType: IMAGE_TYPES.has(mediaType) ? mediaType : 'application/vnd.oci.image.manifest.v1+json',
    config: descriptor(doc.config, where, 'config'),
    layers: doc.layers.map((l, i) => descriptor(l, where, `layers[${i}]`)),
  };
}

/** The linux/amd64 image of an index. */
export function pickPlatform(index: IndexDoc, where: string): Descriptor {
  const found = index.manifests.find((m) => m.platform?.os === 'linux' && m.platform.architecture === 'amd64');
  if (!found) {
    const have = index.manifests.map((m) => (m.platform ? `${m.platform.os}/${m.platform.architecture}` : 'unnamed')).join(', ') || 'none';
    throw new AgentError('E_REGISTRY', `the index ${where} has no linux/amd64 image (it has: ${have})`, { where, fix: 'pull a reference that has a linux/amd64 image' });
  }
  return found;
}

/** Refuses manifest bytes whose digest is not the one asked for (or the one the registry named). */
export function checkManifestDigest(bytes: Buffer, expected: string | undefined, where: string): string {
  const actual = sha256Digest(bytes);
  if (expected !== undefined && expected.startsWith('sha256:') && expected !== actual) {
    throw new AgentError('E_REGISTRY', `the manifest ${where} has digest ${actual}, not ${expected}: refused`, { where, fix: 'the registry or something between it and you changed the manifest; do not use it' });
  }
  return actual;
}
