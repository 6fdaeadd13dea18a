// Finds the programs datasources run (mount, modprobe, xenstore-read, ip) without relying on PATH being set.

import { access, constants } from 'node:fs/promises';
import { join } from 'node:path';
import type { System } from '../system/system';

// As PID 1 the kernel gives no PATH; these are where Debian, dracut and busybox images keep tools.
const STANDARD_DIRS = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];

/** The absolute path of `name` on the agent's PATH or in the standard directories, or null. */
export async function findTool(system: System, name: string): Promise<string | null> {
  const dirs = [...(system.env.PATH ?? '').split(':').filter((d) => d.startsWith('/')), ...STANDARD_DIRS];
  for (const dir of dirs) {
    const path = join(dir, name);
    try {
      await access(path, constants.X_OK);
      return path;
    } catch {
      // not here
    }
  }
  return null;
}

/** Milliseconds left before `deadline`, at least 1 so an exec timeout is never "none". */
export function remainingMs(system: System, deadline: number): number {
  return Math.max(1, Math.floor(deadline - system.monotonicMs()));
}
