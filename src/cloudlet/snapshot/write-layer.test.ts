// Layers written from a real tree and read back: the same tree gives the same bytes, and the image's tree is the tree.

import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { realSystem } from '../../system/real-system';
import { Store, writeImage } from '../store';
import { diffTrees } from './diff-trees';
import { imageEntries } from './image-entries';
import { listingText } from './listing';
import { walkTree } from './walk-tree';
import { writeLayer } from './write-layer';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));
const system = realSystem();

function temp(prefix: string): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(d);
  return d;
}

function tree(): string {
  const root = temp('layer-tree-');
  mkdirSync(join(root, 'etc'));
  writeFileSync(join(root, 'etc', 'hosts'), '127.0.0.1 localhost\n');
  writeFileSync(join(root, `${'long-name-'.repeat(15)}.txt`), 'x'.repeat(5000));
  symlinkSync('etc/hosts', join(root, 'hosts'));
  return root;
}

/** Stores `dir` over `parent` as NAME:VERSION and returns the resolved image. */
async function store(s: Store, dir: string, ref: string, parent?: Awaited<ReturnType<Store['resolve']>>) {
  const before = parent ? await imageEntries(s, parent, system) : [];
  const layer = await writeLayer(s, dir, diffTrees(before, await walkTree(dir, { system, epoch: 1_700_000_000 })));
  const manifest = await writeImage(s, { ...(parent ? { parent } : {}), newLayer: layer, cloudletManifest: null, epoch: 1_700_000_000 });
  await s.withLock('test', () => s.setRef(ref, manifest));
  return { layer, image: await s.resolve(ref) };
}

describe('writeLayer', () => {
  it('writes the same bytes for the same tree, whenever its files were touched, given an epoch', async () => {
    const dir = tree();
    const s = await Store.open(temp('layer-store-'), { create: true });
    const one = await store(s, dir, 'a:1');
    utimesSync(join(dir, 'etc', 'hosts'), 1_800_000_000, 1_800_000_000);
    const two = await store(s, dir, 'a:2');
    expect(two.layer).toEqual(one.layer);
  });

  it('reads back, layer over layer, as the tree it was written from', async () => {
    const dir = tree();
    const s = await Store.open(temp('layer-store-'), { create: true });
    const base = await store(s, dir, 'a:1');
    rmSync(join(dir, 'etc'), { recursive: true });
    writeFileSync(join(dir, 'etc'), 'now a file\n');
    const derived = await store(s, dir, 'a:2', base.image);
    const want = listingText(await walkTree(dir, { system }));
    rmSync(join(s.dir, 'cache'), { recursive: true, force: true });
    expect(listingText(await imageEntries(s, derived.image, system))).toBe(want);
    // A cache file that does not parse is rebuilt from the layers.
    const cached = join(s.dir, 'cache', 'listings', derived.image.digest.slice('sha256:'.length));
    writeFileSync(cached, 'cloudlet-entries 1\n["truncated\n');
    expect(listingText(await imageEntries(s, derived.image, system))).toBe(want);
    expect(readFileSync(cached, 'utf8')).toContain('"etc","file"');
    expect(derived.layer.size).toBeLessThan(base.layer.size);
  });
});
