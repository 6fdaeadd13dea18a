// Applies a hostname plan: the kernel's host name through /proc, and /etc/hostname in the image, atomically.

import { stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeAtomic } from '../../system/atomic-write';
import { isReadOnlyError } from '../../system/read-only-fs';
import type { HostnamePlan } from './plan';

/** Where the kernel keeps its host name; writing it is what sethostname(2) does. */
export function kernelHostnamePath(procDir: string): string {
  return join(procDir, 'sys', 'kernel', 'hostname');
}

export interface HostnameApplied {
  /** what could not be done, each with why; empty when everything in the plan was done */
  problems: string[];
  /** what was not done for a reason that is no failure (a read-only root) */
  notes: string[];
}

export async function applyHostname(plan: HostnamePlan, procDir: string, etcHost: string): Promise<HostnameApplied> {
  const problems: string[] = [];
  const notes: string[] = [];
  if (plan.name === null) return { problems, notes };
  // /etc/hostname first: should the kernel refuse the name, the next boot's init still reads the right one.
  if (plan.etc.to === 'set') {
    try {
      await writeAtomic(etcHost, `${plan.name}\n`, await metaOf(etcHost));
    } catch (err) {
      if (isReadOnlyError(err)) notes.push('/etc/hostname not written: the root is read-only');
      else problems.push(`cannot write /etc/hostname: ${(err as Error).message}`);
    }
  }
  if (plan.kernel.to === 'set') {
    try {
      await writeFile(kernelHostnamePath(procDir), plan.name);
    } catch (err) {
      problems.push(`cannot set the kernel hostname: ${(err as Error).message}`);
    }
  }
  return { problems, notes };
}

/** The existing file's mode and owner, else 0644 root:root. */
async function metaOf(host: string): Promise<{ mode: number; uid: number; gid: number }> {
  try {
    const st = await stat(host);
    return { mode: st.mode & 0o7777, uid: st.uid, gid: st.gid };
  } catch {
    return { mode: 0o644, uid: 0, gid: 0 };
  }
}
