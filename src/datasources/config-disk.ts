// Finds a config disk by its label, mounts it read-only in a private directory, reads it, always unmounts.

import { mkdir, mkdtemp, rmdir } from 'node:fs/promises';
import { join } from 'node:path';
import { AgentError } from '../errors';
import { listFilesystems, type BlockDevice } from '../system/block-devices';
import { findTool, remainingMs } from './tools';
import type { DatasourceContext } from './types';

/** Filesystems a config disk may carry; anything else with the label is refused, not mounted. */
const CONFIG_FSTYPES = new Set(['iso9660', 'vfat']);

/** The first device whose label is `label` in any case (vfat labels are upper case), or null. */
export async function findConfigDisk(ctx: DatasourceContext, label: string): Promise<BlockDevice | null> {
  const all = await listFilesystems(ctx.system);
  return all.find((d) => d.label !== undefined && d.label.toLowerCase() === label.toLowerCase()) ?? null;
}

/**
 * Mounts `device` read-only under <run>/cloudlet, calls `read` with the mount point, and unmounts and
 * removes the directory afterwards, also when `read` throws.
 */
export async function withMountedDisk<T>(ctx: DatasourceContext, platform: string, device: BlockDevice, read: (dir: string) => Promise<T>): Promise<T> {
  if (!CONFIG_FSTYPES.has(device.fstype)) {
    throw new AgentError('E_PLATFORM', `${platform}: ${device.path} is labelled "${device.label}" but holds ${device.fstype}, not ISO9660 or vfat`, {
      where: device.path,
      fix: 'make the config disk with genisoimage/cloud-localds (ISO9660) or mkfs.vfat',
    });
  }
  const { system } = ctx;
  const mount = await findTool(system, 'mount');
  const umount = await findTool(system, 'umount');
  if (!mount || !umount) {
    throw new AgentError('E_PLATFORM', `${platform}: found ${device.path} but there is no mount/umount program to read it`, {
      where: device.path,
      fix: 'install util-linux mount (or busybox) in the image',
    });
  }
  const base = join(system.hostPaths.run, 'cloudlet');
  await mkdir(base, { recursive: true, mode: 0o700 });
  const dir = await mkdtemp(join(base, `${platform}-`));
  try {
    const r = await system.exec(mount, ['-t', device.fstype, '-o', 'ro,nodev,nosuid,noexec', device.path, dir], {
      timeoutMs: remainingMs(system, ctx.deadline),
    });
    if (r.code !== 0) {
      throw new AgentError('E_PLATFORM', `${platform}: cannot mount ${device.path} (${device.fstype}) read-only: ${r.stderr.trim() || `exit ${r.code ?? r.signal}`}`, {
        where: device.path,
        fix: `check that the kernel supports ${device.fstype} (module loaded) and the disk is readable`,
      });
    }
    try {
      return await read(dir);
    } finally {
      await unmount(ctx, umount, dir);
    }
  } finally {
    // rmdir, never a recursive remove: if the unmount failed, the disk's files must not be touched.
    await rmdir(dir).catch(() => undefined);
  }
}

async function unmount(ctx: DatasourceContext, umount: string, dir: string): Promise<void> {
  // Past the deadline the unmount still gets a few seconds: leaving the disk mounted is worse.
  const r = await ctx.system.exec(umount, [dir], { timeoutMs: 5000 });
  if (r.code === 0) return;
  const lazy = await ctx.system.exec(umount, ['-l', dir], { timeoutMs: 5000 });
  if (lazy.code !== 0) {
    throw new AgentError('E_MOUNT', `cannot unmount the config disk at ${dir}: ${r.stderr.trim()}`, { where: dir });
  }
}
