// Replaces a file so that a power cut leaves the old one or the new one: temp beside it, fsync, rename, fsync dir.

import { constants } from 'node:fs';
import { chmod, mkdir, open, rename, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

// node:crypto loads when a file is written, not at every boot: a reboot that changes no file never needs it.
const randomBytes = (size: number) => (require('node:crypto') as typeof import('node:crypto')).randomBytes(size);

export interface FileMeta {
  mode: number;
  uid: number;
  gid: number;
}

export const DIR_MODE = 0o755;

/**
 * Writes `data` to `hostPath` atomically with its final mode and owner. The temp file is created
 * exclusively (never follows or reuses an existing name) and readable by its owner only until its
 * final mode is set, since rendered files may hold secrets. Node errors pass through with their code.
 */
export async function writeAtomic(hostPath: string, data: Buffer, meta: FileMeta): Promise<void> {
  const dir = dirname(hostPath);
  await makeParents(dir);
  // Long names must still fit NAME_MAX (255) with the suffix.
  const tmp = join(dir, `.${basename(hostPath).slice(0, 200)}.cloudlet-${randomBytes(6).toString('hex')}`);
  const fh = await open(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
  try {
    await fh.writeFile(data);
    const st = await fh.stat();
    // Owner before mode: chown clears setuid/setgid bits.
    if (st.uid !== meta.uid || st.gid !== meta.gid) await fh.chown(meta.uid, meta.gid);
    await fh.chmod(meta.mode);
    await fh.sync();
  } catch (err) {
    await fh.close().catch(() => {});
    await unlink(tmp).catch(() => {});
    throw err;
  }
  await fh.close();
  try {
    await rename(tmp, hostPath);
  } catch (err) {
    await unlink(tmp).catch(() => {});
    throw err;
  }
  await syncDir(dir);
}

/** fsync of the directory makes the rename itself durable. */
async function syncDir(dir: string): Promise<void> {
  const fh = await open(dir, constants.O_RDONLY | constants.O_DIRECTORY);
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** Creates missing parent directories with mode 0755 whatever the umask, top-down. */
async function makeParents(dir: string): Promise<void> {
  const missing: string[] = [];
  for (let d = dir; ; d = dirname(d)) {
    try {
      await stat(d);
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT' || d === dirname(d)) throw err;
      missing.unshift(d);
    }
  }
  for (const d of missing) {
    try {
      await mkdir(d, DIR_MODE);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      continue;
    }
    await chmod(d, DIR_MODE);
  }
  if (missing.length) await syncDir(dirname(missing[0] as string));
}
