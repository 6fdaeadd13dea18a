import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { currentBoot } from '../../system/temp-names';
import { gc, type GcReport } from './gc';
import { MEDIA } from './oci-docs';
import { Store } from './store';
import { writeImage } from './write-image';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

async function store(): Promise<Store> {
  const d = mkdtempSync(join(tmpdir(), 'cloudlet-gc-'));
  dirs.push(d);
  return Store.open(d, { create: true });
}

const blobs = (s: Store) => readdirSync(join(s.dir, 'blobs', 'sha256')).map((h) => `sha256:${h}`).sort();

/** base <- mid <- top, each with its own layer; only `top` named, `side` derived from base and named. */
async function family(s: Store) {
  const image = async (parentDigest: string | undefined, text: string, epoch: number) => {
    const parent = parentDigest ? await s.resolve(parentDigest) : undefined;
    const layer = await s.addBlobBytes(Buffer.from(text), MEDIA.layerTar);
    const desc = await writeImage(s, { ...(parent ? { parent } : {}), newLayer: layer, cloudletManifest: { text }, epoch });
    return { desc, layer, config: (await s.resolve(desc.digest)).manifest.config };
  };
  const base = await image(undefined, 'base', 1);
  const mid = await image(base.desc.digest, 'mid', 2);
  const top = await image(mid.desc.digest, 'top', 3);
  const side = await image(base.desc.digest, 'side', 4);
  await s.withLock('test', async () => {
    await s.setRef('app:top', top.desc);
    await s.setRef('app:side', side.desc);
  });
  return { base, mid, top, side };
}

describe('gc', () => {
  it('keeps every named image, its config and layers, and its parents transitively; removes the rest', async () => {
    const s = await store();
    const f = await family(s);
    const orphan = await s.addBlobBytes(Buffer.from('nobody needs me'), MEDIA.layerTar);
    const before = blobs(s);
    const report = await gc(s, { dryRun: false });
    expect(report.removed).toEqual([{ digest: orphan.digest, size: orphan.size }]);
    expect(report.bytes).toBe(orphan.size);
    expect(blobs(s)).toEqual(before.filter((d) => d !== orphan.digest));
    for (const x of [f.base, f.mid, f.top, f.side]) for (const d of [x.desc.digest, x.layer.digest, x.config.digest]) expect(blobs(s)).toContain(d);
    expect((await s.resolve('app:top')).digest).toBe(f.top.desc.digest);
  });

  it('after rm of a name, removes what only that image needed and keeps what the other still needs', async () => {
    const s = await store();
    const f = await family(s);
    await s.withLock('test', () => s.removeRefs(['app:top']));
    const report = await gc(s, { dryRun: false });
    const removed = report.removed.map((r) => r.digest).sort();
    expect(removed).toEqual([f.top.desc.digest, f.top.layer.digest, f.top.config.digest, f.mid.desc.digest, f.mid.layer.digest, f.mid.config.digest].sort());
    for (const d of [f.base.desc.digest, f.base.layer.digest, f.side.desc.digest, f.side.layer.digest]) expect(blobs(s)).toContain(d);
    expect((await s.resolve('app:side')).manifest.layers).toHaveLength(2);
  });

  it('with --dry-run reports the same removals and removes nothing', async () => {
    const s = await store();
    await family(s);
    await s.addBlobBytes(Buffer.from('orphan'), MEDIA.layerTar);
    const before = blobs(s);
    const dry = await gc(s, { dryRun: true });
    expect(blobs(s)).toEqual(before);
    const real = await gc(s, { dryRun: false });
    expect(real.removed).toEqual(dry.removed);
    expect(real.removed).toHaveLength(1);
  });

  it('keeps an image whose parent was never pulled, and refuses to sweep when a named manifest is damaged', async () => {
    const s = await store();
    const fakeParent = { ...(await family(s)).base.desc, digest: `sha256:${'9'.repeat(64)}` };
    const parent = await s.resolve('app:side');
    const orphanChild = await writeImage(s, { parent: { ...parent, digest: fakeParent.digest }, cloudletManifest: null, epoch: 9 });
    await s.withLock('t', () => s.setRef('lonely:1', orphanChild));
    expect((await gc(s, { dryRun: false })).removed).toEqual([]);
    writeFileSync(s.blobPath(orphanChild.digest), 'garbage');
    const before = blobs(s);
    await expect(gc(s, { dryRun: false })).rejects.toMatchObject({ code: 'E_STORE', message: expect.stringContaining(orphanChild.digest) });
    expect(blobs(s)).toEqual(before);
  });

  it('removes temp files of writers that are gone and keeps a live writer\'s', async () => {
    const s = await store();
    const dead = join(s.dir, 'tmp', `.blob.cloudlet-${currentBoot()}-999999999-abc`);
    const deadDir = join(s.dir, 'tmp', '.tree.cloudlet-aaaaaaaaaaaa-124-abc');
    const live = s.tempPath('blob');
    writeFileSync(dead, '12345');
    mkdirSync(deadDir);
    writeFileSync(live, 'mine');
    const now = { boot: currentBoot(), pid: process.pid, alive: (pid: number) => pid === process.pid };
    const report = await gc(s, { dryRun: false, now });
    expect(report.tempFiles.sort()).toEqual([dead, deadDir].sort());
    expect(readdirSync(join(s.dir, 'tmp'))).toEqual([live.slice(join(s.dir, 'tmp').length + 1)]);
  });

  it('waits for a writer holding the lock, so the blobs it wrote but has not named yet survive', async () => {
    const s = await store();
    const gcSide = await Store.open(s.dir, { lock: { waitMs: 1e9, pause: () => new Promise((r) => setImmediate(r)) } });
    let gcDone = false;
    let pending: Promise<GcReport> | undefined;
    const layer = await s.withLock('snapshot new:1', async () => {
      const l = await s.addBlobBytes(Buffer.from('new layer'), MEDIA.layerTar);
      pending = gc(gcSide, { dryRun: false }).then((r) => {
        gcDone = true;
        return r;
      });
      for (let i = 0; i < 50; i++) await new Promise((r) => setImmediate(r));
      expect(gcDone).toBe(false);
      await s.setRef('new:1', await writeImage(s, { newLayer: l, cloudletManifest: null, epoch: 1 }));
      return l;
    });
    expect((await pending)?.removed).toEqual([]);
    expect(await s.hasBlob(layer.digest)).toBe(true);
  });

  it('runs under the lock: a held lock makes it wait, then fail as busy', async () => {
    const s = await store();
    writeFileSync(join(s.dir, 'lock'), JSON.stringify({ pid: 1, what: 'snapshot x:1', since: 'now' }));
    const busy = await Store.open(s.dir, { lock: { waitMs: 0 } });
    await expect(gc(busy, { dryRun: false })).rejects.toMatchObject({ code: 'E_STORE', message: expect.stringMatching(/busy/) });
  });
});
