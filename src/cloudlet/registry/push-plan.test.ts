import { describe, expect, it } from 'vitest';
import { planBlobs } from './push-plan';

const b = (c: string) => ({ mediaType: 'm/t', digest: `sha256:${c.repeat(64)}`, size: 1 });

describe('planBlobs', () => {
  it('skips what the registry has, mounts what another repository has, uploads the rest, each blob once', () => {
    const steps = planBlobs([b('a'), b('b'), b('c'), b('b')], new Set([b('a').digest]), (d) => (d === b('b').digest ? 'other/repo' : undefined));
    expect(steps).toEqual([
      { blob: b('a'), action: 'skip' },
      { blob: b('b'), action: 'mount', from: 'other/repo' },
      { blob: b('c'), action: 'upload' },
    ]);
  });
});
