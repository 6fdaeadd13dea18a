import { describe, expect, it } from 'vitest';
import { canonicalJson, hexOf, stageKey } from './stage-key';

describe('stage keys', () => {
  it('do not depend on the order keys were written in', () => {
    expect(stageKey('disk', { b: 1, a: { y: 2, x: [3, { d: 1, c: 2 }] } })).toBe(stageKey('disk', { a: { x: [3, { c: 2, d: 1 }], y: 2 }, b: 1 }));
  });

  it('change with any input, with the stage name, and with array order', () => {
    const base = stageKey('disk', { size: 1, tools: ['a', 'b'] });
    expect(stageKey('disk', { size: 2, tools: ['a', 'b'] })).not.toBe(base);
    expect(stageKey('target', { size: 1, tools: ['a', 'b'] })).not.toBe(base);
    expect(stageKey('disk', { size: 1, tools: ['b', 'a'] })).not.toBe(base);
  });

  it('treat an undefined field as absent, so optional options do not move keys', () => {
    expect(canonicalJson({ a: 1, b: undefined })).toBe(canonicalJson({ a: 1 }));
  });

  it('are sha256 digests whose hex part can be taken out', () => {
    const key = stageKey('x', {});
    expect(hexOf(key)).toMatch(/^[0-9a-f]{64}$/);
    expect(() => hexOf('md5:abc')).toThrow(/not a sha256 digest/);
  });
});
