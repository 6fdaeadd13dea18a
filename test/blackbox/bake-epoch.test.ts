// `cloudlet bake` without SOURCE_DATE_EPOCH takes its epoch from the image's newest mtime, in whole seconds,
// whatever the file system's sub-second times (a tree someone just edited has them).

import { readdirSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeImage, runCloudlet, tempDir } from './harness';

const MANIFEST = {
  cloudlet: '0.0.4',
  name: 'epoch',
  entrypoints: { kernel: { path: '/boot/vmlinuz' }, init: { path: '/sbin/init' } },
};
/** The newest mtime in the tree: whole seconds plus a fraction, as ext4 and tmpfs record them. */
const NEWEST = 1_700_000_123.75;

let image: { root: string; cleanup: () => void };
let out: { dir: string; cleanup: () => void };

function touchAll(dir: string, seconds: number): void {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) touchAll(p, seconds);
    utimesSync(p, seconds, seconds);
  }
  utimesSync(dir, seconds, seconds);
}

beforeAll(() => {
  image = makeImage(MANIFEST, { '/boot/vmlinuz': 'k'.repeat(100_000), '/sbin/init': { content: '#!/bin/sh\n', mode: 0o755 } });
  touchAll(image.root, 1_600_000_000.25);
  utimesSync(join(image.root, 'sbin/init'), NEWEST, NEWEST);
  out = tempDir('cloudlet-bake-epoch-');
});

afterAll(() => {
  image.cleanup();
  out.cleanup();
});

describe('bake epoch from the image', () => {
  it('is the newest mtime rounded down to a whole second', () => {
    const env: Record<string, string> = { XDG_CACHE_HOME: join(out.dir, 'cache') };
    const r = runCloudlet(['bake', image.root, '--target', 'raw', '--out', join(out.dir, 'out'), '--dry-run', '--json'], { env, timeoutMs: 120_000 });
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as { epoch: number };
    expect(report.epoch).toBe(Math.floor(NEWEST));
  });
});
