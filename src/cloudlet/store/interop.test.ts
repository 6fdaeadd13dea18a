// The store is a plain OCI image layout: skopeo and umoci read what writeImage wrote, and the store reads skopeo's copy.

import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MEDIA } from './oci-docs';
import { Store } from './store';
import { writeImage } from './write-image';

let work: string;
let store: Store;
const refs = { base: 'stack/centos:7', derived: 'stack/centos-gnome:1' };
let digests: { base: string; derived: string; layers: string[] };

function run(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 120_000 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return r.stdout;
}

/** A GNU tar layer of `files`, moved into the store. */
async function tarLayer(name: string, files: Record<string, string>) {
  const dir = join(work, name);
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  const tmp = store.tempPath(name);
  run('tar', ['--sort=name', '--numeric-owner', '--owner=0', '--group=0', '--mtime=@0', '-C', dir, '-cf', tmp, '.']);
  return store.addBlobFile(tmp, MEDIA.layerTar);
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'cloudlet-interop-'));
  store = await Store.open(join(work, 'store'), { create: true });
  const l1 = await tarLayer('base', { 'etc/os-release': 'ID=centos\n', 'bin/sh': 'shell' });
  const baseDesc = await writeImage(store, { newLayer: l1, cloudletManifest: { name: 'centos' }, epoch: 1_700_000_000 });
  const l2 = await tarLayer('gnome', { 'usr/bin/gnome-shell': 'gnome' });
  const derivedDesc = await writeImage(store, { parent: await store.resolve(baseDesc.digest), newLayer: l2, cloudletManifest: { name: 'centos-gnome' }, epoch: 1_700_000_100 });
  await store.withLock('test', async () => {
    await store.setRef(refs.base, baseDesc);
    await store.setRef(refs.derived, derivedDesc);
  });
  digests = { base: baseDesc.digest, derived: derivedDesc.digest, layers: [l1.digest, l2.digest] };
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('interoperability of the store', () => {
  it('skopeo inspect oci:STORE:NAME:VERSION finds the image (a colon and slashes in the name are fine)', () => {
    const seen = JSON.parse(run('skopeo', ['inspect', `oci:${store.dir}:${refs.derived}`])) as { Digest: string; Layers: string[]; Architecture: string; Os: string };
    expect(seen).toMatchObject({ Digest: digests.derived, Layers: digests.layers, Architecture: 'amd64', Os: 'linux' });
    const raw = run('skopeo', ['inspect', '--raw', `oci:${store.dir}:${refs.base}`]);
    expect(Buffer.from(raw).equals(readFileSync(store.blobPath(digests.base)))).toBe(true);
  });

  it('umoci unpack --image STORE:NAME:VERSION applies both layers', () => {
    const bundle = join(work, 'bundle');
    run('umoci', ['unpack', '--rootless', '--image', `${store.dir}:${refs.derived}`, bundle]);
    expect(readFileSync(join(bundle, 'rootfs', 'etc', 'os-release'), 'utf8')).toBe('ID=centos\n');
    expect(readFileSync(join(bundle, 'rootfs', 'usr', 'bin', 'gnome-shell'), 'utf8')).toBe('gnome');
  });

  it('reads what skopeo copies into another layout, byte for byte with --preserve-digests', async () => {
    const copy = join(work, 'copy');
    run('skopeo', ['copy', '--preserve-digests', `oci:${store.dir}:${refs.derived}`, `oci:${copy}:${refs.derived}`]);
    const image = await (await Store.open(copy)).resolve(refs.derived);
    expect(image.digest).toBe(digests.derived);
    expect(image.config.cloudletManifest).toEqual({ name: 'centos-gnome' });
  });

  it('reads skopeo\'s default copy too, whose layers it gzips (a new manifest digest, the same diff_ids)', async () => {
    const copy = join(work, 'gzipped');
    run('skopeo', ['copy', `oci:${store.dir}:${refs.derived}`, `oci:${copy}:${refs.derived}`]);
    const image = await (await Store.open(copy)).resolve(refs.derived);
    expect(image.manifest.layers.map((l) => l.mediaType)).toEqual([`${MEDIA.layerTar}+gzip`, `${MEDIA.layerTar}+gzip`]);
    expect(image.config.diffIds).toEqual(digests.layers);
    expect(image.manifest.annotations['io.cloudlets.parent']).toBe(digests.base);
  });
});
