// Tells a read-only filesystem apart from other failures, for the steps that go on differently on a read-only root.

import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import { dirname } from 'node:path';

/** True for the error a write into a read-only filesystem gives. */
export function isReadOnlyError(err: unknown): boolean {
  return (err as NodeJS.ErrnoException | undefined)?.code === 'EROFS';
}

/**
 * Whether `path`, or the nearest directory above it that exists, is on a read-only filesystem. Asked
 * instead of trusting a failed mkdir, whose own error is no guide: a recursive mkdir on a read-only
 * root reports ENOENT.
 */
export async function onReadOnlyFilesystem(path: string): Promise<boolean> {
  for (let p = path; ; p = dirname(p)) {
    try {
      await access(p, constants.W_OK);
      return false;
    } catch (err) {
      if (isReadOnlyError(err)) return true;
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT' || p === dirname(p)) return false;
    }
  }
}
