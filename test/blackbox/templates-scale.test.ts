// Blackbox: an image with 10,000 templates renders, and boots, under the common limit of 1024 open files.

import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { agentCommand, makeImage, tempDir, type Tree } from './harness';

const COUNT = 10_000;
const OPEN_FILES = 1024;

const cleanups: Array<() => void> = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()?.();
});

function manyTemplates(): string {
  const paths = Array.from({ length: COUNT }, (_, i) => `/etc/many/d${Math.floor(i / 100)}/t${i}.conf`);
  const tree: Tree = {};
  for (const [i, p] of paths.entries()) tree[p] = `index=${i} name=<%= manifest.name %>\n`;
  const { root, cleanup } = makeImage({ cloudlet: '0.0.4', name: 'scale', platforms: [], templates: paths, entrypoints: { init: {} } }, tree);
  cleanups.push(cleanup);
  return root;
}

/** The agent under `prlimit --nofile`, so a descriptor leak or unbounded fan-out fails with EMFILE. */
function agentLimited(args: string[], namespace: boolean) {
  const limit = ['prlimit', `--nofile=${OPEN_FILES}`, '--'];
  const cmd = namespace ? ['unshare', '-m', '--propagation', 'private', ...limit, ...agentCommand()] : [...limit, ...agentCommand()];
  const r = spawnSync(cmd[0] as string, [...cmd.slice(1), ...args], { encoding: 'utf8', input: '', timeout: 600_000 });
  if (r.error) throw r.error;
  return r;
}

describe(`${COUNT} templates under a limit of ${OPEN_FILES} open files`, () => {
  it('renders every one', { timeout: 600_000 }, () => {
    const root = manyTemplates();
    const r = agentLimited(['render', '--root', root], false);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).not.toContain('EMFILE');
    for (const i of [0, 4321, COUNT - 1]) {
      expect(readFileSync(join(root, `etc/many/d${Math.floor(i / 100)}/t${i}.conf`), 'utf8')).toBe(`index=${i} name=scale\n`);
    }
  });

  it('plans and runs a boot of them', { timeout: 600_000 }, () => {
    const root = manyTemplates();
    const { dir, cleanup } = tempDir('cloudlet-scale-run-');
    cleanups.push(cleanup);
    const runDir = join(dir, 'run');
    const dry = agentLimited(['run', '--root', root, '--run-dir', runDir, '--dry-run'], true);
    expect(dry.status, dry.stderr).toBe(0);
    const real = agentLimited(['run', '--root', root, '--run-dir', runDir], true);
    expect(real.status, real.stderr).toBe(0);
    expect(readFileSync(join(root, `etc/many/d99/t${COUNT - 1}.conf`), 'utf8')).toBe(`index=${COUNT - 1} name=scale\n`);
  });
});
