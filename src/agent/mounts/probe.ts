// Looks at the machine before planning: the storage device, what is mounted, what the image holds.

import { lstat, opendir, readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { findDevice, looksBlank, probeDevice, signatureOf } from '../../system/block-devices';
import { joinRoot } from '../../system/root-path';
import type { System } from '../../system/system';
import { mountedAt, readMountinfo, type MountinfoEntry } from './mountinfo';
import { STORAGE_MOUNTPOINT, type DeviceProbe, type EffectiveStorage, type MountProbes, type PathKind, type PathProbe } from './types';

/** Signatures probeDevice knows that are not filesystems one can mount as the volume. */
const NOT_MOUNTABLE = new Set(['swap', 'crypto_LUKS']);

export async function probeMounts(
  system: System,
  root: string,
  storage: EffectiveStorage | undefined,
  paths: readonly string[],
  mounts?: readonly MountinfoEntry[],
): Promise<MountProbes> {
  mounts ??= await readMountinfo(system);
  const inImage = await joinRoot(root, STORAGE_MOUNTPOINT);
  const fallback = storageFallback(system);
  const storageHost = mountedAt(mounts, inImage) ? inImage : mountedAt(mounts, fallback) ? fallback : undefined;
  const storageMounted = storageHost ? mountedAt(mounts, storageHost) : undefined;
  const device = storage ? await probeStorageDevice(system, storage) : undefined;
  const probes: PathProbe[] = [];
  for (const path of paths) {
    const host = await joinRoot(root, path);
    const image = await kindOf(host);
    const volume = storageHost ? ((await kindOf(await joinRoot(storageHost, path))) === 'absent' ? 'absent' : 'present') : 'unknown';
    const mounted = mountedAt(mounts, host);
    probes.push({
      path,
      image,
      imageHasContent: image === 'dir' && (await hasEntries(host)),
      volume,
      ...(mounted ? { mounted } : {}),
    });
  }
  return { paths: probes, ...(device ? { device } : {}), ...(storageMounted ? { storageMounted, storageHost } : {}) };
}

/**
 * Where the volume goes when the root is read-only and has no /.cloudlet/storage to mount on (an
 * image installed from the package, booted with "ro"): the run directory, which is always writable.
 */
export function storageFallback(system: System): string {
  return join(system.hostPaths.run, 'cloudlet', 'storage');
}

/** The device the spec names, with every signature found on it; nothing is written. */
export async function probeStorageDevice(system: System, storage: EffectiveStorage): Promise<DeviceProbe> {
  const path = await findDevice(system, storage.device);
  if (path !== null) return { ...(await probeDevicePath(path)), matchedBy: 'spec' };
  // A new disk carries no label yet: with "if-blank" the one blank whole disk is the volume to make.
  if (storage.format !== 'if-blank' || storage.device.startsWith('/dev/')) return { zeroed: false };
  const blank = await blankDisks(system);
  if (blank.length === 1) return { ...(await probeDevicePath(blank[0] as string)), matchedBy: 'only-blank-disk' };
  return blank.length > 1 ? { zeroed: false, ambiguous: blank } : { zeroed: false };
}

// Never candidates for "the blank disk": loop devices are files someone attached on purpose, the
// rest are memory, optical, floppy, device-mapper, RAID and network block devices.
const NOT_DISKS = /^(loop|ram|zram|sr|fd|dm-|md|nbd|mtdblock)/;

/** Whole, writable, non-empty disks without partitions whose every probed byte is zero. */
async function blankDisks(system: System): Promise<string[]> {
  const sysBlock = join(system.hostPaths.sys, 'class', 'block');
  const names = await readdir(sysBlock).catch(() => [] as string[]);
  const found: string[] = [];
  for (const name of names.sort()) {
    if (NOT_DISKS.test(name)) continue;
    const dir = join(sysBlock, name);
    const attr = (a: string) => readFile(join(dir, a), 'utf8').then((s) => s.trim(), () => undefined);
    if ((await attr('partition')) !== undefined) continue;
    if ((await attr('ro')) !== '0' || Number(await attr('size')) <= 0) continue;
    if (names.some((other) => other !== name && other.startsWith(name) && /^p?[0-9]+$/.test(other.slice(name.length)))) continue;
    const path = join(system.hostPaths.dev, name);
    try {
      // looksBlank checks for signatures itself before it reads the zeros.
      if (await looksBlank(path)) found.push(path);
    } catch {
      // A disk that cannot be read is not one to format.
    }
  }
  return found;
}

async function probeDevicePath(path: string): Promise<DeviceProbe> {
  const st = await stat(path);
  const majorMinor = st.isBlockDevice() ? `${Math.floor(st.rdev / 256) & 0xfff}:${(st.rdev & 0xff) | ((st.rdev >> 12) & 0xfff00)}` : undefined;
  const fs = await probeDevice(path);
  const base = { path, ...(majorMinor ? { majorMinor } : {}) };
  if (fs && !NOT_MOUNTABLE.has(fs.fstype)) return { ...base, filesystem: fs.fstype, zeroed: false };
  const other = fs?.fstype ?? (await signatureOf(path));
  if (other) return { ...base, otherSignature: other, zeroed: false };
  return { ...base, zeroed: await looksBlank(path) };
}

/** Whether a directory has any entry, without listing all of them (a cache directory may hold thousands). */
async function hasEntries(dir: string): Promise<boolean> {
  const d = await opendir(dir);
  try {
    return (await d.read()) !== null;
  } finally {
    await d.close();
  }
}

export async function kindOf(host: string): Promise<PathKind> {
  try {
    const st = await lstat(host);
    return st.isDirectory() ? 'dir' : st.isFile() ? 'file' : 'other';
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 'absent';
    throw err;
  }
}
