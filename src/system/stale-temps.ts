// Finds and removes the temp files that writers killed mid-write left in given directories (they may hold old secrets).

import { lstat, readdir, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { isStaleTemp, thisProcess, type Now } from './temp-names';

/**
 * Host paths of the agent's stale temp files directly in `dirs`: regular files or symlinks whose name is
 * the agent's temp name and whose writer is gone. A directory that cannot be read has none to offer.
 */
export async function findStaleTemps(dirs: Iterable<string>, now: Now = thisProcess()): Promise<string[]> {
  const found: string[] = [];
  for (const dir of new Set(dirs)) {
    let names: string[];
    try {
      names = await readdir(dir);
    } catch {
      continue;
    }
    for (const name of names.sort()) {
      if (!isStaleTemp(name, now)) continue;
      const path = join(dir, name);
      try {
        const st = await lstat(path);
        if (st.isFile() || st.isSymbolicLink()) found.push(path);
      } catch {
        // Gone meanwhile: nothing to remove.
      }
    }
  }
  return found;
}

/** Removes the files; those that cannot be (a read-only root) stay, and are not counted. Returns how many went. */
export async function removeStaleTemps(paths: readonly string[]): Promise<number> {
  let removed = 0;
  for (const path of paths) {
    try {
      await unlink(path);
      removed++;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') removed++;
    }
  }
  return removed;
}
