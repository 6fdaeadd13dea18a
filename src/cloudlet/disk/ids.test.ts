import { describe, expect, it } from 'vitest';
import { derivedUuid, derivedVolumeId } from './ids';

const UUID_V5 = /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('derived ids', () => {
  it('are name-based UUIDs (version 5, RFC variant), stable for a seed and purpose', () => {
    const a = derivedUuid('sha256:aa', 'disk');
    expect(a).toMatch(UUID_V5);
    expect(derivedUuid('sha256:aa', 'disk')).toBe(a);
  });

  it('differ between purposes and between seeds', () => {
    const purposes = ['disk', 'partition:esp', 'partition:root', 'ext4:uuid', 'ext4:hash-seed'] as const;
    const ids = purposes.map((p) => derivedUuid('sha256:aa', p));
    expect(new Set(ids).size).toBe(purposes.length);
    expect(derivedUuid('sha256:ab', 'disk')).not.toBe(ids[0]);
  });

  it('gives a FAT volume id of 8 upper-case hex digits that follows the seed', () => {
    expect(derivedVolumeId('sha256:aa')).toMatch(/^[0-9A-F]{8}$/);
    expect(derivedVolumeId('sha256:aa')).toBe(derivedVolumeId('sha256:aa'));
    expect(derivedVolumeId('sha256:ab')).not.toBe(derivedVolumeId('sha256:aa'));
  });
});
