import { describe, expect, it } from 'vitest';
import { defaultLocalRef } from './pull';
import { parseRegistryRef } from './reference';

describe('defaultLocalRef', () => {
  it('names the image by the repository\'s last component and the tag, or the digest\'s start', () => {
    expect(defaultLocalRef(parseRegistryRef('h:1/apps/web:1.2'))).toBe('web:1.2');
    expect(defaultLocalRef(parseRegistryRef('h:1/web'))).toBe('web:latest');
    expect(defaultLocalRef(parseRegistryRef(`h:1/a/web@sha256:${'0123456789ab'.repeat(5)}0123`))).toBe('web:sha256-0123456789ab');
    expect(defaultLocalRef(parseRegistryRef(`h:1/web:t@sha256:${'f'.repeat(64)}`))).toBe('web:t');
  });
});
