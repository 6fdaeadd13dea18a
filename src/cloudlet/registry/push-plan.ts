// What push does with each blob, from what the registry already has and where else the blob is known to be. Pure.

import type { Descriptor } from './store-port';

export type BlobStep = { blob: Descriptor; action: 'skip' } | { blob: Descriptor; action: 'mount'; from: string } | { blob: Descriptor; action: 'upload' };

/** Config first, then layers in order; a blob listed twice is handled once. */
export function planBlobs(blobs: readonly Descriptor[], present: ReadonlySet<string>, sourceOf: (digest: string) => string | undefined): BlobStep[] {
  const seen = new Set<string>();
  const steps: BlobStep[] = [];
  for (const blob of blobs) {
    if (seen.has(blob.digest)) continue;
    seen.add(blob.digest);
    const from = present.has(blob.digest) ? undefined : sourceOf(blob.digest);
    steps.push(present.has(blob.digest) ? { blob, action: 'skip' } : from ? { blob, action: 'mount', from } : { blob, action: 'upload' });
  }
  return steps;
}
