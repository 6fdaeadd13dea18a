// Proves the mounts step runs its mounts in order with their exact arguments, and says exactly which mount failed and why.

import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { realSystem } from '../../system/real-system';
import type { System } from '../../system/system';
import { AgentError } from '../../errors';
import type { RunContext } from '../step';
import { mountsStep } from './step';
import type { MountPlan } from './types';

let dir: string;
let root: string;
let log: string;
let spawned: string[];

// A stand-in for mount(8) found first on PATH: logs its arguments; fails like mount does for a target named in FAIL_AT.
const FAKE_MOUNT = `#!/bin/sh
printf '%s\\n' "$*" >> "$MOUNT_LOG"
for a in "$@"; do last="$a"; done
if [ -n "$FAIL_AT" ] && [ "$last" = "$FAIL_AT" ]; then echo "mount: $last: special device is not a block device." >&2; exit 32; fi
exit 0
`;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'cloudlet-mounts-step-'));
  root = join(dir, 'root');
  for (const d of ['tmp', 'var/cache/app', 'data/a', 'data/b', 'srv/a', 'srv/b']) mkdirSync(join(root, d), { recursive: true });
  mkdirSync(join(dir, 'bin'));
  writeFileSync(join(dir, 'bin', 'mount'), FAKE_MOUNT);
  chmodSync(join(dir, 'bin', 'mount'), 0o755);
  log = join(dir, 'mount.log');
  writeFileSync(log, '');
  spawned = [];
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function context(failAt?: string): RunContext {
  const real = realSystem({ run: join(dir, 'run') });
  const env = { ...process.env, PATH: `${join(dir, 'bin')}:${process.env.PATH ?? '/usr/bin:/bin'}`, MOUNT_LOG: log, FAIL_AT: failAt ?? '' };
  const system: System = {
    ...real,
    env,
    exec: (file, args, options = {}) => {
      spawned.push(file);
      return real.exec(file, args, { ...options, env });
    },
  };
  return { system, options: { root, mode: 'run', entrypoint: 'init', dryRun: false }, reporter: { item: () => undefined }, state: {} } as unknown as RunContext;
}

const PLAN: MountPlan = {
  actions: [
    { kind: 'tmpfs', path: '/tmp', size: '64M', mode: '1777', seed: false, makeTarget: false },
    { kind: 'tmpfs', path: '/var/cache/app', seed: false, makeTarget: false },
    { kind: 'bind', source: '/data/a', target: '/srv/a', makeTarget: 'dir' },
    { kind: 'bind', source: '/data/b', target: '/srv/b', makeTarget: 'dir' },
  ],
  degradedPaths: [],
};

describe('mounts step apply', () => {
  it('runs its four mounts in order, each with its own arguments', async () => {
    await mountsStep.apply(PLAN, context());
    expect(spawned.filter((f) => f.endsWith('/mount'))).toHaveLength(4);
    const lines = readFileSync(log, 'utf8').trim().split('\n');
    expect(lines).toEqual([
      expect.stringMatching(new RegExp(`^-t tmpfs -o mode=1777,uid=\\d+,gid=\\d+,size=64M tmpfs ${join(root, 'tmp')}$`)),
      expect.stringMatching(new RegExp(`^-t tmpfs -o mode=\\d{4},uid=\\d+,gid=\\d+ tmpfs ${join(root, 'var/cache/app')}$`)),
      `-o bind ${join(root, 'data/a')} ${join(root, 'srv/a')}`,
      `-o bind ${join(root, 'data/b')} ${join(root, 'srv/b')}`,
    ]);
  });

  it('names the mount that failed, with its arguments and what mount said, and runs none after it', async () => {
    const target = join(root, 'srv/a');
    const err = await mountsStep.apply(PLAN, context(target)).then(() => undefined, (e: unknown) => e);
    if (!(err instanceof AgentError)) throw new Error(`expected an AgentError, got ${String(err)}`);
    expect(err.code).toBe('E_MOUNT');
    expect(err.message).toBe(`mount -o bind ${join(root, 'data/a')} ${target} failed: mount: ${target}: special device is not a block device.`);
    expect(err.where).toBe(target);
    expect(err.fix).toBe('check that /data/a exists on the volume');
    expect(readFileSync(log, 'utf8').trim().split('\n')).toHaveLength(3);
  });
});
