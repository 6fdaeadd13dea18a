import { describe, expect, it } from 'vitest';
import { agentErrorOf } from '../../test-support';
import { parseNameRef, parseRef, shortDigest } from './refs';

const HEX = 'ab'.repeat(32);

describe('parseRef', () => {
  it('reads NAME:VERSION, and NAME alone as NAME:latest', () => {
    expect(parseRef('centos:7')).toEqual({ kind: 'name', ref: 'centos:7' });
    expect(parseRef('stack/centos-gnome')).toEqual({ kind: 'name', ref: 'stack/centos-gnome:latest' });
    expect(parseRef('a.b_c-d/e:V1.2_rc-3')).toEqual({ kind: 'name', ref: 'a.b_c-d/e:V1.2_rc-3' });
  });

  it('reads a full digest and a prefix of 12 or more hex digits', () => {
    expect(parseRef(`sha256:${HEX}`)).toEqual({ kind: 'digest', digest: `sha256:${HEX}` });
    expect(parseRef(`sha256:${HEX.slice(0, 12)}`)).toEqual({ kind: 'prefix', hex: HEX.slice(0, 12) });
  });

  it('keeps the name reading of a bare hex string, which is also a valid name', () => {
    expect(parseRef(HEX.slice(0, 20))).toEqual({ kind: 'prefix', hex: HEX.slice(0, 20), ref: `${HEX.slice(0, 20)}:latest` });
    expect(parseRef('abcdef')).toEqual({ kind: 'name', ref: 'abcdef:latest' });
  });

  it('refuses malformed references with E_REF and the grammar as the fix', () => {
    for (const bad of ['', 'Upper:1', 'a//b', 'a:', 'a:-x', 'a:b:c', 'sha256:abc', 'sha256:xyz', '-a', `a:${'v'.repeat(129)}`, 'host:5000/repo:1']) {
      const err = agentErrorOf(() => parseRef(bad));
      expect(err.code, bad).toBe('E_REF');
      expect(err.fix).toMatch(/NAME\[:VERSION\]|hex digits/);
    }
  });

  it('keeps a huge reference out of the error message', () => {
    const err = agentErrorOf(() => parseRef(`A${'x'.repeat(100_000)}`));
    expect(err.message.length).toBeLessThan(200);
  });
});

describe('parseNameRef and shortDigest', () => {
  it('adds :latest and keeps an explicit version', () => {
    expect(parseNameRef('app')).toBe('app:latest');
    expect(parseNameRef('app:2')).toBe('app:2');
  });

  it('shortens a digest to 12 hex digits', () => {
    expect(shortDigest(`sha256:${HEX}`)).toBe(HEX.slice(0, 12));
  });
});
