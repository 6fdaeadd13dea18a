// Puts a cache entry's files into --out: hard links on the same filesystem, sparse copies elsewhere; never a half-written name.

import { link, mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { AgentError } from '../../errors';
import type { System } from '../../system/system';
import { findStaleTemps, removeStaleTemps } from '../../system/stale-temps';
import { tempPath } from '../../system/temp-names';

export interface EntryFile {
  /** file name inside the entry and in --out */
  name: string;
  role: string;
  bytes: number;
  sha256: string;
  /** stat of the file when the entry was made: a write through a published link changes it */
  mtimeNs: string;
}

const FILES = 'files.json';

export async function recordFiles(dir: string, files: readonly Omit<EntryFile, 'mtimeNs'>[]): Promise<EntryFile[]> {
  const out: EntryFile[] = [];
  for (const f of files) out.push({ ...f, mtimeNs: (await stat(join(dir, f.name), { bigint: true })).mtimeNs.toString() });
  await writeFile(join(dir, FILES), JSON.stringify(out, null, 2) + '\n');
  return out;
}

/**
 * The entry's files, or undefined when any of them was changed since the entry was made (a disk
 * published as a hard link and then booted read-write changes the cached bytes too): such an entry
 * is no longer what its key says and is made again.
 */
export async function intactFiles(dir: string): Promise<EntryFile[] | undefined> {
  let files: EntryFile[];
  try {
    files = JSON.parse(await readFile(join(dir, FILES), 'utf8')) as EntryFile[];
  } catch {
    return undefined;
  }
  for (const f of files) {
    const st = await stat(join(dir, f.name), { bigint: true }).catch(() => undefined);
    if (!st || st.size !== BigInt(f.bytes) || st.mtimeNs.toString() !== f.mtimeNs) return undefined;
  }
  return files;
}

/** Links (or copies) each file into `out` under a temporary name, then renames: `out` never holds a partial output under a final name. */
export async function publish(dir: string, files: readonly EntryFile[], out: string, system: System): Promise<string[]> {
  await mkdir(out, { recursive: true });
  // What a bake killed while publishing left in --out (the one temp-name scheme of both programs).
  await removeStaleTemps(await findStaleTemps([out]));
  const sameDevice = (await stat(dir)).dev === (await stat(out)).dev;
  const placed: string[] = [];
  for (const f of files) {
    const from = join(dir, f.name);
    const to = join(out, basename(f.name));
    const temp = tempPath(to);
    try {
      if (sameDevice) await link(from, temp);
      else await sparseCopy(from, temp, to, system);
      await rename(temp, to);
      // rename() of two links to one file does nothing and keeps both names (a republish of the same entry).
      await rm(temp, { force: true });
    } catch (err) {
      await rm(temp, { force: true });
      throw err instanceof AgentError ? err : new AgentError('E_IO', `cannot write ${to}: ${(err as Error).message}`, { where: to, fix: 'check that --out is writable and has room', cause: err });
    }
    placed.push(to);
  }
  return placed;
}

/** cp keeps holes (a raw disk is mostly holes) where Node's copyFile would write them out as zeros. */
async function sparseCopy(from: string, temp: string, to: string, system: System): Promise<void> {
  const r = await system.exec('cp', ['--sparse=always', '--reflink=auto', '--', from, temp]);
  if (r.code !== 0) {
    const why = /No space left/.test(r.stderr) ? 'no space left on the device' : r.stderr.trim().replace(temp, to) || `cp exited ${r.code}`;
    throw new AgentError('E_IO', `cannot write ${to}: ${why}`, { where: to, fix: 'check that --out is writable and has room for the output' });
  }
}
