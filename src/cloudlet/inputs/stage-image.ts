// The inputs step of bake: any image source (directory, tarball, OCI layout, docker archive) -> a private staging tree.

import { chmod, lstat, mkdir, realpath, rename, rm, stat } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import type { System } from '../../system/system';
import { type StageContext, applyTarFile } from './apply-tar';
import { Budget } from './budget';
import { stageDir } from './dir-source';
import { dockerImages, stageDockerArchive } from './docker-archive';
import { Extractor } from './extractor';
import { parsePlatform } from './image-json';
import { type InputLimits, limitsWith } from './limits';
import { type ImageChoice, stageOciLayout } from './oci-layout';
import { treeStats } from './tree-stats';
import { badInput } from './input-errors';

export type ImageKind = 'dir' | 'tar' | 'oci-layout' | 'docker-archive';

export interface StagedImage {
  /** The image tree, ready for bake to add to: `<stagingDir>/root`. */
  root: string;
  kind: ImageKind;
  /**
   * sha256:hex of what was read: the file's bytes for a tarball or archive, the image manifest's digest for
   * an OCI layout directory, a canonical listing with every file's content for a directory.
   */
  digest: string;
  /** Newest mtime of any member (seconds since the epoch); directories without a member of their own get it. */
  newestMtime: number;
  /** Bytes of regular file contents and inodes in the staged tree (hard links once). */
  bytes: number;
  files: number;
}

export interface StageOptions {
  system: System;
  /** Which image of a layout or archive that holds several: a tag, a name:tag, or a manifest digest. */
  ref?: string;
  /** The os/arch the image must be for (default linux/amd64). */
  platform?: string;
  limits?: Partial<InputLimits>;
}

/**
 * Unpacks `source` into `<stagingDir>/root` (stagingDir is made private, 0700: half-unpacked setuid files are
 * nobody else's business). Nothing is written outside stagingDir; on failure root and the work directory are removed.
 */
export async function stageImage(source: string, stagingDir: string, opts: StageOptions): Promise<StagedImage> {
  const st = await stat(source).catch((err: NodeJS.ErrnoException) => {
    throw badInput(`cannot read the image ${source}: ${err.code === 'ENOENT' ? 'it does not exist' : err.message}`, source, 'give an image directory, tarball, OCI layout or docker archive');
  });
  const src = await realpath(source);
  const staging = resolve(stagingDir);
  await mkdir(staging, { recursive: true, mode: 0o700 });
  await chmod(staging, 0o700);
  const realStaging = await realpath(staging);
  if (within(src, realStaging) || within(realStaging, src)) {
    throw badInput(`the staging directory ${staging} and the image ${source} overlap`, source, 'use a staging directory outside the image (and the image outside it)');
  }
  const root = join(realStaging, 'root');
  const work = join(realStaging, 'archive');
  const limits = limitsWith(opts.limits);
  const choice: ImageChoice = { ref: opts.ref, platform: parsePlatform(opts.platform ?? 'linux/amd64'), limits };
  const ctx: StageContext = { extractor: new Extractor(root, opts.system), budget: new Budget(limits), system: opts.system };
  await clear(root, work);
  await makeRoot(root);
  try {
    let kind: ImageKind;
    let digest: string;
    if (st.isDirectory()) {
      const layout = (await lstat(join(src, 'oci-layout')).catch(() => undefined))?.isFile();
      kind = layout ? 'oci-layout' : 'dir';
      digest = layout ? await stageOciLayout(src, ctx, choice, source) : await stageDir(src, ctx);
    } else if (st.isFile()) {
      digest = `sha256:${(await applyTarFile({ path: src, name: source, layered: false }, ctx)).sha256}`;
      kind = await unpackedArchive(root, work, ctx, choice, source);
    } else {
      throw badInput(`${source} is neither a file nor a directory`, source, 'give an image directory, tarball, OCI layout or docker archive');
    }
    await ctx.extractor.finish();
    const stats = treeStats(root);
    if (stats.files === 1) throw badInput(`the image ${source} is empty`, source, 'give the image root: a directory or archive that holds its files');
    return { root, kind, digest, newestMtime: ctx.extractor.newestMtime, ...stats };
  } catch (err) {
    await clear(root, work);
    throw err;
  }
}

/**
 * A tarball whose top level is a docker archive or an OCI layout (docker save, podman save, oci-archive) is
 * read as one: what was unpacked moves to the work directory and its image is staged into a fresh root.
 */
async function unpackedArchive(root: string, work: string, ctx: StageContext, choice: ImageChoice, name: string): Promise<ImageKind> {
  const images = await dockerImages(root, choice.limits.maxJsonBytes);
  const layout = !images && (await isFile(join(root, 'oci-layout'))) && (await isFile(join(root, 'index.json')));
  if (!images && !layout) return 'tar';
  await rename(root, work);
  await makeRoot(root);
  ctx.extractor = new Extractor(root, ctx.system);
  if (images) await stageDockerArchive(work, images, ctx, choice, name);
  else await stageOciLayout(work, ctx, choice, name);
  await rm(work, { recursive: true, force: true });
  return images ? 'docker-archive' : 'oci-layout';
}

async function makeRoot(root: string): Promise<void> {
  await mkdir(root, { mode: 0o755 });
  await chmod(root, 0o755);
}

async function clear(...dirs: string[]): Promise<void> {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
}

async function isFile(path: string): Promise<boolean> {
  return (await lstat(path).catch(() => undefined))?.isFile() ?? false;
}

function within(outer: string, inner: string): boolean {
  const rel = relative(outer, inner);
  return rel === '' || (rel !== '..' && !rel.startsWith('../') && !rel.startsWith('/'));
}
