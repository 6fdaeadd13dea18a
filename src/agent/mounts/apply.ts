// Carries out a mount plan: mkfs, mount, seed and bind through System.exec on root-joined host paths.

import { isOctalMode, tmpfsSizeProblem } from '../../manifest/value-formats';
import { chmod, chown, mkdir, rename, rm, rmdir, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { AgentError } from '../../errors';
import { looksBlank } from '../../system/block-devices';
import { joinRoot } from '../../system/root-path';
import type { System } from '../../system/system';
import { isWithin } from '../../system/image-path';
import { onReadOnlyFilesystem } from '../../system/read-only-fs';
import { kindOf, storageFallback } from './probe';
import { runTool } from '../../system/tools';
import { STORAGE_MOUNTPOINT, type MountAction } from './types';
import { remountRoot } from './writable-root';

export interface ApplyEnv {
  system: System;
  root: string;
  /** host path of the mounted volume once known; paths under /.cloudlet/storage resolve there */
  storageHost?: string;
}

/** Host path of an image path, reading /.cloudlet/storage/... as the volume wherever it is mounted. */
async function hostOf(env: ApplyEnv, imagePath: string): Promise<string> {
  if (env.storageHost && isWithin(STORAGE_MOUNTPOINT, imagePath)) {
    return joinRoot(env.storageHost, imagePath.slice(STORAGE_MOUNTPOINT.length) || '/');
  }
  return joinRoot(env.root, imagePath);
}

/** What one action did, for the item events of the report. */
export type ActionOutcome = 'ok' | 'changed' | 'unchanged';

export async function applyAction(env: ApplyEnv, action: MountAction, index: number): Promise<ActionOutcome> {
  switch (action.kind) {
    case 'skip':
      return 'unchanged';
    case 'remount-root':
      await remountRoot(env.system, env.root, 'rw');
      return 'changed';
    case 'mkfs':
      await mkfs(env, action);
      return 'changed';
    case 'mount-storage': {
      const target = await storageTarget(env, action.target);
      env.storageHost = target;
      const type = action.fstype ? ['-t', action.fstype] : [];
      const options = action.options ? ['-o', action.options] : [];
      await runTool(env.system, 'mount', [...type, ...options, action.device, target], 'E_STORAGE', `check that ${action.device} holds a healthy ${action.fstype ?? ''} filesystem (fsck it from a rescue system)`);
      return 'ok';
    }
    case 'seed':
      return seed(env, action);
    case 'bind': {
      const source = await hostOf(env, action.source);
      const sourceKind = await kindOf(source);
      const target = await ensureTarget(env, action.target, sourceKind === 'file' ? 'file' : 'dir');
      await runTool(env.system, 'mount', ['-o', 'bind', source, target], 'E_MOUNT', `check that ${action.source} exists on the volume`);
      return 'ok';
    }
    case 'tmpfs':
      await tmpfs(env, action, index);
      return 'ok';
  }
}

async function mkfs(env: ApplyEnv, a: Extract<MountAction, { kind: 'mkfs' }>): Promise<void> {
  // The plan was made from an earlier look; look again right before the only destructive command.
  if (!(await looksBlank(a.device))) {
    throw new AgentError('E_STORAGE', `${a.device} is no longer blank; refusing to format it`, {
      where: a.device,
      fix: 'something wrote to the device since it was probed; check what uses it and boot again',
    });
  }
  await runTool(env.system, `mkfs.${a.fstype}`, [...mkfsArgs(a), a.device], 'E_STORAGE', `check that mkfs.${a.fstype} is installed and ${a.device} is writable`);
}

function mkfsArgs(a: Extract<MountAction, { kind: 'mkfs' }>): string[] {
  const label = a.label;
  const uuid = a.uuid;
  if (/^ext[234]$/.test(a.fstype)) return ['-q', ...(label ? ['-L', label] : []), ...(uuid ? ['-U', uuid] : [])];
  if (a.fstype === 'xfs') return ['-q', ...(label ? ['-L', label] : []), ...(uuid ? ['-m', `uuid=${uuid}`] : [])];
  if (a.fstype === 'btrfs') return ['-q', ...(label ? ['-L', label] : []), ...(uuid ? ['-U', uuid] : [])];
  if (a.fstype === 'vfat') return [...(label ? ['-n', label] : []), ...(uuid ? ['-i', uuid.replace('-', '')] : [])];
  return [];
}

/**
 * Copies the image's content into the volume under a temporary name, then renames it into place:
 * a power cut mid-copy leaves no half-seeded path that a later boot would take as seeded.
 */
async function seed(env: ApplyEnv, a: Extract<MountAction, { kind: 'seed' }>): Promise<ActionOutcome> {
  const dest = await hostOf(env, a.volumePath);
  if (a.ifAbsent && (await kindOf(dest)) !== 'absent') return 'unchanged';
  const temp = `${dest}.cloudlet-seed`;
  await mkdir(dirname(dest), { recursive: true });
  await rm(temp, { recursive: true, force: true });
  if (a.from === 'empty-dir') {
    await mkdir(temp, { mode: 0o755 });
  } else {
    const source = await joinRoot(env.root, a.path);
    await runTool(env.system, 'cp', ['-a', source, temp], 'E_STORAGE', `check that the volume has room for ${a.path}`);
  }
  await runTool(env.system, 'sync', [], 'E_STORAGE', 'check the volume for I/O errors');
  await rename(temp, dest);
  return 'changed';
}

/**
 * A tmpfs that shows what the image had at the path: mounted on a staging directory under the run
 * directory, filled with `cp -a`, then bound over the path. A bind (not a move) works whatever the
 * propagation of the parent mount is; the staging mount is dropped afterwards, the bind keeps the tmpfs.
 */
async function tmpfs(env: ApplyEnv, a: Extract<MountAction, { kind: 'tmpfs' }>, index: number): Promise<void> {
  const target = await ensureDir(env, a.path);
  const st = await stat(target);
  const mode = a.mode ?? (st.mode & 0o7777).toString(8).padStart(4, '0');
  const fix = `check the size and mode of volatile ${a.path}`;
  // The manifest loader checked both; here, where they become one option string, a comma must never pass.
  if (!isOctalMode(mode) || (a.size !== undefined && tmpfsSizeProblem(a.size) !== undefined)) {
    throw new AgentError('E_MANIFEST_INVALID', `volatile ${a.path}: size or mode is not a plain value`, { where: a.path, fix });
  }
  const options = [`mode=${mode}`, `uid=${st.uid}`, `gid=${st.gid}`, ...(a.size ? [`size=${a.size}`] : [])].join(',');
  if (!a.seed) {
    await runTool(env.system, 'mount', ['-t', 'tmpfs', '-o', options, 'tmpfs', target], 'E_MOUNT', fix);
    return;
  }
  const staging = join(env.system.hostPaths.run, 'cloudlet', 'staging', String(index));
  await mkdir(staging, { recursive: true });
  await runTool(env.system, 'mount', ['-t', 'tmpfs', '-o', options, 'tmpfs', staging], 'E_MOUNT', fix);
  try {
    await runTool(env.system, 'cp', ['-a', `${target}/.`, `${staging}/`], 'E_MOUNT', `the image's ${a.path} does not fit into size=${a.size ?? 'default'}: raise the size`);
    // cp -a copies the image directory's own mode and owner onto the staging root: restore the spec's.
    await chmod(staging, parseInt(mode, 8));
    await chown(staging, st.uid, st.gid);
    await runTool(env.system, 'mount', ['-o', 'bind', staging, target], 'E_MOUNT', fix);
  } finally {
    await runTool(env.system, 'umount', [staging], 'E_MOUNT', 'a staging tmpfs stayed mounted; it is harmless until reboot').catch(() => undefined);
    await rmdir(staging).catch(() => undefined);
  }
}

/**
 * The volume's mountpoint: /.cloudlet/storage in the image, or under the run directory when the
 * image lacks it and the root is read-only (creating it there would fail).
 */
async function storageTarget(env: ApplyEnv, imagePath: string): Promise<string> {
  try {
    return await ensureDir(env, imagePath);
  } catch (err) {
    if (!(await onReadOnlyFilesystem(await joinRoot(env.root, imagePath)))) throw err;
    const fallback = storageFallback(env.system);
    await mkdir(fallback, { recursive: true, mode: 0o700 });
    return fallback;
  }
}

async function ensureDir(env: ApplyEnv, imagePath: string): Promise<string> {
  return ensureTarget(env, imagePath, 'dir');
}

/** The host path of a mountpoint, created if the image lacks it (which fails clearly on a read-only root). */
async function ensureTarget(env: ApplyEnv, imagePath: string, kind: 'dir' | 'file'): Promise<string> {
  const host = await joinRoot(env.root, imagePath);
  if ((await kindOf(host)) !== 'absent') return host;
  try {
    if (kind === 'dir') await mkdir(host, { recursive: true, mode: 0o755 });
    else {
      await mkdir(dirname(host), { recursive: true, mode: 0o755 });
      await writeFile(host, '', { mode: 0o644 });
    }
  } catch (err) {
    throw new AgentError('E_MOUNT', `cannot create the mountpoint ${imagePath}: ${(err as Error).message}`, {
      where: imagePath,
      cause: err,
      fix: (await onReadOnlyFilesystem(host)) ? `the root is read-only: create ${imagePath} in the image when building it` : `check the image at ${imagePath}`,
    });
  }
  return host;
}
