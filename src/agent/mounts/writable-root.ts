// A root that is read-only only for the early boot (the kernel's "ro", kept for fsck) is written to as its fstab says.

import { readText } from '../../manifest/user-data-file';
import { joinRoot } from '../../system/root-path';
import type { System } from '../../system/system';
import { runTool } from '../../system/tools';
import { fstabRootOptions } from './fstab';
import { mountEntryAt, type MountinfoEntry } from './mountinfo';
import type { RootProbe } from './types';

/** fstab is a few lines; a larger one is not read past this. */
const FSTAB_MAX_BYTES = 64 << 10;

/** How the root is mounted (in `mounts`) and what its fstab says; undefined when the root is not a mount point of its own. */
export async function probeRoot(mounts: readonly MountinfoEntry[], root: string): Promise<RootProbe | undefined> {
  const entry = mountEntryAt(mounts, root);
  if (!entry) return undefined;
  // An fstab that cannot be read (or leads out of the image) says nothing: the root stays as it is.
  const fstab = await joinRoot(root, '/etc/fstab').then((host) => readText(host, FSTAB_MAX_BYTES)).catch(() => null);
  const fstabOptions = fstab === null ? undefined : fstabRootOptions(fstab);
  return { readOnly: entry.readOnly, ...(fstabOptions ? { fstabOptions } : {}) };
}

/** Remounts the root mount read-write or read-only again; the filesystem and its other mounts stay. */
export async function remountRoot(system: System, root: string, to: 'rw' | 'ro'): Promise<void> {
  await runTool(system, 'mount', ['-o', `remount,${to}`, root], 'E_MOUNT', to === 'rw'
    ? 'the filesystem refuses writes (errors found, or a read-only device): the run goes on read-only; fsck it from a rescue system'
    : 'something still writes to the root; the init remounts it as its fstab says');
}
