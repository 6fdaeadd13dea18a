// The JSON documents of OCI layouts and docker archives: checked, and the one image picked by ref and platform. No I/O.

import { badInput } from './input-errors';

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  annotations: Record<string, string>;
  platform?: { os?: string; architecture?: string; variant?: string };
}

export interface Platform {
  os: string;
  architecture: string;
}

export const INDEX_TYPES = ['application/vnd.oci.image.index.v1+json', 'application/vnd.docker.distribution.manifest.list.v2+json'];
export const MANIFEST_TYPES = ['application/vnd.oci.image.manifest.v1+json', 'application/vnd.docker.distribution.manifest.v2+json'];

const REF_NAME = 'org.opencontainers.image.ref.name';
const CONTAINERD_NAME = 'io.containerd.image.name';
const FIX_LAYOUT = 'the image layout is damaged; export it again (for example skopeo copy ... oci:DIR:TAG)';

const ARCH_ALIASES: Record<string, string> = { x86_64: 'amd64', x64: 'amd64', aarch64: 'arm64' };

/** "linux/amd64" (or "linux/x86_64") as a platform. */
export function parsePlatform(text: string): Platform {
  const [os = '', arch = ''] = text.split('/');
  return { os, architecture: ARCH_ALIASES[arch] ?? arch };
}

export function parseJson(bytes: Buffer, where: string): unknown {
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch (err) {
    throw badInput(`not valid JSON: ${(err as Error).message}`, where, FIX_LAYOUT);
  }
}

export function parseDescriptor(value: unknown, where: string): Descriptor {
  const d = object(value, where);
  const { mediaType, digest, size } = d;
  if (typeof mediaType !== 'string') throw badInput('descriptor without a mediaType', where, FIX_LAYOUT);
  if (typeof digest !== 'string' || !/^sha256:[0-9a-f]{64}$/.test(digest)) {
    throw badInput(`digest ${JSON.stringify(digest)} is not a sha256 digest ("sha256:" and 64 hex digits)`, where, 'only sha256 digests are supported; export the image again');
  }
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) throw badInput(`bad size ${JSON.stringify(size)} in descriptor`, where, FIX_LAYOUT);
  const annotations: Record<string, string> = {};
  if (d.annotations !== undefined) for (const [k, v] of Object.entries(object(d.annotations, where))) if (typeof v === 'string') annotations[k] = v;
  const platform = d.platform === undefined ? undefined : (object(d.platform, where) as Descriptor['platform']);
  return { mediaType, digest, size, annotations, ...(platform ? { platform } : {}) };
}

/** The manifests an index lists. */
export function indexManifests(index: unknown, where: string): Descriptor[] {
  const { manifests } = object(index, where);
  if (!Array.isArray(manifests)) throw badInput('index without a "manifests" list', where, FIX_LAYOUT);
  return manifests.map((m, i) => parseDescriptor(m, `${where} manifests[${i}]`));
}

/**
 * The top-level image: the one named by `ref` (a tag, a name:tag, or a digest), else the only one, else the
 * only one for `platform`. An ambiguous or unknown ref is an error listing what there is.
 */
export function pickManifest(manifests: Descriptor[], ref: string | undefined, platform: Platform, where: string): Descriptor {
  const names = manifests.map(refNames);
  if (ref !== undefined) {
    const hits = manifests.filter((m, i) => m.digest === ref || (names[i] as string[]).some((n) => sameRef(n, ref)));
    if (hits.length === 1) return hits[0] as Descriptor;
    if (hits.length > 1) return pickPlatform(hits, platform, where);
    throw badInput(`no image named "${ref}"; it has ${listing(names)}`, where, 'pass one of those names as the image reference');
  }
  if (manifests.length === 1) return manifests[0] as Descriptor;
  if (manifests.length === 0) throw badInput('the index lists no image', where, FIX_LAYOUT);
  const forPlatform = manifests.filter((m) => m.platform && matchesPlatform(m.platform, platform));
  if (forPlatform.length === 1) return forPlatform[0] as Descriptor;
  throw badInput(`several images and none chosen; it has ${listing(names)}`, where, 'choose one with the image reference (--ref NAME)');
}

/** The one manifest of a (nested) index for `platform`. */
export function pickPlatform(manifests: Descriptor[], platform: Platform, where: string): Descriptor {
  const hits = manifests.filter((m) => m.platform && matchesPlatform(m.platform, platform));
  if (hits.length === 1) return hits[0] as Descriptor;
  const have = manifests.map((m) => (m.platform ? `${m.platform.os}/${m.platform.architecture}${m.platform.variant ? '/' + m.platform.variant : ''}` : 'unknown')).join(', ');
  throw badInput(`${hits.length === 0 ? 'no' : 'more than one'} image for ${platform.os}/${platform.architecture}; the index has ${have || 'nothing'}`, where, 'pull or export the image for this platform');
}

export interface ImageManifest {
  config: Descriptor;
  layers: Descriptor[];
}

export function parseImageManifest(value: unknown, where: string): ImageManifest {
  const m = object(value, where);
  if (!Array.isArray(m.layers)) throw badInput('image manifest without "layers"', where, FIX_LAYOUT);
  return { config: parseDescriptor(m.config, `${where} config`), layers: m.layers.map((l, i) => parseDescriptor(l, `${where} layers[${i}]`)) };
}

export interface ImageConfig {
  diffIds: string[];
  os?: string;
  architecture?: string;
}

export function parseImageConfig(value: unknown, where: string): ImageConfig {
  const c = object(value, where);
  const rootfs = c.rootfs === undefined ? {} : object(c.rootfs, where);
  const ids = rootfs.diff_ids ?? [];
  if (!Array.isArray(ids) || !ids.every((d) => typeof d === 'string' && /^sha256:[0-9a-f]{64}$/.test(d))) {
    throw badInput('image config has malformed rootfs.diff_ids', where, FIX_LAYOUT);
  }
  return {
    diffIds: ids as string[],
    ...(typeof c.os === 'string' ? { os: c.os } : {}),
    ...(typeof c.architecture === 'string' ? { architecture: c.architecture } : {}),
  };
}

/** Refuses an image built for another machine (when its config says which). */
export function checkPlatform(config: ImageConfig, platform: Platform, where: string): void {
  const arch = config.architecture === undefined ? undefined : (ARCH_ALIASES[config.architecture] ?? config.architecture);
  if ((config.os !== undefined && config.os !== platform.os) || (arch !== undefined && arch !== platform.architecture)) {
    throw badInput(`the image is for ${config.os ?? '?'}/${config.architecture ?? '?'}, not ${platform.os}/${platform.architecture}`, where, `use an image built for ${platform.os}/${platform.architecture}`);
  }
}

export interface DockerImage {
  config: string;
  layers: string[];
  repoTags: string[];
}

/** manifest.json of a `docker save` archive, or undefined when the document is not one. */
export function parseDockerManifest(value: unknown): DockerImage[] | undefined {
  if (!Array.isArray(value) || value.length === 0) return undefined;
  const images: DockerImage[] = [];
  for (const v of value) {
    if (typeof v !== 'object' || v === null) return undefined;
    const { Config, Layers, RepoTags } = v as Record<string, unknown>;
    if (typeof Config !== 'string' || !Array.isArray(Layers) || !Layers.every((l) => typeof l === 'string')) return undefined;
    const tags = Array.isArray(RepoTags) ? RepoTags.filter((t): t is string => typeof t === 'string') : [];
    images.push({ config: Config, layers: Layers as string[], repoTags: tags });
  }
  return images;
}

export function pickDockerImage(images: DockerImage[], ref: string | undefined, where: string): DockerImage {
  if (ref !== undefined) {
    const hit = images.find((i) => i.repoTags.some((t) => sameRef(t, ref)));
    if (hit) return hit;
    throw badInput(`no image named "${ref}"; it has ${listing(images.map((i) => i.repoTags))}`, where, 'pass one of those names as the image reference');
  }
  if (images.length === 1) return images[0] as DockerImage;
  throw badInput(`several images and none chosen; it has ${listing(images.map((i) => i.repoTags))}`, where, 'choose one with the image reference (--ref NAME)');
}

function refNames(d: Descriptor): string[] {
  return [d.annotations[REF_NAME], d.annotations[CONTAINERD_NAME]].filter((n): n is string => n !== undefined);
}

/** "debian:12" matches "docker.io/library/debian:12"; a name without a tag means ":latest". */
function sameRef(name: string, ref: string): boolean {
  return normalRef(name) === normalRef(ref);
}

function normalRef(ref: string): string {
  let r = ref.replace(/^(docker\.io\/library\/|docker\.io\/|localhost\/)/, '');
  if (!/:[^/]*$/.test(r) && !r.includes('@')) r += ':latest';
  return r;
}

function listing(names: string[][]): string {
  const all = names.map((n) => (n.length ? n.join(' = ') : '(untagged)'));
  return all.length ? all.join(', ') : 'no images';
}

function matchesPlatform(p: NonNullable<Descriptor['platform']>, want: Platform): boolean {
  return p.os === want.os && (ARCH_ALIASES[p.architecture ?? ''] ?? p.architecture) === want.architecture;
}

function object(value: unknown, where: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw badInput('expected a JSON object', where, FIX_LAYOUT);
  return value as Record<string, unknown>;
}
