import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readImageGraph } from './image-graph';
import { MEDIA } from './oci-docs';
import { Store } from './store';
import { writeImage } from './write-image';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

async function store(): Promise<Store> {
  const d = mkdtempSync(join(tmpdir(), 'cloudlet-graph-'));
  dirs.push(d);
  return Store.open(d, { create: true });
}

describe('readImageGraph', () => {
  it('names each image by index.json alone, also when asked to include an image index.json already lists', async () => {
    const s = await store();
    const desc = await writeImage(s, { cloudletManifest: null, epoch: 0 });
    await s.withLock('t', async () => {
      await s.setRef('a:1', desc);
      await s.setRef('b:1', desc);
    });
    const entry = (await s.refs())[0]?.descriptor;
    const graph = await readImageGraph(s, entry ? [entry] : []);
    expect(graph.get(desc.digest)?.refs.sort()).toEqual(['a:1', 'b:1']);
  });

  it('includes an unnamed image when asked, with its parents, and records a parent the store lacks as absent', async () => {
    const s = await store();
    const layer = await s.addBlobBytes(Buffer.from('l'), MEDIA.layerTar);
    const base = await s.resolve((await writeImage(s, { newLayer: layer, cloudletManifest: null, epoch: 0 })).digest);
    const child = await writeImage(s, { parent: base, cloudletManifest: null, epoch: 1 });
    const orphan = await writeImage(s, { parent: { ...base, digest: `sha256:${'7'.repeat(64)}` }, cloudletManifest: null, epoch: 2 });
    const graph = await readImageGraph(s, [child, orphan]);
    expect(graph.get(base.digest)).toMatchObject({ present: true, parentOnly: true, refs: [] });
    expect(graph.get(child.digest)).toMatchObject({ present: true, parentOnly: false });
    expect(graph.get(`sha256:${'7'.repeat(64)}`)).toMatchObject({ present: false });
  });
});
