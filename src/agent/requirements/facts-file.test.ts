import { describe, expect, it } from 'vitest';
import { AgentError } from '../../errors';
import { parseFactsFile } from './facts-file';
import type { Facts } from './facts-types';

const good: Facts = {
  arch: 'x86_64',
  os: 'linux',
  kernelRelease: '6.1.0-13-amd64',
  hostname: 'web-1',
  cpus: 2,
  memoryBytes: 2063183872,
  cpuFlags: ['sse2', 'avx2'],
  hypervisor: 'kvm',
};

function errorOf(text: string): AgentError {
  try {
    parseFactsFile(text, 'm.json');
  } catch (err) {
    if (err instanceof AgentError) return err;
    throw err;
  }
  throw new Error('expected parseFactsFile to throw');
}

describe('parseFactsFile', () => {
  it('reads what `facts --json` prints', () => {
    expect(parseFactsFile(JSON.stringify(good, null, 2), 'm.json')).toEqual({ facts: good, ignoredKeys: [] });
  });

  it('ignores, and lists, keys a newer agent may add', () => {
    expect(parseFactsFile(JSON.stringify({ ...good, platform: 'ec2' }), 'm.json')).toEqual({ facts: good, ignoredKeys: ['platform'] });
  });

  it('reports every problem at once, each at its JSON path', () => {
    const { kernelRelease: _gone, ...rest } = good;
    const error = errorOf(JSON.stringify({ ...rest, cpus: 0, memoryBytes: '2G', cpuFlags: 'avx2', arch: '' }));
    expect(error.code).toBe('E_FACTS_INVALID');
    expect(error.exitCode).toBe(2);
    expect(error.problems).toEqual([
      { path: '/arch', message: 'must be a non-empty string' },
      { path: '/kernelRelease', message: 'is required' },
      { path: '/cpus', message: 'must be a whole number of at least 1' },
      { path: '/memoryBytes', message: 'must be a whole number of bytes' },
      { path: '/cpuFlags', message: 'must be a list of strings' },
    ]);
  });

  it('locates a JSON syntax error by line and column', () => {
    const error = errorOf('{\n  "arch": "x86_64",\n}');
    expect(error.code).toBe('E_FACTS_INVALID');
    expect(error.where).toBe('m.json:3:1');
    expect(error.message.split('\n').slice(1)).toEqual(['  | }', '  | ^']);
  });

  it('refuses a JSON value that is not an object', () => {
    expect(errorOf('[1,2]').problems).toEqual([{ path: '', message: 'must be an object' }]);
  });
});
