// Pins what mkfs.ext4 -d copies from the staging tree but no input decides: access and change times, the root's own inode.

import { AgentError } from '../../errors';
import { RESERVED_INODES } from './ext4-layout';

/** The inodes in use, from dumpe2fs' "Inode count" and each group's "Free inodes" ranges. */
export function usedInodes(dumpe2fsOutput: string): number[] {
  const count = /^Inode count:\s+(\d+)$/m.exec(dumpe2fsOutput);
  if (!count?.[1]) throw new AgentError('E_BAKE_TOOL', 'dumpe2fs printed no inode count', { fix: 'check the e2fsprogs installation (dumpe2fs)' });
  const total = Number(count[1]);
  const free = new Uint8Array(total + 1);
  for (const m of dumpe2fsOutput.matchAll(/^ {2}Free inodes: ?(.*)$/gm)) {
    for (const part of (m[1] ?? '').split(',')) {
      const range = /^\s*(\d+)(?:-(\d+))?\s*$/.exec(part);
      if (!range) continue;
      const first = Number(range[1]);
      const last = Math.min(total, Number(range[2] ?? range[1]));
      for (let i = first; i <= last; i++) free[i] = 1;
    }
  }
  const used: number[] = [];
  for (let i = 1; i <= total; i++) if (!free[i]) used.push(i);
  return used;
}

export interface RootDirStat {
  mode: number;
  uid: number;
  gid: number;
  mtime: number;
}

/**
 * A debugfs script. Every file mke2fs copied (inodes after lost+found) takes the staging tree's atime
 * and ctime, and ctime is the moment the tree was staged: both become `epoch`. The root directory is
 * made by mke2fs (0755 root:root), so the staged root's mode, owner and mtime are set on it here.
 */
export function ext4TimesScript(used: readonly number[], epoch: number, root: RootDirStat): string {
  const at = `@${epoch}`;
  const lines = [
    `sif <2> mode 0${(0o40000 | (root.mode & 0o7777)).toString(8)}`,
    `sif <2> uid ${root.uid}`,
    `sif <2> gid ${root.gid}`,
    `sif <2> mtime @${root.mtime}`,
  ];
  for (const ino of used) {
    if (ino <= RESERVED_INODES) continue;
    lines.push(`sif <${ino}> atime ${at}`, `sif <${ino}> ctime ${at}`);
  }
  return lines.join('\n') + '\n';
}
