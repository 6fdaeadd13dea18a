// Stages an OCI image layout: index -> (nested index by platform) -> manifest -> config, then each layer in order.

import { lstat } from 'node:fs/promises';
import { join } from 'node:path';
import type { InputLimits } from './limits';
import { type StageContext, applyTarFile } from './apply-tar';
import { layerCompression, knownLayerTypes } from './compression';
import { type Descriptor, INDEX_TYPES, MANIFEST_TYPES, type Platform, checkPlatform, indexManifests, parseImageConfig, parseImageManifest, pickManifest, pickPlatform } from './image-json';
import { readJsonFile } from './json-file';
import { badInput } from './input-errors';

export interface ImageChoice {
  ref: string | undefined;
  platform: Platform;
  limits: InputLimits;
}

const MAX_INDEX_DEPTH = 4;
const FIX = 'export the image again (for example skopeo copy docker-daemon:IMAGE oci:DIR:TAG)';

/** Applies the chosen image's layers; returns the digest of its manifest, which pins everything it was read from. */
export async function stageOciLayout(dir: string, ctx: StageContext, choice: ImageChoice, name = dir): Promise<string> {
  const layout = await readJsonFile(join(dir, 'oci-layout'), choice.limits.maxJsonBytes, `${name}/oci-layout`);
  if (typeof (layout as { imageLayoutVersion?: unknown } | null)?.imageLayoutVersion !== 'string') {
    throw badInput('oci-layout has no imageLayoutVersion', `${name}/oci-layout`, FIX);
  }
  const indexWhere = `${name}/index.json`;
  const index = await readJsonFile(join(dir, 'index.json'), choice.limits.maxJsonBytes, indexWhere);
  let desc = pickManifest(indexManifests(index, indexWhere), choice.ref, choice.platform, indexWhere);
  for (let depth = 0; INDEX_TYPES.includes(desc.mediaType); depth++) {
    const where = `${name} index ${desc.digest}`;
    if (depth >= MAX_INDEX_DEPTH) throw badInput(`indexes nested deeper than ${MAX_INDEX_DEPTH}`, where, FIX);
    desc = pickPlatform(indexManifests(await readBlob(dir, desc, choice, where), where), choice.platform, where);
  }
  const where = `${name} manifest ${desc.digest}`;
  if (!MANIFEST_TYPES.includes(desc.mediaType)) throw badInput(`unsupported manifest type ${desc.mediaType}`, where, FIX);
  const manifest = parseImageManifest(await readBlob(dir, desc, choice, where), where);
  const config = parseImageConfig(await readBlob(dir, manifest.config, choice, `${name} config`), `${name} config`);
  checkPlatform(config, choice.platform, `${name} config`);
  await applyLayers(dir, manifest.layers, config.diffIds, ctx, choice.limits, name);
  return desc.digest;
}

/**
 * Applies an image's layers, in order, from the layout at `dir`: each blob's type, presence and size checked
 * first, its digest and diff id as it is read. `name` names the image in errors.
 */
export async function applyLayers(dir: string, layers: ReadonlyArray<Pick<Descriptor, 'mediaType' | 'digest' | 'size'>>, diffIds: readonly string[], ctx: StageContext, limits: InputLimits, name: string): Promise<void> {
  if (layers.length > limits.maxLayers) throw badInput(`${layers.length} layers, more than the limit of ${limits.maxLayers}`, name, 'squash the image');
  if (diffIds.length !== layers.length) throw badInput(`${layers.length} layers but ${diffIds.length} diff ids in the config`, name, FIX);
  for (const [i, layer] of layers.entries()) {
    const layerName = `${name} layer ${i + 1}/${layers.length} (${layer.digest})`;
    const compression = layerCompression(layer.mediaType);
    if (!compression) throw badInput(`unsupported layer type ${layer.mediaType}`, layerName, `layers must be one of: ${knownLayerTypes().join(', ')}`);
    const path = blobPath(dir, layer);
    const st = await lstat(path).catch(() => undefined);
    if (!st?.isFile()) throw badInput('the layer blob is missing', layerName, FIX);
    if (st.size !== layer.size) throw badInput(`the layer blob is ${st.size} bytes, but its descriptor says ${layer.size}`, layerName, FIX);
    await applyTarFile({ path, name: layerName, layered: true, compression, digest: layer.digest, size: layer.size, diffId: diffIds[i] as string }, ctx);
  }
}

function readBlob(dir: string, desc: Descriptor, choice: ImageChoice, where: string): Promise<unknown> {
  return readJsonFile(blobPath(dir, desc), choice.limits.maxJsonBytes, where, { digest: desc.digest, size: desc.size });
}

/** parseDescriptor has checked the digest is sha256 and 64 hex digits, so this stays inside blobs/. */
function blobPath(dir: string, desc: Pick<Descriptor, 'digest'>): string {
  return join(dir, 'blobs', 'sha256', desc.digest.slice('sha256:'.length));
}
