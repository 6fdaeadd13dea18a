// Read-only roots: the rendered file goes to tmpfs under the run directory and is bind-mounted over its target.

import { stat } from 'node:fs/promises';
import { AgentError } from '../errors';
import type { System } from '../system/system';
import { writeAtomic, type FileMeta } from './atomic-write';
import { runStore } from './read-sources';

/** True for the errors a write into a read-only filesystem gives. */
export function isReadOnlyError(err: unknown): boolean {
  return (err as NodeJS.ErrnoException | undefined)?.code === 'EROFS';
}

/**
 * Writes the output to `<run>/cloudlet/rendered/<path>` (atomically, final mode and owner) and binds it
 * over the target. A later render binds its new file on top, so the newest one is what the path shows.
 * Returns the host path of the rendered copy.
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
  const r = await system.exec('mount', ['--bind', rendered, targetHost]);
  if (r.code !== 0) {
    throw new AgentError('E_MOUNT', `cannot bind the rendered ${imagePath} over the read-only root: ${r.stderr.trim() || `mount exited ${r.code}`}`, {
      where: imagePath,
      fix: 'run the agent as root, with permission to mount',
    });
  }
  return rendered;
}
