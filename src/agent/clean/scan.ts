// Reads what `clean` may act on in an image root: the boot record's entries, pristine copies, stale temp files.

import { lstat, readdir } from 'node:fs/promises';
import { dirname, posix } from 'node:path';
import { AgentError } from '../../errors';
import type { NormalizedManifest } from '../../manifest/types';
import { FILES_AT_ONCE, mapBounded } from '../../system/bounded-map';
import { findStaleTemps } from '../../system/stale-temps';
import { imagePathOf, joinRoot } from '../../system/root-path';
import { STATE_DIR } from '../instance/state';
import { pristinePath } from '../templates/includes';
import type { CleanScan } from './plan';

/** Image paths of the entries of the boot record directory; none when it does not exist. */
export async function scanBootRecord(root: string): Promise<string[]> {
  const dir = await joinRoot(root, STATE_DIR);
  try {
    return (await readdir(dir)).sort().map((name) => posix.join(STATE_DIR, name));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return [];
    throw unreadable(STATE_DIR, err);
  }
}

/** The boot record, and for --image the pristine copies of the manifest's templates and stale temp files. */
export async function scanRoot(root: string, manifest: NormalizedManifest | undefined): Promise<CleanScan> {
  const record = await scanBootRecord(root);
  if (!manifest) return { record, pristine: [], staleTemps: [] };
  const found = await mapBounded(manifest.templates, FILES_AT_ONCE, async (spec) => {
    const target = await joinRoot(root, spec.path);
    const pristine = await joinRoot(root, pristinePath(spec.path));
    return { path: spec.path, dirs: [dirname(target), dirname(pristine)], pristine: await isFile(pristine, pristinePath(spec.path)) };
  });
  const temps = await findStaleTemps(found.flatMap((f) => f.dirs));
  return {
    record,
    pristine: found.filter((f) => f.pristine).map((f) => f.path),
    staleTemps: temps.map((host) => imagePathOf(root, host)),
  };
}

/** Only a regular file is a pristine copy the agent took; anything else there is not the agent's. */
async function isFile(host: string, imagePath: string): Promise<boolean> {
  try {
    return (await lstat(host)).isFile();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return false;
    throw unreadable(imagePath, err);
  }
}

function unreadable(imagePath: string, err: unknown): AgentError {
  return new AgentError('E_IO', `cannot read ${imagePath}: ${(err as Error).message}`, {
    where: imagePath,
    fix: 'run as root, and check the filesystem for I/O errors',
    cause: err,
  });
}
