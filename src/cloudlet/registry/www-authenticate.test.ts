import { describe, expect, it } from 'vitest';
import { parseChallenges } from './www-authenticate';

describe('parseChallenges', () => {
  it('reads a bearer challenge whose scope holds commas and colons', () => {
    expect(parseChallenges('Bearer realm="https://auth.example.org/token",service="registry.example.org",scope="repository:a/b:pull,push"')).toEqual([
      { scheme: 'bearer', params: { realm: 'https://auth.example.org/token', service: 'registry.example.org', scope: 'repository:a/b:pull,push' } },
    ]);
  });

  it('reads several challenges, unquoted values and escapes', () => {
    expect(parseChallenges('Basic realm="a \\"b\\"", Bearer realm=x, service=y')).toEqual([
      { scheme: 'basic', params: { realm: 'a "b"' } },
      { scheme: 'bearer', params: { realm: 'x', service: 'y' } },
    ]);
  });

  it('gives nothing for garbage, and stops at an unterminated quote', () => {
    expect(parseChallenges('')).toEqual([]);
    expect(parseChallenges('"')).toEqual([]);
    expect(parseChallenges('Bearer realm="open')).toEqual([{ scheme: 'bearer', params: { realm: 'open' } }]);
  });
});
