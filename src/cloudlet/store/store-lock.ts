// The store's one exclusive lock: a file holding the holder's pid, boot and task; a dead holder's lock is taken over.

import { createHash } from 'node:crypto';
import { link, open, readFile, stat, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tempPath as tempName, thisProcess, type Now } from '../../system/temp-names';
import { storeError } from './store-errors';
import { LIMITS } from './store-limits';

export interface LockHolder {
  pid: number;
  /** first 12 hex digits of the holder's boot id; absent when it could not tell */
  boot?: string;
  what: string;
  since: string;
}

export interface LockOptions {
  /** how long to wait for a live holder before giving up */
  waitMs: number;
  now?: Now;
  /** called between attempts; resolves when it is worth looking again */
  pause?: (attempt: number) => Promise<void>;
  clock?: () => number;
}

/** The default wait, and the CLOUDLET_STORE_LOCK_WAIT override in seconds. */
export function lockWaitMs(env: Readonly<Record<string, string | undefined>>): number {
  const text = env.CLOUDLET_STORE_LOCK_WAIT;
  if (text !== undefined && /^[0-9]{1,6}$/.test(text)) return Number(text) * 1000;
  return 60_000;
}

/**
 * Takes the lock at `dir/lock` for `what`; resolves with a release function. The lock file is written whole
 * under a temp name and hard-linked into place, so a reader never sees it half written and two takers
 * never both succeed. A live holder is waited for up to `waitMs`, then E_STORE names it.
 */
export async function acquireLock(dir: string, tmpDir: string, what: string, opts: LockOptions): Promise<() => Promise<void>> {
  const now = opts.now ?? thisProcess();
  const clock = opts.clock ?? Date.now;
  const pause = opts.pause ?? ((n: number) => new Promise<void>((r) => setTimeout(r, Math.min(50 * 2 ** Math.min(n, 4), 500))));
  const lockPath = join(dir, 'lock');
  const me: LockHolder = { pid: now.pid, ...(now.boot ? { boot: now.boot } : {}), what: what.slice(0, 200), since: new Date(clock()).toISOString() };
  const mine = tempName(join(tmpDir, 'lock'));
  const fh = await open(mine, 'wx', 0o644);
  try {
    await fh.writeFile(`${JSON.stringify(me)}\n`);
    await fh.sync();
  } finally {
    await fh.close();
  }
  const deadline = clock() + opts.waitMs;
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        await link(mine, lockPath);
        const ino = (await stat(mine)).ino;
        return async () => {
          // Only our own lock is removed: a release after a takeover by someone else must not free theirs.
          const st = await stat(lockPath).catch(() => undefined);
          if (st?.ino === ino) await unlink(lockPath);
        };
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw storeError(`cannot create the lock: ${(err as Error).message}`, lockPath, 'check that the store directory is writable', err);
      }
      const held = await readHolder(lockPath);
      if (held === undefined) continue;
      if (isDead(held.holder, now) && (await takeOver(lockPath, held, tmpDir, now))) continue;
      if (clock() >= deadline) {
        throw storeError(`store busy: process ${held.holder.pid} holds its lock for "${held.holder.what}" since ${held.holder.since}`, lockPath, 'wait for that command to finish and run this one again (CLOUDLET_STORE_LOCK_WAIT=SECONDS waits longer)');
      }
      await pause(attempt);
    }
  } finally {
    await unlink(mine).catch(() => {});
  }
}

interface HeldLock {
  holder: LockHolder;
  ino: number;
  /** the file's whole text: with the inode, what tells this lock from a later one on a reused inode */
  text: string;
}

async function readHolder(lockPath: string): Promise<HeldLock | undefined> {
  const seen = await lockIdentity(lockPath);
  if (seen === undefined) return undefined;
  const holder = parseHolder(seen.text);
  if (!holder) throw storeError('the lock file is not one cloudlet wrote', lockPath, 'if no cloudlet command is running on this store, delete the lock file');
  return { holder, ...seen };
}

/** The lock's inode and text; undefined when there is none (released meanwhile). */
async function lockIdentity(lockPath: string): Promise<{ ino: number; text: string } | undefined> {
  try {
    const st = await stat(lockPath);
    return { ino: st.ino, text: st.size <= LIMITS.lockBytes ? await readFile(lockPath, 'utf8') : '' };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw storeError(`cannot read the lock: ${(err as Error).message}`, lockPath, 'check the permissions of the store directory', err);
  }
}

function parseHolder(text: string): LockHolder | undefined {
  try {
    const v = JSON.parse(text) as Partial<LockHolder>;
    if (!Number.isSafeInteger(v.pid) || (v.pid as number) <= 0 || typeof v.what !== 'string' || typeof v.since !== 'string') return undefined;
    if (v.boot !== undefined && (typeof v.boot !== 'string' || !/^[0-9a-f]{12}$/.test(v.boot))) return undefined;
    return v as LockHolder;
  } catch {
    return undefined;
  }
}

/** A holder of an earlier boot is gone whatever its pid; in this boot, it is gone when no process has its pid. */
function isDead(holder: LockHolder, now: Now): boolean {
  if (holder.boot !== undefined && now.boot !== undefined && holder.boot !== now.boot) return true;
  if (holder.pid === now.pid) return false;
  return !now.alive(holder.pid);
}

/**
 * Removes a dead holder's lock; true when it is gone. Takers of the same dead lock first race for one claim
 * file named by that lock's identity (inode and text), so exactly one removes it, and only after checking
 * that `lock` still is that file: a live lock, even one on a reused inode, is never removed. A claim whose
 * claimant died too is cleared, and the next attempt claims again.
 */
async function takeOver(lockPath: string, dead: HeldLock, tmpDir: string, now: Now): Promise<boolean> {
  const id = createHash('sha256').update(`${dead.ino}\n${dead.text}`).digest('hex').slice(0, 32);
  const claim = join(tmpDir, `lock-claim-${id}`);
  const note = tempName(claim);
  await writeFile(note, JSON.stringify({ pid: now.pid, ...(now.boot ? { boot: now.boot } : {}), what: 'taking over a dead lock', since: new Date().toISOString() }), { flag: 'wx' });
  try {
    await link(note, claim);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    const other = await readFile(claim, 'utf8').catch(() => '');
    const claimant = parseHolder(other);
    if (claimant && isDead(claimant, now)) await unlink(claim).catch(() => {});
    return false;
  } finally {
    await unlink(note).catch(() => {});
  }
  try {
    const current = await lockIdentity(lockPath);
    if (current?.ino === dead.ino && current.text === dead.text) await unlink(lockPath).catch(() => {});
    return true;
  } finally {
    await unlink(claim);
  }
}
