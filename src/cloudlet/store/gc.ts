// gc: under the lock, removes the blobs no image needs and the temp files of writers that are gone.

import { lstat, readdir, rm, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { isStaleTemp, thisProcess, type Now } from '../../system/temp-names';
import { syncDir } from './blob-io';
import { type BlobFile, planGc } from './gc-plan';
import { readImageGraph } from './image-graph';
import type { Store } from './store';

export interface GcReport {
  dryRun: boolean;
  removed: BlobFile[];
  /** temp files and directories under tmp/ (and beside index.json) left by writers that are gone */
  tempFiles: string[];
  bytes: number;
  kept: number;
}

export async function gc(store: Store, opts: { dryRun: boolean; now?: Now }): Promise<GcReport> {
  return store.withLock(opts.dryRun ? 'gc --dry-run' : 'gc', async () => {
    const graph = await readImageGraph(store);
    const blobs = await listBlobs(store);
    const plan = planGc(graph, blobs);
    const temps = await staleTemps(store, opts.now ?? thisProcess());
    if (!opts.dryRun) {
      for (const b of plan.remove) await unlink(store.blobPath(b.digest)).catch(ignoreGone);
      for (const t of temps) await rm(t.path, { recursive: true, force: true });
      if (plan.remove.length) await syncDir(join(store.dir, 'blobs', 'sha256'));
    }
    return { dryRun: opts.dryRun, removed: plan.remove, tempFiles: temps.map((t) => t.path), bytes: plan.bytes + temps.reduce((n, t) => n + t.size, 0), kept: plan.keep.size };
  });
}

/** Regular files of blobs/sha256 named by a digest; anything else there is not a blob and is left alone. */
async function listBlobs(store: Store): Promise<BlobFile[]> {
  const dir = join(store.dir, 'blobs', 'sha256');
  const out: BlobFile[] = [];
  for (const name of await readdir(dir)) {
    if (!/^[0-9a-f]{64}$/.test(name)) continue;
    const st = await lstat(join(dir, name)).catch(() => undefined);
    if (st?.isFile()) out.push({ digest: `sha256:${name}`, size: st.size });
  }
  return out;
}

async function staleTemps(store: Store, now: Now): Promise<Array<{ path: string; size: number }>> {
  const out: Array<{ path: string; size: number }> = [];
  for (const dir of [join(store.dir, 'tmp'), store.dir]) {
    const names = await readdir(dir).catch(() => [] as string[]);
    for (const name of names.sort()) {
      if (!isStaleTemp(name, now)) continue;
      const st = await lstat(join(dir, name)).catch(() => undefined);
      if (st) out.push({ path: join(dir, name), size: st.isFile() ? st.size : 0 });
    }
  }
  return out;
}

function ignoreGone(err: NodeJS.ErrnoException): void {
  if (err.code !== 'ENOENT') throw err;
}
