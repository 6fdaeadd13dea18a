// Looks at the machine before planning: the storage device, what is mounted, what the image holds.

import { lstat, readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { findDevice, looksBlank, probeDevice, signatureOf } from '../system/block-devices';
import { joinRoot } from '../system/root-path';
import type { System } from '../system/system';
import { mountedAt, parseMountinfo, type MountinfoEntry } from './mountinfo';
import { STORAGE_MOUNTPOINT, type DeviceProbe, type EffectiveStorage, type MountProbes, type PathKind, type PathProbe } from './types';

/** Signatures probeDevice knows that are not filesystems one can mount as the volume. */
const NOT_MOUNTABLE = new Set(['swap', 'crypto_LUKS']);

export async function readMountinfo(system: System): Promise<MountinfoEntry[]> {
  try {
    return parseMountinfo(await readFile(join(system.hostPaths.proc, 'self', 'mountinfo'), 'utf8'));
  } catch {
    // Without /proc (a fixture, an early chroot) nothing is known to be mounted.
    return [];
  }
}

export async function probeMounts(system: System, root: string, storage: EffectiveStorage | undefined, paths: readonly string[]): Promise<MountProbes> {
  const mounts = await readMountinfo(system);
  const storageHost = await joinRoot(root, STORAGE_MOUNTPOINT);
  const storageMounted = mountedAt(mounts, storageHost);
  const device = storage ? await probeStorageDevice(system, storage.device) : undefined;
  const probes: PathProbe[] = [];
  for (const path of paths) {
    const host = await joinRoot(root, path);
    const image = await kindOf(host);
    const volume = storageMounted ? ((await kindOf(await joinRoot(root, STORAGE_MOUNTPOINT + path))) === 'absent' ? 'absent' : 'present') : 'unknown';
    const mounted = mountedAt(mounts, host);
    probes.push({
      path,
      image,
      imageHasContent: image === 'dir' && (await readdir(host)).length > 0,
      volume,
      ...(mounted ? { mounted } : {}),
    });
  }
  return { paths: probes, ...(device ? { device } : {}), ...(storageMounted ? { storageMounted } : {}) };
}

/** The device the spec names, with every signature found on it; nothing is written. */
export async function probeStorageDevice(system: System, spec: string): Promise<DeviceProbe> {
  const path = await findDevice(system, spec);
  if (path === null) return { zeroed: false };
  const st = await stat(path);
  const majorMinor = st.isBlockDevice() ? `${Math.floor(st.rdev / 256) & 0xfff}:${(st.rdev & 0xff) | ((st.rdev >> 12) & 0xfff00)}` : undefined;
  const fs = await probeDevice(path);
  const base = { path, ...(majorMinor ? { majorMinor } : {}) };
  if (fs && !NOT_MOUNTABLE.has(fs.fstype)) return { ...base, filesystem: fs.fstype, zeroed: false };
  const other = fs?.fstype ?? (await signatureOf(path));
  if (other) return { ...base, otherSignature: other, zeroed: false };
  return { ...base, zeroed: await looksBlank(path) };
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
