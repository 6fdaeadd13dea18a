// Replaces a file so that a reader or a power cut sees the old one or the new one: temp beside it, fsync, rename, fsync dir.

import { closeSync, constants, fchmodSync, fsyncSync, mkdirSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { chmod, mkdir, open, rename, stat, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import { tempPath } from './temp-names';

export interface FileMeta {
  /** final permission bits, set whatever the umask */
  mode: number;
  /** final owner; the writer's own when absent */
  uid?: number;
  gid?: number;
}

const DIR_MODE = 0o755;
/**
 * Created exclusively and without following a link: the name is never one that exists, so it need not
 * be unguessable. Readable by its owner only until the final mode is set, since rendered files may hold secrets.
 * The name carries the writer's boot and pid, so a later run can tell one left by a killed writer (temp-names.ts).
 */
const TEMP_FLAGS = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;
const TEMP_MODE = 0o600;

/**
 * The directory fsyncs owed by writes that share them: a hundred files renamed into one directory
 * need that directory synced once, after the last rename, not once each. Until `flush` resolves, a
 * power cut may undo some of those renames (each such file is then the old one, whole).
 */
export class DirSyncs {
  private readonly dirs = new Set<string>();

  add(dir: string): void {
    this.dirs.add(dir);
  }

  /** Directories not synced yet, in the order first added. */
  pending(): string[] {
    return [...this.dirs];
  }

  /** Syncs every pending directory; the first failure is thrown with the directory in its message and its code kept. */
  async flush(): Promise<void> {
    for (const dir of this.pending()) {
      try {
        await syncDir(dir);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        throw Object.assign(new Error(`cannot sync directory ${dir}: ${(err as Error).message}`, { cause: err }), { code });
      }
      this.dirs.delete(dir);
    }
  }
}

/**
 * Writes `data` to `hostPath` atomically with its final mode (and owner, when given), creating missing
 * parent directories with mode 0755. Node errors pass through with their code. With `dirSyncs`, the
 * directory's fsync is left to its `flush`; without, it is done before returning.
 */
export async function writeAtomic(hostPath: string, data: Buffer | string, meta: FileMeta, dirSyncs?: DirSyncs): Promise<void> {
  const dir = dirname(hostPath);
  await makeParents(dir);
  const tmp = tempPath(hostPath);
  const fh = await open(tmp, TEMP_FLAGS, TEMP_MODE);
  try {
    await fh.writeFile(data);
    if (meta.uid !== undefined && meta.gid !== undefined) {
      const st = await fh.stat();
      // Owner before mode: chown clears setuid/setgid bits.
      if (st.uid !== meta.uid || st.gid !== meta.gid) await fh.chown(meta.uid, meta.gid);
    }
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
  if (dirSyncs) dirSyncs.add(dir);
  else await syncDir(dir);
}

/**
 * The same for callers that must not yield (the status reporter writes between pipeline events), with the
 * writer's own owner. The parent directory is created when missing.
 */
export function writeAtomicSync(hostPath: string, data: string, mode = 0o644): void {
  const dir = dirname(hostPath);
  mkdirSync(dir, { recursive: true, mode: DIR_MODE });
  const tmp = tempPath(hostPath);
  const fd = openSync(tmp, TEMP_FLAGS, TEMP_MODE);
  try {
    writeSync(fd, data);
    fchmodSync(fd, mode);
    fsyncSync(fd);
  } catch (err) {
    closeSync(fd);
    unlinkSync(tmp);
    throw err;
  }
  closeSync(fd);
  try {
    renameSync(tmp, hostPath);
  } catch (err) {
    unlinkSync(tmp);
    throw err;
  }
  syncDirSync(dir);
}

const DIR_FLAGS = constants.O_RDONLY | constants.O_DIRECTORY;

/** fsync of the directory makes the rename itself durable. */
async function syncDir(dir: string): Promise<void> {
  const fh = await open(dir, DIR_FLAGS);
  try {
    await fh.sync();
  } catch (err) {
    if (!cannotSyncDirs(err)) throw err;
  } finally {
    await fh.close();
  }
}

function syncDirSync(dir: string): void {
  const fd = openSync(dir, DIR_FLAGS);
  try {
    fsyncSync(fd);
  } catch (err) {
    if (!cannotSyncDirs(err)) throw err;
  } finally {
    closeSync(fd);
  }
}

/** Some filesystems refuse fsync on a directory; the rename is still atomic there. */
function cannotSyncDirs(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException).code;
  return code === 'EINVAL' || code === 'ENOTSUP';
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
