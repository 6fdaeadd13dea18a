// First boot vs every boot, and clones, recorded crash-consistently in /var/lib/cloudlet of the image.

import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { AgentError } from '../../errors';
import { isReadOnlyError, onReadOnlyFilesystem } from '../../system/read-only-fs';
import { joinRoot } from '../../system/root-path';
import { writeAtomic } from '../../system/atomic-write';

export const STATE_DIR = '/var/lib/cloudlet';
const INSTANCE_ID = 'instance-id';
const IN_PROGRESS = 'boot-in-progress';
const FIRST_BOOT_DONE = 'first-boot-done';
const STATE_FILE = { mode: 0o644 };

export interface BootRecord {
  /** no completed first boot for this instance yet (none at all, an interrupted one, or a new instance id) */
  firstBoot: boolean;
  /** the platform's instance id differs from the one recorded: this disk was cloned to a new machine */
  instanceChanged: boolean;
  /** a boot-in-progress marker was left behind: the previous boot stopped before it completed */
  previousInterrupted: boolean;
  previousInstanceId: string | null;
}

/**
 * What the recorded state says of this boot, read after the mounts so that a /var/lib/cloudlet on the
 * persistent volume is the one read. Changes nothing.
 */
export async function readBootRecord(root: string, instanceId: string | null): Promise<BootRecord> {
  const dir = await joinRoot(root, STATE_DIR);
  try {
    const previousInstanceId = await readState(dir, INSTANCE_ID);
    const doneFor = await readState(dir, FIRST_BOOT_DONE);
    const previousInterrupted = (await readState(dir, IN_PROGRESS)) !== null;
    const instanceChanged = instanceId !== null && previousInstanceId !== null && previousInstanceId !== instanceId;
    const firstBoot = doneFor === null || (instanceId !== null && doneFor !== instanceId);
    return { firstBoot, instanceChanged, previousInterrupted, previousInstanceId };
  } catch (err) {
    throw stateError(dir, err);
  }
}

/**
 * Marks this boot as started. Each file is replaced atomically (temp, fsync, rename, directory fsync),
 * so a power cut leaves either the old record or the new one; "first-boot-done" is written only by
 * completeBoot, so a crash in between repeats the first boot. Returns false when the state directory
 * is on a read-only filesystem: the boot goes on, but cannot be remembered.
 */
export async function markBootStarted(root: string, instanceId: string | null, previousInstanceId: string | null, now: Date): Promise<boolean> {
  const dir = await joinRoot(root, STATE_DIR);
  if (await onReadOnlyFilesystem(dir)) return false;
  try {
    await writeAtomic(join(dir, IN_PROGRESS), JSON.stringify({ instanceId, startedAt: now.toISOString() }) + '\n', STATE_FILE);
    if (instanceId !== null && previousInstanceId !== instanceId) await writeAtomic(join(dir, INSTANCE_ID), instanceId + '\n', STATE_FILE);
    return true;
  } catch (err) {
    if (isReadOnlyError(err)) return false;
    throw stateError(dir, err);
  }
}

/** Called when the boot's steps all succeeded: marks the first boot of this instance done (false: read-only). */
export async function completeBoot(root: string, instanceId: string | null): Promise<boolean> {
  const dir = await joinRoot(root, STATE_DIR);
  if (await onReadOnlyFilesystem(dir)) return false;
  try {
    const doneFor = await readState(dir, FIRST_BOOT_DONE);
    const id = instanceId ?? '';
    if (doneFor !== id) await writeAtomic(join(dir, FIRST_BOOT_DONE), id + '\n', STATE_FILE);
    await rm(join(dir, IN_PROGRESS), { force: true });
    return true;
  } catch (err) {
    if (isReadOnlyError(err)) return false;
    throw stateError(dir, err);
  }
}

async function readState(dir: string, name: string): Promise<string | null> {
  try {
    return (await readFile(join(dir, name), 'utf8')).trim();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

function stateError(dir: string, err: unknown): AgentError {
  if (err instanceof AgentError) return err;
  return new AgentError('E_IO', `cannot record boot state in ${STATE_DIR}: ${(err as Error).message}`, {
    where: dir,
    fix: `make ${STATE_DIR} writable in the image, or list it (or /var/lib) as a persistent path`,
    cause: err,
  });
}
