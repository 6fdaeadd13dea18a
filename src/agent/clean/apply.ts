// Carries out a clean plan inside the root: every path joined by joinRoot, so nothing outside it is touched.

import { lstat, readFile, rename, rm, rmdir, unlink } from 'node:fs/promises';
import { posix } from 'node:path';
import { AgentError } from '../../errors';
import { writeAtomic } from '../../system/atomic-write';
import { joinRoot } from '../../system/root-path';
import { TEMPLATE_STORE } from '../templates/includes';
import type { CleanAction, CleanPlan } from './plan';

export async function applyClean(root: string, plan: CleanPlan, onDone: (action: CleanAction) => void = () => {}): Promise<void> {
  for (const action of plan.actions) {
    try {
      await applyOne(root, action);
    } catch (err) {
      if (err instanceof AgentError) throw err;
      throw new AgentError('E_IO', `cannot clean ${action.path}: ${(err as Error).message}`, {
        where: action.path,
        fix: 'run as root on a writable root; what was done before this is done, and running clean again finishes the rest',
        cause: err,
      });
    }
    onDone(action);
  }
}

async function applyOne(root: string, action: CleanAction): Promise<void> {
  switch (action.kind) {
    case 'forget':
      // The entry itself, not what a symlink there points to.
      await rm(await joinRoot(root, action.path, { followFinal: false }), { recursive: true, force: true });
      return;
    case 'remove-temp':
      await unlink(await joinRoot(root, action.path, { followFinal: false })).catch(ignoreMissing);
      return;
    case 'restore':
      await restore(await joinRoot(root, action.pristine, { followFinal: false }), await joinRoot(root, action.path));
      await pruneStore(root, posix.dirname(action.pristine));
  }
}

/** The pristine copy replaces the rendered file in one rename: a reader sees one or the other, whole. */
async function restore(pristine: string, target: string): Promise<void> {
  try {
    await rename(pristine, target);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EXDEV') throw err;
    // The store and the target on different filesystems: copy with the shipped mode and owner, then drop the copy.
    const st = await lstat(pristine);
    await writeAtomic(target, await readFile(pristine), { mode: st.mode & 0o7777, uid: st.uid, gid: st.gid });
    await unlink(pristine);
  }
}

/** Directories of the store that the restores emptied go too; the store itself, and any that still hold files, stay. */
async function pruneStore(root: string, dir: string): Promise<void> {
  for (let d = dir; d.startsWith(TEMPLATE_STORE + '/'); d = posix.dirname(d)) {
    try {
      await rmdir(await joinRoot(root, d, { followFinal: false }));
    } catch {
      return;
    }
  }
}

function ignoreMissing(err: unknown): void {
  if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
}
