// Carries out an install plan in an image tree: each file lands under a temporary name and is renamed into place.

import { chmod, copyFile, lstat, mkdir, open, readlink, rename, rm, symlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import { writeAtomic } from '../system/atomic-write';
import { joinRoot } from '../system/root-path';
import type { InstallAction } from './install-plan';

/** Never a half-written agent: used by `cloudlet-agent install` and by `cloudlet bake`. */
export async function applyInstallAction(root: string, a: InstallAction): Promise<void> {
  const host = await joinRoot(root, a.path, { followFinal: a.kind !== 'symlink' });
  if (a.kind === 'file') return writeAtomic(host, a.text, { mode: a.mode });
  await mkdir(dirname(host), { recursive: true, mode: 0o755 });
  const temp = `${host}.cloudlet-new`;
  await rm(temp, { force: true });
  switch (a.kind) {
    case 'dir':
      await mkdir(host, { recursive: true, mode: a.mode });
      return;
    case 'symlink':
      if ((await lstat(host).then((s) => s.isSymbolicLink(), () => false)) && (await readlink(host)) === a.target) return;
      await symlink(a.target, temp);
      await rename(temp, host);
      return;
    case 'binary':
      await copyFile(a.from, temp);
      await chmod(temp, 0o755);
      await fsyncFile(temp);
      await rename(temp, host);
      return;
  }
}

async function fsyncFile(path: string): Promise<void> {
  const fh = await open(path, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}
