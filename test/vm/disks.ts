// Disk images for the guests: NoCloud seed ISOs, ext4 images from a tree, blank disks.

import { spawnSync } from 'node:child_process';
import { closeSync, ftruncateSync, mkdirSync, mkdtempSync, openSync, readFileSync, readSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

function run(cmd: string, args: string[]): void {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.error) throw new Error(`${cmd} could not run (${r.error.message}): install test/vm/apt-packages.txt`);
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr}`);
}

/** A cloud-init NoCloud seed as the usual tools make it: ISO9660 labelled cidata with user-data and meta-data. */
export function makeNocloudIso(file: string, userData: string, metaData: string): void {
  const dir = mkdtempSync(`${file}.d-`);
  try {
    writeFileSync(join(dir, 'user-data'), userData);
    writeFileSync(join(dir, 'meta-data'), metaData);
    run('genisoimage', ['-quiet', '-output', file, '-volid', 'cidata', '-joliet', '-rock', join(dir, 'user-data'), join(dir, 'meta-data')]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A sparse file of `mib` MiB of zeros: a disk with no filesystem and no data. */
export function makeBlankDisk(file: string, mib: number): void {
  const fd = openSync(file, 'w');
  try {
    ftruncateSync(fd, mib * 1024 * 1024);
  } finally {
    closeSync(fd);
  }
}

/** An ext4 image of `size` (mkfs.ext4 size syntax, e.g. "256M") holding `tree` (a directory) if given. */
export function makeExt4(file: string, size: string, label: string, tree?: string): void {
  const args = ['-q', '-F', '-L', label];
  if (tree) args.push('-d', tree);
  run('mkfs.ext4', [...args, file, size]);
}

/** The filesystem UUID of an ext4 image, read from its superblock (bytes 1024+104..120). */
export function ext4Uuid(file: string): string {
  const fd = openSync(file, 'r');
  try {
    const buf = Buffer.alloc(16);
    readSync(fd, buf, 0, 16, 1024 + 104);
    const h = buf.toString('hex');
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  } finally {
    closeSync(fd);
  }
}

/** Whether the raw bytes of a disk image contain `text` (data written inside the guest, found from outside). */
export function diskContains(file: string, text: string): boolean {
  return readFileSync(file).includes(Buffer.from(text));
}

export function ensureDir(dir: string): string {
  mkdirSync(dir, { recursive: true });
  return dir;
}
