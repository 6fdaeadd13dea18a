import { describe, expect, it } from 'vitest';
import { agentErrorOf } from '../../test-support';
import { formatRef, isLoopback, manifestKey, parseRegistryRef } from './reference';

const D = `sha256:${'ab'.repeat(32)}`;

describe('parseRegistryRef', () => {
  it('splits host, port, nested repository, tag and digest', () => {
    expect(parseRegistryRef('127.0.0.1:5000/apps/web:1.0')).toEqual({ host: '127.0.0.1:5000', repo: 'apps/web', tag: '1.0' });
    expect(parseRegistryRef(`reg.example.org/a/b@${D}`)).toEqual({ host: 'reg.example.org', repo: 'a/b', digest: D });
    expect(parseRegistryRef(`[::1]:5000/x:t@${D}`)).toEqual({ host: '[::1]:5000', repo: 'x', tag: 't', digest: D });
    expect(parseRegistryRef('localhost/x')).toEqual({ host: 'localhost', repo: 'x' });
  });

  it.each([
    ['web:1.0', 'no registry host'],
    ['/web', 'no registry host'],
    ['https://reg.example.org/web', 'no scheme'],
    ['reg.example.org/Web', 'not a repository name'],
    ['reg.example.org/web:-x', 'not a tag'],
    ['reg.example.org/web@sha256:abc', 'not a sha256'],
    ['bad_host/web', 'not a host name'],
    ['reg.example.org/', 'not a repository name'],
  ])('refuses %s', (text, why) => {
    const err = agentErrorOf(() => parseRegistryRef(text));
    expect(err.code).toBe('E_USAGE');
    expect(err.message).toContain(why);
    expect(err.fix).toContain('HOST[:PORT]/REPO');
  });

  it('formats back what it parsed and names the manifest by digest first', () => {
    for (const t of ['127.0.0.1:5000/apps/web:1.0', `h.org/a@${D}`, `[::1]:1/x:t@${D}`]) expect(formatRef(parseRegistryRef(t))).toBe(t);
    expect(manifestKey(parseRegistryRef(`h.org/a:t@${D}`))).toBe(D);
    expect(manifestKey(parseRegistryRef('h.org/a'))).toBe('latest');
  });

  it('knows loopback hosts with or without a port', () => {
    expect(['127.0.0.1:5000', 'localhost', '[::1]:80'].map(isLoopback)).toEqual([true, true, true]);
    expect(['10.0.0.1:5000', 'localhost.example.org', '127.0.0.1.nip.io'].map(isLoopback)).toEqual([false, false, false]);
  });
});
