// Pull of a registry image into the store: verified manifest, missing blobs fetched and verified, then the ref, all under the store lock.

import { AgentError } from '../../errors';
import { fetchBlob } from './blob-fetch';
import { loadOrigins, noteOrigins, saveOrigins } from './blob-origins';
import type { RegistryClient } from './client';
import { checkManifestDigest, parseManifestDoc, pickPlatform, type ImageDoc } from './manifest-doc';
import { formatRef, manifestKey, type RegistryRef } from './reference';
import type { BlobStore } from './store-port';

export interface PullReport {
  source: string;
  ref: string;
  digest: string;
  blobs: Array<{ digest: string; size: number; action: 'present' | 'fetched' }>;
  fetchedBytes: number;
  presentBytes: number;
}

/** The local ref a pull makes by default: the repository's last component and the tag (for a digest alone, sha256-<12 hex>). */
export function defaultLocalRef(source: RegistryRef): string {
  const version = source.tag ?? (source.digest !== undefined ? `sha256-${source.digest.slice(7, 19)}` : 'latest');
  return `${source.repo.split('/').pop()}:${version}`;
}

async function imageManifest(client: RegistryClient, source: RegistryRef): Promise<{ bytes: Buffer; doc: ImageDoc; digest: string }> {
  const where = formatRef(source);
  const first = await client.getManifest(manifestKey(source));
  const digest = checkManifestDigest(first.bytes, source.digest ?? first.digest, where);
  const doc = parseManifestDoc(first.bytes, first.mediaType, where);
  if (doc.kind === 'image') return { bytes: first.bytes, doc, digest };
  const chosen = pickPlatform(doc, where);
  const second = await client.getManifest(chosen.digest);
  const inner = parseManifestDoc(second.bytes, second.mediaType, `${where} (linux/amd64)`);
  if (inner.kind !== 'image') throw new AgentError('E_REGISTRY', `the index ${where} points at another index for linux/amd64`, { fix: 'pull the linux/amd64 image by its digest' });
  return { bytes: second.bytes, doc: inner, digest: checkManifestDigest(second.bytes, chosen.digest, where) };
}

/** `openStore` runs once the manifest is in hand: a pull refused by the registry leaves no store behind. */
export async function pullImage(openStore: () => Promise<BlobStore>, source: RegistryRef, localRef: string, client: RegistryClient): Promise<PullReport> {
  const { bytes, doc, digest } = await imageManifest(client, source);
  const store = await openStore();
  const report: PullReport = { source: formatRef(source), ref: localRef, digest, blobs: [], fetchedBytes: 0, presentBytes: 0 };
  const blobs = [doc.config, ...doc.layers];
  await store.withLock(`pull ${report.source}`, async () => {
    for (const blob of blobs) {
      if (await store.hasBlob(blob.digest, blob.size)) {
        report.blobs.push({ digest: blob.digest, size: blob.size, action: 'present' });
        report.presentBytes += blob.size;
        continue;
      }
      await fetchBlob(store, client, blob);
      report.blobs.push({ digest: blob.digest, size: blob.size, action: 'fetched' });
      report.fetchedBytes += blob.size;
    }
    const stored = await store.addBlobBytes(bytes, doc.mediaType);
    await store.setRef(localRef, { mediaType: doc.mediaType, digest: stored.digest, size: stored.size });
  });
  await saveOrigins(store.dir, noteOrigins(await loadOrigins(store.dir), source.host, source.repo, blobs.map((b) => b.digest)));
  return report;
}
