// Finds a config disk by its label and reads named files from it: in user space, or mounted read-only as a fallback.

import { mkdir, mkdtemp, open, rmdir } from 'node:fs/promises';
import { join } from 'node:path';
import { AgentError } from '../../errors';
import type { BlockDevice } from '../../system/block-devices';
import { fatReadFile } from '../../readers/fat';
import { isoReadFile } from '../../readers/iso9660';
import { readCapped } from '../../manifest/user-data-file';
import { findTool } from '../../system/tools';
import { remainingMs } from './deadline';
import type { DatasourceContext } from './types';
import { UnreadableVolume, Volume } from '../../readers/volume-io';

export interface DiskFile {
  /** relative path on the disk, e.g. "openstack/latest/meta_data.json" */
  path: string;
  /** read at most max + 1 bytes, so an oversize file shows as too large */
  max: number;
}

/** Each file's bytes, or null when the disk does not have it. */
export type DiskFiles = Record<string, Buffer | null>;

/** The first device whose label is `label` in any case (vfat labels are upper case), or null. */
export async function findConfigDisk(ctx: DatasourceContext, label: string): Promise<BlockDevice | null> {
  const all = await ctx.filesystems();
  return all.find((d) => d.label !== undefined && d.label.toLowerCase() === label.toLowerCase()) ?? null;
}

/**
 * Reads `files` from the config disk. ISO9660 and FAT are read by the agent itself: early in boot the
 * isofs/vfat modules are often not loaded (or not built), and nothing has to be mounted or unmounted.
 * Only when that reader cannot make sense of the volume is the disk mounted read-only under
 * <run>/cloudlet, and then always unmounted.
 */
export async function readConfigDisk(ctx: DatasourceContext, platform: string, device: BlockDevice, files: DiskFile[]): Promise<DiskFiles> {
  if (device.fstype !== 'iso9660' && device.fstype !== 'vfat') {
    throw new AgentError('E_PLATFORM', `${platform}: ${device.path} is labelled "${device.label}" but holds ${device.fstype}, not ISO9660 or vfat`, {
      where: device.path,
      fix: 'make the config disk with cloud-localds or genisoimage (ISO9660), or mkfs.vfat',
    });
  }
  try {
    return await readInUserSpace(device, files);
  } catch (err) {
    if (!(err instanceof UnreadableVolume)) throw err;
    return withMountedDisk(ctx, platform, device, async (dir) => {
      const out: DiskFiles = {};
      for (const f of files) out[f.path] = await readCapped(join(dir, ...f.path.split('/')), f.max);
      return out;
    });
  }
}

async function readInUserSpace(device: BlockDevice, files: DiskFile[]): Promise<DiskFiles> {
  const fh = await open(device.path, 'r');
  try {
    const vol = new Volume(fh, device.path);
    const read = device.fstype === 'iso9660' ? isoReadFile : fatReadFile;
    const out: DiskFiles = {};
    for (const f of files) out[f.path] = await read(vol, f.path.split('/'), f.max);
    return out;
  } finally {
    await fh.close();
  }
}

/**
 * Mounts `device` read-only under <run>/cloudlet, calls `read` with the mount point, and unmounts and
 * removes the directory afterwards, also when `read` throws.
 */
async function withMountedDisk<T>(ctx: DatasourceContext, platform: string, device: BlockDevice, read: (dir: string) => Promise<T>): Promise<T> {
  const { system } = ctx;
  const mount = await findTool(system, 'mount');
  const umount = await findTool(system, 'umount');
  if (!mount || !umount) {
    throw new AgentError('E_PLATFORM', `${platform}: cannot read ${device.path} and there is no mount/umount program to try`, {
      where: device.path,
      fix: 'install util-linux mount (or busybox) in the image, or recreate the config disk',
    });
  }
  // The run directory is shared with the status files, which everyone may read; the mount point
  // itself (mkdtemp) is the owner's only.
  const base = join(system.hostPaths.run, 'cloudlet');
  await mkdir(base, { recursive: true, mode: 0o755 });
  const dir = await mkdtemp(join(base, `${platform}-`));
  try {
    const r = await system.exec(mount, ['-t', device.fstype, '-o', 'ro,nodev,nosuid,noexec', device.path, dir], {
      timeoutMs: remainingMs(system, ctx.deadline),
    });
    if (r.code !== 0) {
      throw new AgentError('E_PLATFORM', `${platform}: cannot read ${device.path} (${device.fstype}), nor mount it: ${r.stderr.trim() || `exit ${r.code ?? r.signal}`}`, {
        where: device.path,
        fix: 'recreate the config disk with cloud-localds, genisoimage or mkfs.vfat + mcopy',
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
    throw new AgentError('E_MOUNT', `cannot unmount the config disk at ${dir}: ${r.stderr.trim()}`, {
      where: dir,
      fix: `the disk stays mounted read-only at ${dir}; find what holds it (fuser -m ${dir}) and unmount it`,
    });
  }
}
