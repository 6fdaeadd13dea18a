// Expands a valid manifest's short forms and normalizes its paths: the form every later step reads.

import { normalizeImagePath } from '../system/image-path';
import { createHash } from 'node:crypto';
import { DEFAULT_PLATFORMS } from './platform-names';
import type { Manifest, NormalizedManifest, PersistentSpec, TemplateSpec, VolatileSpec } from './types';

/** `manifest` must have passed the schema and the semantic checks; `bytes` is the file as read. */
export function normalizeManifest(manifest: Manifest, bytes: Uint8Array): NormalizedManifest {
  const { templates, persistent, volatile, platforms, ...rest } = manifest;
  return {
    ...rest,
    platforms: platforms ? [...platforms] : [...DEFAULT_PLATFORMS],
    templates: (templates ?? []).map((t): TemplateSpec => expand(t)),
    persistent: (persistent ?? []).map((p): PersistentSpec => expand(p)),
    volatile: (volatile ?? []).map((v): VolatileSpec => expand(v)),
    hash: createHash('sha256').update(bytes).digest('hex'),
  };
}

function expand<T extends { path: string }>(item: string | T): T | { path: string } {
  if (typeof item === 'string') return { path: normalizeImagePath(item) };
  return { ...item, path: normalizeImagePath(item.path) };
}
