import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { MEDIA, REF_NAME } from './oci-docs';
import { Store } from './store';
import { writeImage } from './write-image';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

function scratch(): string {
  const d = mkdtempSync(join(tmpdir(), 'cloudlet-store-'));
  dirs.push(d);
  return d;
}

const sha = (b: Buffer | string) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

async function collect(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of stream) parts.push(c as Buffer);
  return Buffer.concat(parts);
}

async function imageIn(store: Store, tag: string, epoch = 1000) {
  const layer = await store.addBlobBytes(Buffer.from(`layer of ${tag}`), MEDIA.layerTar);
  const desc = await writeImage(store, { newLayer: layer, cloudletManifest: { name: tag }, epoch });
  await store.withLock('test', () => store.setRef(tag, desc));
  return desc;
}

describe('Store.open', () => {
  it('creates an OCI layout that has oci-layout, index.json and blobs/sha256', async () => {
    const dir = join(scratch(), 'store');
    await Store.open(dir, { create: true });
    expect(JSON.parse(readFileSync(join(dir, 'oci-layout'), 'utf8'))).toEqual({ imageLayoutVersion: '1.0.0' });
    expect(JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8'))).toEqual({ schemaVersion: 2, mediaType: MEDIA.index, manifests: [] });
    expect(readdirSync(join(dir, 'blobs', 'sha256'))).toEqual([]);
  });

  it('refuses a directory without a layout unless asked to create one', async () => {
    await expect(Store.open(scratch())).rejects.toMatchObject({ code: 'E_STORE', message: expect.stringMatching(/no image store/) });
  });

  it('refuses an unknown layout version and a damaged index.json', async () => {
    const dir = scratch();
    writeFileSync(join(dir, 'oci-layout'), '{"imageLayoutVersion":"9"}');
    await expect(Store.open(dir)).rejects.toMatchObject({ code: 'E_STORE' });
    const ok = await Store.open(join(dir, 's2'), { create: true });
    writeFileSync(join(ok.dir, 'index.json'), '{"manifests":[{"digest":"sha256:zz"');
    await expect(ok.refs()).rejects.toMatchObject({ code: 'E_STORE', where: join(ok.dir, 'index.json') });
  });

  it('bounds index.json: more entries than the limit is E_STORE, not a slow parse', async () => {
    const store = await Store.open(scratch(), { create: true });
    const entry = { mediaType: MEDIA.manifest, digest: `sha256:${'a'.repeat(64)}`, size: 1 };
    writeFileSync(join(store.dir, 'index.json'), JSON.stringify({ schemaVersion: 2, manifests: Array.from({ length: 100_001 }, () => entry) }));
    await expect(store.refs()).rejects.toMatchObject({ code: 'E_STORE', message: expect.stringMatching(/more than the limit/) });
    writeFileSync(join(store.dir, 'index.json'), `${'['.repeat(100)}${']'.repeat(100)}`);
    await expect(store.refs()).rejects.toMatchObject({ code: 'E_STORE', message: expect.stringMatching(/nest/) });
  });
});

describe('blobs', () => {
  it('stores bytes under their digest and reads them back verified, as bytes and as a stream', async () => {
    const store = await Store.open(scratch(), { create: true });
    const d = await store.addBlobBytes(Buffer.from('hello'), 'text/plain');
    expect(d).toEqual({ mediaType: 'text/plain', digest: sha('hello'), size: 5 });
    expect((await store.readBlobBytes(d.digest, 100)).toString()).toBe('hello');
    const stream = await store.openBlob(d.digest);
    expect(stream.size).toBe(5);
    expect((await collect(stream)).toString()).toBe('hello');
    expect(await store.hasBlob(d.digest, 5)).toBe(true);
    expect(await store.hasBlob(d.digest, 6)).toBe(false);
    expect(readdirSync(join(store.dir, 'tmp'))).toEqual([]);
  });

  it('refuses a blob whose bytes no longer match its digest, naming the digest and the way out', async () => {
    const store = await Store.open(scratch(), { create: true });
    const d = await store.addBlobBytes(Buffer.from('original bytes'), 'text/plain');
    writeFileSync(store.blobPath(d.digest), 'tampered bytes');
    const err = await store.readBlobBytes(d.digest, 100).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'E_STORE', message: expect.stringContaining(d.digest), fix: expect.stringMatching(/pull the image again.*cloudlet gc/) });
    await expect(collect(await store.openBlob(d.digest))).rejects.toMatchObject({ code: 'E_STORE', message: expect.stringContaining(d.digest) });
  });

  it('refuses a blob larger than the caller allows before reading it', async () => {
    const store = await Store.open(scratch(), { create: true });
    const d = await store.addBlobBytes(Buffer.alloc(1000), 'x');
    await expect(store.readBlobBytes(d.digest, 999)).rejects.toMatchObject({ code: 'E_STORE', message: expect.stringMatching(/1000 bytes, more than/) });
  });

  it('moves a finished temp file into blobs/ and checks the expected digest and size, keeping nothing when they differ', async () => {
    const store = await Store.open(scratch(), { create: true });
    const tmp = store.tempPath('layer');
    writeFileSync(tmp, 'layer bytes');
    const d = await store.addBlobFile(tmp, MEDIA.layerTar, { digest: sha('layer bytes'), size: 11 });
    expect(readFileSync(store.blobPath(d.digest), 'utf8')).toBe('layer bytes');
    const bad = store.tempPath('layer');
    writeFileSync(bad, 'other bytes');
    await expect(store.addBlobFile(bad, MEDIA.layerTar, { digest: sha('layer bytes'), size: 11 })).rejects.toMatchObject({ code: 'E_STORE' });
    expect(await store.hasBlob(sha('other bytes'))).toBe(false);
  });

  it('never maps a digest outside blobs/', async () => {
    const store = await Store.open(scratch(), { create: true });
    expect(() => store.blobPath('sha256:../../etc/passwd')).toThrow(/not a sha256 digest/);
  });
});

describe('refs and resolve', () => {
  it('resolves NAME:VERSION, NAME as NAME:latest, the full digest and a 12-digit prefix to one image', async () => {
    const store = await Store.open(scratch(), { create: true });
    const desc = await imageIn(store, 'centos:7');
    await imageIn(store, 'centos', 2000);
    const byName = await store.resolve('centos:7');
    expect(byName).toMatchObject({ ref: 'centos:7', digest: desc.digest, config: { cloudletManifest: { name: 'centos:7' } } });
    expect((await store.resolve('centos')).ref).toBe('centos:latest');
    expect((await store.resolve(desc.digest)).digest).toBe(desc.digest);
    expect((await store.resolve(desc.digest.slice(7, 19))).digest).toBe(desc.digest);
    expect(byName.manifest.layers).toHaveLength(1);
  });

  it('says E_REF for an unknown name, listing what there is, and for a prefix matching nothing', async () => {
    const store = await Store.open(scratch(), { create: true });
    await imageIn(store, 'centos:7');
    await expect(store.resolve('debian:12')).rejects.toMatchObject({ code: 'E_REF', fix: expect.stringContaining('centos:7') });
    await expect(store.resolve('sha256:000000000000')).rejects.toMatchObject({ code: 'E_REF' });
    await expect(store.resolve('Bad Name')).rejects.toMatchObject({ code: 'E_REF' });
  });

  it('writes index.json so that other tools find the name in org.opencontainers.image.ref.name', async () => {
    const store = await Store.open(scratch(), { create: true });
    const desc = await imageIn(store, 'app:1.0');
    const index = JSON.parse(readFileSync(join(store.dir, 'index.json'), 'utf8')) as { manifests: Array<Record<string, unknown>> };
    expect(index.manifests).toEqual([{ mediaType: MEDIA.manifest, digest: desc.digest, size: desc.size, annotations: { [REF_NAME]: 'app:1.0' } }]);
  });

  it('moves a name that is set again, and removes names all or nothing', async () => {
    const store = await Store.open(scratch(), { create: true });
    await imageIn(store, 'a:1');
    const second = await imageIn(store, 'b:1', 5);
    await store.withLock('test', () => store.setRef('a:1', second));
    expect((await store.resolve('a:1')).digest).toBe(second.digest);
    await expect(store.withLock('test', () => store.removeRefs(['a:1', 'zz:9']))).rejects.toMatchObject({ code: 'E_REF' });
    expect((await store.refs()).map((r) => r.ref)).toEqual(['a:1', 'b:1']);
    await store.withLock('test', () => store.removeRefs(['a:1']));
    expect((await store.refs()).map((r) => r.ref)).toEqual(['b:1']);
  });

  it('keeps the platform and other names of entries another tool wrote when it rewrites index.json', async () => {
    const store = await Store.open(scratch(), { create: true });
    const desc = await imageIn(store, 'a:1');
    const foreign = { mediaType: MEDIA.manifest, digest: desc.digest, size: desc.size, platform: { architecture: 'amd64', os: 'linux' }, annotations: { [REF_NAME]: 'other:2', 'vendor.x': 'y' } };
    writeFileSync(join(store.dir, 'index.json'), JSON.stringify({ schemaVersion: 2, manifests: [foreign] }));
    await store.withLock('test', () => store.setRef('a:1', desc));
    const index = JSON.parse(readFileSync(join(store.dir, 'index.json'), 'utf8')) as { manifests: unknown[] };
    expect(index.manifests).toContainEqual(foreign);
  });

  it('changes index.json only under the lock', async () => {
    const store = await Store.open(scratch(), { create: true });
    const desc = await store.addBlobBytes(Buffer.from('{}'), MEDIA.manifest);
    await expect(store.setRef('a:1', desc)).rejects.toMatchObject({ code: 'E_INTERNAL' });
    await expect(store.removeRef('a:1')).rejects.toMatchObject({ code: 'E_INTERNAL' });
  });
});
