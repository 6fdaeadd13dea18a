// The built executable tells first boots from later ones and clones, and keeps booting on a read-only root.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { makeImage, runAgent, runInNamespace, tempDir } from './harness';

const MANIFEST = {
  cloudlet: '0.0.4',
  name: 'inst',
  version: '1.0.0',
  platforms: ['cmdline'],
  templates: ['/etc/boot-kind'],
  entrypoints: { init: {} },
};
const TEMPLATE = '<%= env.firstBoot ? "first" : "again" %>\n';

const cleanups: Array<() => void> = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()?.();
});

function image() {
  const img = makeImage(MANIFEST, { '/etc/boot-kind': TEMPLATE });
  const run = tempDir('cloudlet-run-');
  cleanups.push(img.cleanup, run.cleanup);
  return { root: img.root, run: run.dir };
}

function status(run: string): Record<string, unknown> {
  return JSON.parse(readFileSync(join(run, 'cloudlet', 'status.json'), 'utf8')) as Record<string, unknown>;
}

describe('boot records', () => {
  it('the first run is a first boot, the second is not, and templates see which', () => {
    const { root, run } = image();
    const first = runAgent(['run', '--root', root, '--run-dir', run]);
    expect(first.code, first.stderr).toBe(0);
    expect(status(run).firstBoot).toBe(true);
    expect(readFileSync(join(root, 'etc/boot-kind'), 'utf8')).toBe('first\n');
    const second = runAgent(['run', '--root', root, '--run-dir', run]);
    expect(second.code, second.stderr).toBe(0);
    expect(status(run).firstBoot).toBe(false);
    expect(readFileSync(join(root, 'etc/boot-kind'), 'utf8')).toBe('again\n');
  });

  it('a read-only root still boots: the record is not kept, and the console says why', () => {
    const { root, run } = image();
    const r = runInNamespace(
      `mount --bind "$ROOT" "$ROOT"
       mount -o remount,bind,ro "$ROOT"
       $AGENT run --root "$ROOT" --run-dir "$RUN"`,
      { env: { ROOT: root, RUN: run } },
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/not recorded: \/var\/lib\/cloudlet is read-only/);
    expect(status(run).state).toBe('done');
  });
});
