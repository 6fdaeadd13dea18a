// A manifest digest from a prefix of its hex digits: unique among the images the store knows, or E_REF.

import { imageNodes, readImageGraph } from './image-graph';
import { shortDigest } from './refs';
import { refError } from './store-errors';
import type { Store } from './store';

export async function findByPrefix(store: Store, hex: string, text: string): Promise<string> {
  const hits = imageNodes(await readImageGraph(store)).filter((n) => n.digest.startsWith(`sha256:${hex}`));
  if (hits.length === 1) return (hits[0] as (typeof hits)[number]).digest;
  if (hits.length === 0) throw refError(`no image in the store ${store.dir} has a digest starting with ${hex}`, text, 'cloudlet log --tree lists the images and their digests');
  const names = hits.slice(0, 10).map((n) => `${shortDigest(n.digest)}${n.refs.length ? ` (${n.refs.join(', ')})` : ''}`);
  throw refError(`${hits.length} images have digests starting with ${hex}: ${names.join(', ')}`, text, 'give more hex digits, or the full sha256: digest');
}
