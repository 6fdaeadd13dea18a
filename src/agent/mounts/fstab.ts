// What an image's /etc/fstab says of its root, and whether a read-only root is so only for the early boot; pure.

import type { RootProbe } from './types';

/**
 * The mount options of fstab's entry for "/" ("defaults" when the field is missing), or undefined
 * when it has none. The last entry wins, as it does for mount.
 */
export function fstabRootOptions(text: string): string[] | undefined {
  let options: string[] | undefined;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const [, file, , opts] = line.split(/\s+/);
    if (file === '/') options = (opts ?? 'defaults').split(',');
  }
  return options;
}

/**
 * Whether the boot mounted the root read-only only for now: the root mount is read-only while the
 * image's fstab mounts "/" read-write, so the init will remount it rw (systemd-remount-fs). A root
 * that fstab mounts "ro", or that fstab does not name, is read-only on purpose and stays so.
 */
export function rootReadOnlyForNow(probe: RootProbe | undefined): boolean {
  return probe !== undefined && probe.readOnly && probe.fstabOptions !== undefined && !probe.fstabOptions.includes('ro');
}
