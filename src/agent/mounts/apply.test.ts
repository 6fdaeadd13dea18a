// Proves the tmpfs mount refuses sizes and modes that would smuggle extra mount options, before running mount.

import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { System } from '../../system/system';
import { applyAction } from './apply';

let root: string;
afterEach(() => rmSync(root, { recursive: true, force: true }));

function env(calls: string[][]) {
  root = mkdtempSync(join(tmpdir(), 'cloudlet-apply-'));
  mkdirSync(join(root, 'tmp'));
  const system = {
    hostPaths: { proc: '/proc', sys: '/sys', dev: '/dev', run: join(root, 'run') },
    exec: async (file: string, args: string[]) => {
      calls.push([file, ...args]);
      return { code: 0, signal: null, stdout: '', stderr: '' };
    },
    env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin' },
  } as unknown as System;
  return { system, root };
}

describe('applyAction tmpfs', () => {
  it.each([
    ['a size', { size: '1M,exec' }],
    ['a mode', { mode: '777,suid' }],
  ])('refuses %s with a comma and runs no mount', async (_what, extra) => {
    const calls: string[][] = [];
    const action = { kind: 'tmpfs' as const, path: '/tmp', seed: false, makeTarget: false, ...extra };
    await expect(applyAction(env(calls), action, 0)).rejects.toMatchObject({ code: 'E_MANIFEST_INVALID' });
    expect(calls).toEqual([]);
  });

  it('mounts a plain size and mode as given', async () => {
    const calls: string[][] = [];
    await applyAction(env(calls), { kind: 'tmpfs', path: '/tmp', size: '64M', mode: '1777', seed: false, makeTarget: false }, 0);
    const mount = calls.find((c) => c[0]?.endsWith('mount'));
    expect(mount?.slice(1)).toEqual(['-t', 'tmpfs', '-o', expect.stringMatching(/^mode=1777,uid=\d+,gid=\d+,size=64M$/), 'tmpfs', join(root, 'tmp')]);
  });
});
