// Finds block devices by filesystem label or UUID by reading their superblocks (no udev, no blkid).

import { open, readdir, readFile, stat, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { AgentError } from '../errors';
import { containerSignature, PROBE_BYTES, probeSignature, vfatRootDir, vfatRootLabel, type FsProbe } from './fs-signatures';
import type { System } from './system';

export type { FsProbe } from './fs-signatures';

export interface BlockDevice extends FsProbe {
  /** host path of the device node, e.g. /dev/vdb */
  path: string;
  /** kernel name, e.g. vdb */
  name: string;
}

/** The filesystem on `path`, or null when none is recognized or the drive has no medium. */
export async function probeDevice(path: string): Promise<FsProbe | null> {
  const head = await readHead(path, PROBE_BYTES);
  if (head === null) return null;
  const probe = probeSignature(head);
  if (probe?.fstype !== 'vfat') return probe;
  // The root directory's volume-label entry is what fatlabel writes and what blkid reports first.
  const where = vfatRootDir(head);
  if (!where) return probe;
  const dir = await readAt(path, where.offset, Math.min(where.length, 1 << 20));
  const rootLabel = dir ? vfatRootLabel(dir) : undefined;
  return rootLabel ? { ...probe, label: rootLabel } : probe;
}

/** Every block device of the machine with a recognized filesystem, in kernel-name order. */
export async function listFilesystems(system: System): Promise<BlockDevice[]> {
  const found: BlockDevice[] = [];
  for (const name of await blockDeviceNames(system)) {
    const path = join(system.hostPaths.dev, name);
    try {
      const probe = await probeDevice(path);
      if (probe) found.push({ ...probe, path, name });
    } catch {
      // A device we cannot open (busy, no permission, node missing) cannot be the one we look for.
    }
  }
  return found;
}

/**
 * The device for `spec`: "LABEL=x", "UUID=x" (exact, as findfs matches) or a device path. Device
 * paths are looked up under the System's /dev; /dev/disk/by-label|by-uuid links, which need udev,
 * are read as LABEL=/UUID=. Null when nothing matches.
 */
export async function findDevice(system: System, spec: string): Promise<string | null> {
  const byLink = /^\/dev\/disk\/by-(label|uuid)\/(.+)$/.exec(spec);
  if (byLink) {
    const direct = await existing(join(system.hostPaths.dev, spec.slice('/dev/'.length)));
    if (direct) return direct;
    return findDevice(system, `${byLink[1] === 'label' ? 'LABEL' : 'UUID'}=${unescapeUdev(byLink[2] as string)}`);
  }
  if (spec.startsWith('/dev/')) return existing(join(system.hostPaths.dev, spec.slice('/dev/'.length)));
  const m = /^(LABEL|UUID)=(.*)$/.exec(spec);
  if (!m) {
    throw new AgentError('E_STORAGE', `cannot understand device "${spec}"`, {
      where: spec,
      fix: 'write LABEL=name, UUID=uuid or an absolute /dev/ path',
    });
  }
  const [, key, wanted] = m as unknown as [string, 'LABEL' | 'UUID', string];
  for (const dev of await listFilesystems(system)) {
    const have = key === 'LABEL' ? dev.label : dev.uuid;
    if (have !== undefined && (key === 'LABEL' ? have === wanted : have.toLowerCase() === wanted.toLowerCase())) return dev.path;
  }
  return null;
}

/** The kind of signature on the device (filesystem, partition table, LVM, RAID), or null for none. */
export async function signatureOf(path: string): Promise<string | null> {
  const head = await readHead(path, PROBE_BYTES);
  if (head === null) return null;
  return probeSignature(head)?.fstype ?? containerSignature(head);
}

export async function hasAnySignature(path: string): Promise<boolean> {
  return (await signatureOf(path)) !== null;
}

/** The end of a device that must be zero too: GPT's backup header and md RAID 0.90/1.0 superblocks live there. */
const TAIL_BYTES = 1 << 20;

/**
 * No signature, and only zero bytes in the first `bytes` (default 4 MiB) and in the last MiB: safe to
 * format. A device whose start was wiped but whose end still holds a backup partition table is not blank.
 */
export async function looksBlank(path: string, bytes = 4 << 20): Promise<boolean> {
  if (await hasAnySignature(path)) return false;
  const fh = await openDevice(path);
  if (fh === null) return false;
  try {
    const size = await sizeOf(fh);
    return (await allZero(fh, 0, Math.min(bytes, size))) && (await allZero(fh, Math.max(bytes, size - TAIL_BYTES), size));
  } finally {
    await fh.close();
  }
}

/** Whether bytes [from, to) are all zero (a read that ends early ends the range). */
async function allZero(fh: FileHandle, from: number, to: number): Promise<boolean> {
  const chunk = Buffer.alloc(Math.min(1 << 20, Math.max(0, to - from)));
  for (let pos = from; pos < to; ) {
    const { bytesRead } = await fh.read(chunk, 0, Math.min(chunk.length, to - pos), pos);
    if (bytesRead === 0) break;
    for (let i = 0; i < bytesRead; i++) if (chunk[i] !== 0) return false;
    pos += bytesRead;
  }
  return true;
}

/**
 * The size in bytes of a file or block device. stat says 0 for a block device, and Node has no
 * BLKGETSIZE64: the end is the first offset where a read finds nothing (doubling, then halving: about
 * 2 log2(size) one-byte reads, all from the page cache but the first few).
 */
async function sizeOf(fh: FileHandle): Promise<number> {
  const st = await fh.stat();
  if (!st.isBlockDevice()) return st.size;
  const one = Buffer.alloc(1);
  const readsAt = async (pos: number) => (await fh.read(one, 0, 1, pos)).bytesRead > 0;
  if (!(await readsAt(0))) return 0;
  let readable = 0;
  let end = 1 << 20;
  while (await readsAt(end)) {
    readable = end;
    end *= 2;
  }
  while (end - readable > 1) {
    const mid = Math.floor((readable + end) / 2);
    if (await readsAt(mid)) readable = mid;
    else end = mid;
  }
  return end;
}

async function blockDeviceNames(system: System): Promise<string[]> {
  const dir = join(system.hostPaths.sys, 'class', 'block');
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return [];
  }
  const withMedia: string[] = [];
  for (const name of names.sort()) {
    // Unattached loop devices and empty CD-ROM drives report size 0; opening them only fails.
    const size = await readFile(join(dir, name, 'size'), 'utf8').then((s) => Number(s.trim()), () => NaN);
    if (size !== 0) withMedia.push(name);
  }
  return withMedia;
}

async function readHead(path: string, length: number): Promise<Buffer | null> {
  return readAt(path, 0, length);
}

async function readAt(path: string, offset: number, length: number): Promise<Buffer | null> {
  const fh = await openDevice(path);
  if (fh === null) return null;
  try {
    const buf = Buffer.alloc(length);
    let filled = 0;
    while (filled < length) {
      const { bytesRead } = await fh.read(buf, filled, length - filled, offset + filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    return buf.subarray(0, filled);
  } catch (err) {
    if (isNoMedium(err)) return null;
    throw ioError(path, err);
  } finally {
    await fh.close();
  }
}

async function openDevice(path: string) {
  try {
    return await open(path, 'r');
  } catch (err) {
    if (isNoMedium(err)) return null;
    throw ioError(path, err);
  }
}

function isNoMedium(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException).code;
  return code === 'ENOMEDIUM' || code === 'ENXIO';
}

function ioError(path: string, err: unknown): AgentError {
  return new AgentError('E_IO', `cannot read ${path}: ${(err as Error).message}`, {
    where: path,
    fix: 'check that the agent runs as root and the device has no I/O errors (dmesg), or detach it',
    cause: err,
  });
}

async function existing(path: string): Promise<string | null> {
  return stat(path).then(() => path, () => null);
}

/** udev writes "/" and other unsafe bytes in by-label names as \xNN. */
function unescapeUdev(name: string): string {
  return name.replace(/\\x([0-9a-fA-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
}
