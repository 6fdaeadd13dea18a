// Push of a store image to a registry: HEAD each blob, mount or upload (chunked) only what is missing, then PUT the manifest.

import { AgentError } from '../../errors';
import { loadOrigins, mountSource, noteOrigins, saveOrigins } from './blob-origins';
import { MAX_MANIFEST, type RegistryClient } from './client';
import { planBlobs } from './push-plan';
import { formatRef, type RegistryRef } from './reference';
import type { BlobStore, Descriptor } from './store-port';

export interface PushReport {
  ref: string;
  target: string;
  digest: string;
  blobs: Array<{ digest: string; size: number; action: 'present' | 'mounted' | 'uploaded' }>;
  /** blob bytes sent (uploads), and bytes of blobs not sent because the registry had them or mounted them */
  sentBytes: number;
  skippedBytes: number;
  manifestBytes: number;
}

/** Streams a blob out of the store in PATCH chunks of at most `chunkBytes`, then closes the upload with its digest. */
async function upload(store: BlobStore, client: RegistryClient, blob: Descriptor, location: string, chunkBytes: number): Promise<void> {
  const stream = await store.openBlob(blob.digest);
  let next = location;
  let sent = 0;
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  const flush = async () => {
    const chunk = Buffer.concat(pending);
    pending = [];
    pendingBytes = 0;
    next = await client.uploadChunk(next, chunk, sent);
    sent += chunk.length;
  };
  for await (const piece of stream as AsyncIterable<Buffer>) {
    for (let at = 0; at < piece.length; ) {
      const take = Math.min(piece.length - at, chunkBytes - pendingBytes);
      pending.push(piece.subarray(at, at + take));
      pendingBytes += take;
      at += take;
      if (pendingBytes === chunkBytes) await flush();
    }
  }
  if (pendingBytes > 0) await flush();
  if (sent !== blob.size) throw new AgentError('E_STORE', `blob ${blob.digest} in the store has ${sent} bytes, not ${blob.size}`, { fix: 'the store is damaged: run "cloudlet gc" and snapshot or pull the image again' });
  await client.finishUpload(next, blob.digest);
}

export async function pushImage(store: BlobStore, localRef: string, target: RegistryRef, client: RegistryClient, chunkBytes: number): Promise<PushReport> {
  const image = await store.resolve(localRef);
  const tag = target.tag ?? 'latest';
  const manifest = await store.readBlobBytes(image.descriptor.digest, MAX_MANIFEST);
  const blobs = [image.manifest.config, ...image.manifest.layers];
  const present = new Set<string>();
  for (const b of blobs) if (await client.hasBlob(b.digest)) present.add(b.digest);
  const origins = await loadOrigins(store.dir);
  const steps = planBlobs(blobs, present, (d) => mountSource(origins, target.host, target.repo, d));
  const report: PushReport = { ref: localRef, target: formatRef({ ...target, tag }), digest: image.descriptor.digest, blobs: [], sentBytes: 0, skippedBytes: 0, manifestBytes: manifest.length };
  for (const step of steps) {
    const { digest, size } = step.blob;
    if (step.action === 'skip') {
      report.blobs.push({ digest, size, action: 'present' });
      report.skippedBytes += size;
      continue;
    }
    const session = step.action === 'mount' ? await client.mountBlob(digest, step.from) : await client.startUpload();
    if (session === true) {
      report.blobs.push({ digest, size, action: 'mounted' });
      report.skippedBytes += size;
      continue;
    }
    await upload(store, client, step.blob, session, chunkBytes);
    report.blobs.push({ digest, size, action: 'uploaded' });
    report.sentBytes += size;
  }
  const stored = await client.putManifest(tag, manifest, image.descriptor.mediaType);
  if (stored !== undefined && stored !== image.descriptor.digest) {
    throw new AgentError('E_REGISTRY', `${report.target}: the registry stored the manifest as ${stored}, not ${image.descriptor.digest}`, { fix: 'the registry rewrote the manifest; it does not keep images byte for byte' });
  }
  await saveOrigins(store.dir, noteOrigins(origins, target.host, target.repo, blobs.map((b) => b.digest)));
  return report;
}
