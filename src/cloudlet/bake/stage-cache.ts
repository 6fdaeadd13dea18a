// The content-addressed cache of bake stages: one directory per stage key, made whole or not at all.

import { mkdir, mkdtemp, readdir, rename, rm, stat, writeFile, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AgentError } from '../../errors';
import { hexOf } from './stage-key';

/** What a finished entry records beside its files. */
export interface EntryMeta {
  stage: string;
  key: string;
  /** what went in, as the key was computed from it (for `--json` and for people reading the cache) */
  inputs: unknown;
  created: string;
}

export interface CacheEntry {
  dir: string;
  meta: EntryMeta;
}

export class StageCache {
  constructor(readonly dir: string) {}

  private entryDir(stage: string, key: string): string {
    return join(this.dir, 'stages', stage, hexOf(key));
  }

  /** The finished entry for this key, or undefined. An entry is finished when its meta.json exists. */
  async lookup(stage: string, key: string): Promise<CacheEntry | undefined> {
    const dir = this.entryDir(stage, key);
    try {
      const meta = JSON.parse(await readFile(join(dir, 'meta.json'), 'utf8')) as EntryMeta;
      return meta.key === key ? { dir, meta } : undefined;
    } catch {
      return undefined;
    }
  }

  /**
   * Builds an entry in a private temporary directory and renames it into place, so a crash or a
   * failed build leaves no entry under the key; when another bake finished the same key first, its
   * entry is kept and ours is dropped (both hold the same bytes).
   */
  async put(stage: string, key: string, inputs: unknown, build: (dir: string) => Promise<void>, now: Date): Promise<CacheEntry> {
    const tmpRoot = join(this.dir, 'tmp');
    await mkdir(tmpRoot, { recursive: true });
    await mkdir(join(this.dir, 'stages', stage), { recursive: true });
    const tmp = await mkdtemp(join(tmpRoot, `${stage}-${process.pid}-`));
    try {
      await build(tmp);
      const meta: EntryMeta = { stage, key, inputs, created: now.toISOString() };
      await writeFile(join(tmp, 'meta.json'), JSON.stringify(meta, null, 2) + '\n');
      const dir = this.entryDir(stage, key);
      try {
        await rename(tmp, dir);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw err;
        await rm(tmp, { recursive: true, force: true });
      }
      return { dir, meta };
    } catch (err) {
      await rm(tmp, { recursive: true, force: true });
      throw err;
    }
  }

  /** Removes temporary directories left by bakes that died (their process is gone). */
  async sweep(): Promise<void> {
    const tmpRoot = join(this.dir, 'tmp');
    let names: string[];
    try {
      names = await readdir(tmpRoot);
    } catch {
      return;
    }
    for (const name of names) {
      const pid = Number(/-(\d+)-[^-]+$/.exec(name)?.[1]);
      if (Number.isInteger(pid) && pid > 0 && !processAlive(pid)) await rm(join(tmpRoot, name), { recursive: true, force: true });
    }
  }
}

/** Whether a process with this pid exists (EPERM: it does, and belongs to someone else). */
function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The cache directory: --cache, else $XDG_CACHE_HOME/cloudlet, else ~/.cache/cloudlet. */
export function defaultCacheDir(env: Readonly<Record<string, string | undefined>>): string {
  if (env.XDG_CACHE_HOME) return join(env.XDG_CACHE_HOME, 'cloudlet');
  if (env.HOME) return join(env.HOME, '.cache', 'cloudlet');
  throw new AgentError('E_USAGE', 'no cache directory: neither XDG_CACHE_HOME nor HOME is set', { fix: 'pass --cache DIR' });
}

/** True when the path exists (any kind). */
export async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}
