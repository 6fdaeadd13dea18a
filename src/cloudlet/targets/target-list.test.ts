// Parsing --target: order, all, did-you-mean, every unknown name at once.

import { describe, expect, it } from 'vitest';
import { parseTargets, targetNames } from './target-list';
import { agentErrorOf as failure } from '../../test-support';

describe('parseTargets', () => {
  it('returns the named targets in table order, each once', () => {
    expect(parseTargets('vhd, raw,VHD').map((r) => r.name)).toEqual(['raw', 'vhd']);
  });

  it('takes all for every target', () => {
    expect(parseTargets('all').map((r) => r.name)).toEqual(targetNames());
  });

  it('suggests the target a typo meant', () => {
    const err = failure(() => parseTargets('raw,vmkd'));
    expect(err.code).toBe('E_BAKE_TARGET');
    expect(err.problems).toEqual([{ path: 'vmkd', message: 'unknown target; did you mean "vmdk"?' }]);
    expect(err.fix).toContain('qcow2');
  });

  it('reports every unknown name at once', () => {
    const err = failure(() => parseTargets('qcow,floppy,raw'));
    expect(err.problems.map((p) => p.path)).toEqual(['qcow', 'floppy']);
    expect(err.problems[0]?.message).toContain('"qcow2"');
    expect(err.problems[1]?.message).toBe('unknown target');
  });

  it('refuses an empty list', () => {
    expect(failure(() => parseTargets(' , ')).message).toBe('no target given');
  });
});
