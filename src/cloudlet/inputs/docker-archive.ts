// Stages a `docker save` / `podman save` archive already unpacked into a work directory: manifest.json, config, layers.

import { lstat } from 'node:fs/promises';
import { joinRoot } from '../../system/root-path';
import { type StageContext, applyTarFile } from './apply-tar';
import { type DockerImage, checkPlatform, parseDockerManifest, parseImageConfig, pickDockerImage } from './image-json';
import { readJsonFile } from './json-file';
import type { ImageChoice } from './oci-layout';
import { badInput } from './input-errors';

const FIX = 'save the image again (docker save IMAGE -o FILE, or skopeo copy ... docker-archive:FILE:NAME:TAG)';

/** The images a manifest.json at the top of `dir` describes, or undefined when there is none (not an archive). */
export async function dockerImages(dir: string, max: number): Promise<DockerImage[] | undefined> {
  const path = `${dir}/manifest.json`;
  const st = await lstat(path).catch(() => undefined);
  if (!st?.isFile() || st.size > max) return undefined;
  try {
    return parseDockerManifest(await readJsonFile(path, max, path));
  } catch {
    return undefined;
  }
}

/** Applies the chosen image's layers in order, each checked against its diff id. */
export async function stageDockerArchive(dir: string, images: DockerImage[], ctx: StageContext, choice: ImageChoice, name: string): Promise<void> {
  const image = pickDockerImage(images, choice.ref, `${name} manifest.json`);
  const configWhere = `${name} ${image.config}`;
  // Members are named relative to the archive; joinRoot keeps them (and the links docker uses for shared layers) inside it.
  const config = parseImageConfig(await readJsonFile(await joinRoot(dir, `/${image.config}`), choice.limits.maxJsonBytes, configWhere), configWhere);
  checkPlatform(config, choice.platform, configWhere);
  const { layers } = image;
  if (layers.length > choice.limits.maxLayers) throw badInput(`${layers.length} layers, more than the limit of ${choice.limits.maxLayers}`, name, 'squash the image');
  if (config.diffIds.length !== layers.length) throw badInput(`${layers.length} layers but ${config.diffIds.length} diff ids in the config`, configWhere, FIX);
  for (const [i, layer] of layers.entries()) {
    const layerName = `${name} layer ${i + 1}/${layers.length} (${layer})`;
    const path = await joinRoot(dir, `/${layer}`);
    await applyTarFile({ path, name: layerName, layered: true, diffId: config.diffIds[i] as string }, ctx);
  }
}
