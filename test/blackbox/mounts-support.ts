// Loop devices and image fixtures for the mount tests: real block devices from temp files, always detached.

import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from './harness';

export interface Loop {
  device: string;
  file: string;
  detach(): void;
}

/** A loop device over a fresh sparse file of `mib` MiB; detach() also removes the file. */
export function makeLoop(mib = 64): Loop {
  const { dir, cleanup } = tempDir('cloudlet-loop-');
  const file = join(dir, 'disk.img');
  const t = spawnSync('truncate', ['-s', `${mib}M`, file], { encoding: 'utf8' });
  if (t.status !== 0) throw new Error(`truncate failed: ${t.stderr}`);
  const r = spawnSync('losetup', ['-f', '--show', file], { encoding: 'utf8' });
  if (r.status !== 0) {
    cleanup();
    throw new Error(`losetup -f --show failed (the mount tests need root and loop devices): ${r.stderr}`);
  }
  const device = r.stdout.trim();
  return {
    device,
    file,
    detach() {
      spawnSync('losetup', ['-d', device]);
      cleanup();
    },
  };
}

export function sh(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout;
}

export function sha256(file: string): string {
  return sh('sha256sum', [file]).split(' ')[0] as string;
}

/** The filesystem UUID on a device (blkid), or '' when it holds none: a changed UUID means a reformat. */
export function fsUuid(device: string): string {
  const r = spawnSync('blkid', ['-p', '-o', 'value', '-s', 'UUID', device], { encoding: 'utf8' });
  return r.stdout.trim();
}

export function fsLabel(device: string): string {
  const r = spawnSync('blkid', ['-p', '-o', 'value', '-s', 'LABEL', device], { encoding: 'utf8' });
  return r.stdout.trim();
}

export function writeJson(path: string, value: unknown): string {
  writeFileSync(path, JSON.stringify(value));
  return path;
}

/** Mountinfo lines below `root`, as "fstype mountpoint-relative-to-root fsroot options". */
export function mountsUnder(mountinfo: string, root: string): string[] {
  const out: string[] = [];
  for (const line of mountinfo.split('\n')) {
    const f = line.split(' ');
    const sep = f.indexOf('-');
    const point = f[4];
    if (sep < 0 || !point || !(point === root || point.startsWith(root + '/'))) continue;
    out.push(`${f[sep + 1]} ${point.slice(root.length) || '/'} ${f[3]} ${f[sep + 3]}`);
  }
  return out;
}
