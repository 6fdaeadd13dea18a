import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { imageSource, isRegistryRef } from './image-source';
import { MEDIA } from './oci-docs';
import { Store } from './store';
import { writeImage } from './write-image';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

function scratch(): string {
  const d = mkdtempSync(join(tmpdir(), 'cloudlet-source-'));
  dirs.push(d);
  return d;
}

describe('imageSource', () => {
  it('keeps an existing path, with its --ref', async () => {
    const file = join(scratch(), 'image.tar');
    writeFileSync(file, '');
    expect(await imageSource(file, { storeDir: () => '/nonexistent', ref: 'app:1' })).toEqual({ path: file, ref: 'app:1' });
  });

  it('turns a store reference into the store layout, the name stageImage picks, and the manifest digest', async () => {
    const store = await Store.open(join(scratch(), 'store'), { create: true });
    const layer = await store.addBlobBytes(Buffer.from('x'), MEDIA.layerTar);
    const desc = await writeImage(store, { newLayer: layer, cloudletManifest: null, epoch: 0 });
    await store.withLock('t', () => store.setRef('app:1', desc));
    const want = { path: store.dir, ref: 'app:1', digest: desc.digest };
    expect(await imageSource('app:1', { storeDir: () => store.dir })).toEqual(want);
    expect(await imageSource(desc.digest.slice(7, 20), { storeDir: () => store.dir })).toEqual(want);
  });

  it('refuses an unnamed image, an unknown name, and a --ref beside a store reference', async () => {
    const store = await Store.open(join(scratch(), 'store'), { create: true });
    const desc = await writeImage(store, { cloudletManifest: null, epoch: 0 });
    await expect(imageSource(desc.digest, { storeDir: () => store.dir })).rejects.toMatchObject({ code: 'E_REF', fix: expect.stringContaining('cloudlet tag') });
    await expect(imageSource('nothere:1', { storeDir: () => store.dir })).rejects.toMatchObject({ code: 'E_REF' });
    await expect(imageSource('app:1', { storeDir: () => store.dir, ref: 'x' })).rejects.toMatchObject({ code: 'E_USAGE' });
  });

  it('says a missing path that is no reference does not exist', async () => {
    await expect(imageSource('./no/such image.tar', { storeDir: () => scratch() })).rejects.toMatchObject({ code: 'E_BAKE_INPUT', message: expect.stringMatching(/does not exist/) });
  });

  it('hands registry references to the registry client, which checks them before any connection', async () => {
    expect(isRegistryRef('localhost:5000/app:1')).toBe(true);
    expect(isRegistryRef('registry.example/app')).toBe(true);
    expect(isRegistryRef('stack/centos:7')).toBe(false);
    await expect(imageSource('localhost:5000/App:1', { storeDir: () => scratch() })).rejects.toMatchObject({ code: 'E_USAGE', message: expect.stringContaining('not a repository name') });
  });
});

describe('imageSource without a store', () => {
  it('says the name is neither a path nor in a store, rather than only that the store is missing', async () => {
    await expect(imageSource('rootfs', { storeDir: () => join(scratch(), 'none') })).rejects.toMatchObject({ code: 'E_BAKE_INPUT', message: expect.stringMatching(/does not exist, and there is no image store/) });
  });
});
