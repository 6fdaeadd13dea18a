import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { MEDIA, PARENT } from './oci-docs';
import { Store } from './store';
import { imageDocs, writeImage } from './write-image';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

async function store(): Promise<Store> {
  const d = mkdtempSync(join(tmpdir(), 'cloudlet-write-'));
  dirs.push(d);
  return Store.open(d, { create: true });
}

describe('writeImage', () => {
  it('gives the same digest for the same layer, manifest, parent and epoch, in two stores', async () => {
    const digests: string[] = [];
    for (const s of [await store(), await store()]) {
      const layer = await s.addBlobBytes(Buffer.from('tar bytes'), MEDIA.layerTar);
      digests.push((await writeImage(s, { newLayer: layer, cloudletManifest: { b: 1, a: 2 }, epoch: 1_700_000_000 })).digest);
    }
    expect(digests[0]).toBe(digests[1]);
  });

  it('gives a different digest when the epoch or the Cloudlet manifest differ', async () => {
    const s = await store();
    const layer = await s.addBlobBytes(Buffer.from('tar bytes'), MEDIA.layerTar);
    const a = await writeImage(s, { newLayer: layer, cloudletManifest: null, epoch: 1 });
    const b = await writeImage(s, { newLayer: layer, cloudletManifest: null, epoch: 2 });
    const c = await writeImage(s, { newLayer: layer, cloudletManifest: { name: 'x' }, epoch: 1 });
    expect(new Set([a.digest, b.digest, c.digest]).size).toBe(3);
  });

  it('writes a base image: an amd64/linux config with diff_ids, history, created and the Cloudlet manifest', async () => {
    const s = await store();
    const layer = await s.addBlobBytes(Buffer.from('base'), MEDIA.layerTar);
    const desc = await writeImage(s, { newLayer: layer, cloudletManifest: { name: 'base' }, epoch: 86400 });
    const image = await s.resolve(desc.digest);
    expect(desc.mediaType).toBe(MEDIA.manifest);
    expect(image.manifest.layers).toEqual([{ mediaType: MEDIA.layerTar, digest: layer.digest, size: layer.size }]);
    expect(image.manifest.annotations).toEqual({ 'org.opencontainers.image.created': '1970-01-02T00:00:00Z' });
    expect(image.config).toMatchObject({ created: '1970-01-02T00:00:00Z', diffIds: [layer.digest], cloudletManifest: { name: 'base' } });
    expect(image.config.raw).toMatchObject({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers' }, history: [{ created: '1970-01-02T00:00:00Z', created_by: 'cloudlet snapshot' }] });
  });

  it('writes a derived image: the parent layers then the new one, and the parent digest as an annotation', async () => {
    const s = await store();
    const l1 = await s.addBlobBytes(Buffer.from('one'), MEDIA.layerTar);
    const l2 = await s.addBlobBytes(Buffer.from('two'), MEDIA.layerTar);
    const parent = await s.resolve((await writeImage(s, { newLayer: l1, cloudletManifest: null, epoch: 10 })).digest);
    const child = await s.resolve((await writeImage(s, { parent, newLayer: l2, cloudletManifest: { v: 2 }, epoch: 20 })).digest);
    expect(child.manifest.layers.map((l) => l.digest)).toEqual([l1.digest, l2.digest]);
    expect(child.config.diffIds).toEqual([l1.digest, l2.digest]);
    expect(child.manifest.annotations[PARENT]).toBe(parent.digest);
    expect((child.config.raw as { history: unknown[] }).history).toHaveLength(2);
  });

  it('refuses a compressed new layer: its digest would not be its diff_id', () => {
    const layer = { mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: `sha256:${'1'.repeat(64)}`, size: 1 };
    expect(() => imageDocs({ newLayer: layer, cloudletManifest: null, epoch: 0 })).toThrow(/uncompressed/);
  });
});
