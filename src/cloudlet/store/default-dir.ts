// Where the image store lives when no --store is given.

import { join, resolve } from 'node:path';
import { AgentError } from '../../errors';

/** $CLOUDLET_STORE, else $XDG_DATA_HOME/cloudlet/store, else ~/.local/share/cloudlet/store. */
export function defaultStoreDir(env: Readonly<Record<string, string | undefined>>): string {
  if (env.CLOUDLET_STORE) return resolve(env.CLOUDLET_STORE);
  // The XDG spec ignores relative values.
  if (env.XDG_DATA_HOME?.startsWith('/')) return join(env.XDG_DATA_HOME, 'cloudlet', 'store');
  if (env.HOME) return join(env.HOME, '.local', 'share', 'cloudlet', 'store');
  throw new AgentError('E_USAGE', 'no image store: neither CLOUDLET_STORE, XDG_DATA_HOME nor HOME is set', { fix: 'pass --store DIR' });
}

/** The store a command works on: --store DIR, else the default. */
export function storeDirOf(flag: string | undefined, env: Readonly<Record<string, string | undefined>>): string {
  return flag !== undefined ? resolve(flag) : defaultStoreDir(env);
}

/** The help line of --store, for every command that takes it, its description starting at column `column`. */
export function storeFlagDetail(column: number, what = 'the image store'): string {
  return `${'--store DIR'.padEnd(column)}${what} (default $CLOUDLET_STORE, else $XDG_DATA_HOME/cloudlet/store or ~/.local/share/cloudlet/store)`;
}
