// Read-only roots: the rendered file goes to tmpfs under the run directory and is bind-mounted over its target.

import { realpath, stat } from 'node:fs/promises';
import { AgentError } from '../../errors';
import { mountedAt, readMountinfo } from '../mounts/mountinfo';
import { runTool } from '../../system/tools';
import type { System } from '../../system/system';
import { writeAtomic, type FileMeta } from '../../system/atomic-write';
import { runStore } from './read-sources';

const MOUNT_FIX = 'run the agent as root, with permission to mount, and with mount/umount installed';

/**
 * Writes the output to `<run>/cloudlet/rendered/<path>` (atomically, final mode and owner) and binds it
 * over the target. Returns the host path of the rendered copy.
 */
export async function renderOverReadOnly(system: System, imagePath: string, targetHost: string, data: Buffer, meta: FileMeta): Promise<string> {
  try {
    await stat(targetHost);
  } catch {
    throw new AgentError('E_TEMPLATE', `cannot create ${imagePath}: the image root is read-only and the file does not exist to bind over`, {
      where: imagePath,
      fix: `ship ${imagePath} in the image (any content; it is replaced by the rendered file at boot)`,
    });
  }
  const rendered = runStore(system.hostPaths.run, 'rendered', imagePath);
  try {
    await writeAtomic(rendered, data, meta);
  } catch (err) {
    throw new AgentError('E_IO', `cannot write the rendered copy of ${imagePath}: ${(err as Error).message}`, {
      where: rendered,
      fix: `the run directory (${system.hostPaths.run}) must be a writable tmpfs`,
    });
  }
  // A render earlier in this boot left its bind on the target, and the rename above unlinked the file
  // that bind shows: the kernel refuses to mount on a deleted file, so that bind goes first.
  const mountPoint = await realpath(targetHost);
  // Without /proc nothing can be known to be mounted; the bind is still tried.
  const top = mountedAt(await readMountinfo(system), mountPoint);
  if (top && top.fsRoot.includes('/cloudlet/rendered/')) await runTool(system, 'umount', [mountPoint], 'E_MOUNT', MOUNT_FIX);
  await runTool(system, 'mount', ['--bind', rendered, mountPoint], 'E_MOUNT', MOUNT_FIX);
  return rendered;
}
