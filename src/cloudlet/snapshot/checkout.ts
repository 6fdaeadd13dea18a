// Materialises a stored image in a directory: its layers applied in order by the inputs extractor, then moved into place.

import { chmod, lstat, mkdir, mkdtemp, readdir, rename, rm } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { AgentError } from '../../errors';
import type { System } from '../../system/system';
import type { ResolvedImage, Store } from '../store';
import { applyTarFile, type StageContext } from '../inputs/apply-tar';
import { Budget } from '../inputs/budget';
import { layerCompression, knownLayerTypes } from '../inputs/compression';
import { Extractor } from '../inputs/extractor';
import { badInput } from '../inputs/input-errors';
import { limitsWith } from '../inputs/limits';

/**
 * Unpacks `image` into `target`, which must not exist or be empty. The tree is built in a private directory
 * beside it (same filesystem) and renamed into place at the end, so a failure leaves only what was there.
 */
export async function checkoutImage(store: Store, image: ResolvedImage, target: string, system: System): Promise<string> {
  const dir = resolve(target);
  const st = await lstat(dir).catch(() => undefined);
  if (st && (!st.isDirectory() || (await readdir(dir)).length > 0)) {
    throw new AgentError('E_USAGE', `${target} ${st.isDirectory() ? 'is not empty' : 'exists and is not a directory'}`, { where: dir, fix: 'check out into a new or empty directory (not a symlink to one)' });
  }
  await mkdir(dirname(dir), { recursive: true });
  const staging = await mkdtemp(join(dirname(dir), `.${basename(dir)}.checkout-`));
  try {
    await chmod(staging, 0o700);
    const root = join(staging, 'root');
    await mkdir(root, { mode: 0o755 });
    await chmod(root, 0o755);
    const ctx: StageContext = { extractor: new Extractor(root, system), budget: new Budget(limitsWith()), system };
    const { layers } = image.manifest;
    for (const [i, layer] of layers.entries()) {
      const name = `${image.ref ?? image.digest} layer ${i + 1}/${layers.length} (${layer.digest})`;
      const compression = layerCompression(layer.mediaType);
      if (!compression) throw badInput(`unsupported layer type ${layer.mediaType}`, name, `layers must be one of: ${knownLayerTypes().join(', ')}`);
      const diffId = image.config.diffIds[i];
      await applyTarFile({ path: store.blobPath(layer.digest), name, layered: true, compression, digest: layer.digest, size: layer.size, ...(diffId ? { diffId } : {}) }, ctx);
    }
    await ctx.extractor.finish();
    // rename(2) replaces an empty directory.
    await rename(root, dir);
    return dir;
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}
