// Materialises a stored image in a directory: its layers applied in order by the inputs extractor, then moved into place.

import { chmod, lstat, mkdir, mkdtemp, readdir, rename, rm } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { AgentError } from '../../errors';
import type { System } from '../../system/system';
import type { ResolvedImage, Store } from '../store';
import type { StageContext } from '../inputs/apply-tar';
import { Budget } from '../inputs/budget';
import { Extractor } from '../inputs/extractor';
import { limitsWith } from '../inputs/limits';
import { applyLayers } from '../inputs/oci-layout';

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
    const limits = limitsWith();
    const ctx: StageContext = { extractor: new Extractor(root, system), budget: new Budget(limits), system };
    await applyLayers(store.dir, image.manifest.layers, image.config.diffIds, ctx, limits, image.ref ?? image.digest);
    await ctx.extractor.finish();
    // rename(2) replaces an empty directory.
    await rename(root, dir);
    return dir;
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}
