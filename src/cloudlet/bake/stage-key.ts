// Names a bake stage by a hash of everything that shapes its output: inputs, options, tool versions.

import { createHash } from 'node:crypto';

/** JSON with object keys sorted at every level, so equal values always give the same text. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[key];
      if (v !== undefined) out[key] = sortKeys(v);
    }
    return out;
  }
  return value;
}

/** "sha256:<hex>" of the stage's name and its canonical inputs. */
export function stageKey(stage: string, inputs: unknown): string {
  return `sha256:${createHash('sha256').update(stage).update('\0').update(canonicalJson(inputs)).digest('hex')}`;
}

/** The hex part of a "sha256:<hex>" digest. */
export function hexOf(digest: string): string {
  const m = /^sha256:([0-9a-f]{64})$/.exec(digest);
  if (!m?.[1]) throw new Error(`not a sha256 digest: ${digest}`);
  return m[1];
}
