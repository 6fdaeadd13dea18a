import { describe, expect, it } from 'vitest';
import { canonicalJson } from './canonical-json';

describe('canonicalJson', () => {
  it('sorts keys at every depth and leaves out whitespace', () => {
    const text = canonicalJson({ b: 1, a: { d: [true, null, 'x'], c: 'é' } }).toString('utf8');
    expect(text).toBe('{"a":{"c":"é","d":[true,null,"x"]},"b":1}');
  });

  it('gives the same bytes whatever order the keys were built in', () => {
    const one = canonicalJson({ z: 1, y: { q: 2, p: 3 } });
    const two = canonicalJson({ y: { p: 3, q: 2 }, z: 1 });
    expect(one.equals(two)).toBe(true);
  });

  it('leaves out undefined members and writes undefined array items as null, as JSON.stringify does', () => {
    expect(canonicalJson({ a: undefined, b: [undefined] }).toString()).toBe('{"b":[null]}');
  });

  it('refuses values JSON cannot hold instead of changing them', () => {
    expect(() => canonicalJson({ n: Number.NaN })).toThrow(/\$\.n is NaN/);
    expect(() => canonicalJson({ f: () => 1 })).toThrow(/function/);
    expect(() => canonicalJson(undefined)).toThrow(/undefined/);
  });
});
