// What bake reads for its IMAGE argument: a path as it is, or an image of the store staged from the store's OCI layout.

import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { AgentError } from '../../errors';
import { pullForBake } from '../registry/bake-pull';
import { parseRef } from './refs';
import { refError } from './store-errors';
import { Store } from './store';

export interface ImageSource {
  /** what stageImage reads: a directory, tarball, OCI layout or archive */
  path: string;
  /** which image of that layout (stageImage's ref) */
  ref?: string;
  /** the image's manifest digest when it is already known (it pins every byte, so the input need not be hashed) */
  digest?: string;
}

/**
 * HOST[:PORT]/REPO[:TAG]: a first path component that is a host (has a dot or a port, or is localhost), as
 * registries and container tools tell a registry from a name.
 */
export function isRegistryRef(text: string): boolean {
  const slash = text.indexOf('/');
  if (slash <= 0) return false;
  const host = text.slice(0, slash);
  if (!/^[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*(?::[0-9]+)?$/.test(host)) return false;
  return host === 'localhost' || host.includes('.') || host.includes(':');
}

/**
 * The image bake should stage for its IMAGE argument: an existing file or directory stays a path (with --ref
 * as given); a registry reference is pulled into the store first; anything else is an image of the store at `storeDir`.
 */
export async function imageSource(image: string, opts: { ref?: string; storeDir: () => string }): Promise<ImageSource> {
  if (existsSync(image)) return { path: resolve(image), ...(opts.ref ? { ref: opts.ref } : {}) };
  // A registry image is pulled into the store first (named as `cloudlet pull` names it), then baked from there.
  if (isRegistryRef(image)) image = await pullForBake(image, opts.storeDir(), process.env);
  if (opts.ref) throw new AgentError('E_USAGE', `--ref ${opts.ref} chooses an image of a layout or archive, but ${image} is not a file or directory`, { fix: 'give the layout as IMAGE with --ref, or a store reference alone' });
  const isRef = (() => {
    try {
      parseRef(image);
      return true;
    } catch {
      return false;
    }
  })();
  const storeDir = isRef ? opts.storeDir() : '';
  if (!isRef || !existsSync(join(storeDir, 'oci-layout'))) {
    throw new AgentError('E_BAKE_INPUT', `cannot read the image ${image}: it does not exist, and ${isRef ? `there is no image store at ${storeDir}` : 'it is not a store reference'}`, {
      where: image,
      fix: 'give an image directory, tarball, OCI layout, docker archive, or NAME:VERSION of the image store (--store DIR)',
    });
  }
  const store = await Store.open(storeDir);
  const found = await store.resolve(image);
  // stageImage picks from index.json by name: a digest several names share would be ambiguous to it.
  const name = found.ref ?? (await store.refs()).find((r) => r.descriptor.digest === found.digest)?.ref;
  if (name === undefined) throw refError(`${found.digest} has no name in the store`, image, `name it first: cloudlet tag ${found.digest} NAME:VERSION`);
  return { path: store.dir, ref: name, digest: found.digest };
}
