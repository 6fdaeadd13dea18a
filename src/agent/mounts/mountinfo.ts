// Reads /proc/self/mountinfo: what is mounted where, so a second run recognises its own mounts.

import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { System } from '../../system/system';
import type { MountedProbe } from './types';

export interface MountinfoEntry extends MountedProbe {
  mountPoint: string;
  source: string;
  /** this mount is read-only (its per-mount options begin with "ro") */
  readOnly: boolean;
}

/** Mountinfo escapes space, tab, newline and backslash as \ooo octal. */
function unescape(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_, oct: string) => String.fromCharCode(parseInt(oct, 8)));
}

/** The machine's mounts; none without /proc (a fixture, an early chroot), where nothing can be known to be mounted. */
export async function readMountinfo(system: System): Promise<MountinfoEntry[]> {
  try {
    return parseMountinfo(await readFile(join(system.hostPaths.proc, 'self', 'mountinfo'), 'utf8'));
  } catch {
    return [];
  }
}

/** Every mount, in the order of the file (later entries are mounted on top of earlier ones). */
export function parseMountinfo(text: string): MountinfoEntry[] {
  const entries: MountinfoEntry[] = [];
  for (const line of text.split('\n')) {
    const fields = line.split(' ');
    const sep = fields.indexOf('-');
    if (sep < 6) continue;
    const [, , majorMinor, fsRoot, mountPoint, options] = fields;
    const fstype = fields[sep + 1];
    const source = fields[sep + 2];
    if (!majorMinor || !fsRoot || !mountPoint || !fstype) continue;
    const readOnly = (options ?? '').split(',').includes('ro');
    entries.push({ majorMinor, fsRoot: unescape(fsRoot), mountPoint: unescape(mountPoint), fstype, source: unescape(source ?? ''), readOnly });
  }
  return entries;
}

/** The topmost mount at exactly this host path, if any. */
export function mountEntryAt(entries: readonly MountinfoEntry[], hostPath: string): MountinfoEntry | undefined {
  return entries.findLast((e) => e.mountPoint === hostPath);
}

/** What is mounted at exactly this host path (the topmost mount), if anything. */
export function mountedAt(entries: readonly MountinfoEntry[], hostPath: string): MountedProbe | undefined {
  const e = mountEntryAt(entries, hostPath);
  return e ? { fstype: e.fstype, majorMinor: e.majorMinor, fsRoot: e.fsRoot } : undefined;
}
