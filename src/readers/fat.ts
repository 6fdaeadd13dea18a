// Reads files from a FAT12/16/32 volume in user space (long names included), so no vfat module or mount is needed.

import { corrupt, type Volume } from './volume-io';

const MAX_DIR_BYTES = 1 << 20;

interface Layout {
  bytesPerSector: number;
  clusterBytes: number;
  fatOffset: number;
  bits: 12 | 16 | 32;
  /** FAT12/16: the fixed root directory; FAT32 roots are a cluster chain */
  rootOffset: number;
  rootBytes: number;
  rootCluster: number;
  dataOffset: number;
  clusters: number;
}

interface Entry {
  name: string;
  cluster: number;
  size: number;
  dir: boolean;
}

/** The file at `path` (components below the root, any case), at most `max + 1` bytes of it; null when absent. */
export async function fatReadFile(vol: Volume, path: readonly string[], max: number): Promise<Buffer | null> {
  const fs = layout(vol, await vol.read(0, 512));
  let entries = parseDirectory(fs.bits === 32 ? await readChain(vol, fs, fs.rootCluster, MAX_DIR_BYTES) : await vol.read(fs.rootOffset, fs.rootBytes));
  for (let i = 0; i < path.length; i++) {
    const want = (path[i] as string).toLowerCase();
    const found = entries.find((e) => e.name.toLowerCase() === want);
    if (!found) return null;
    if (i === path.length - 1) {
      if (found.dir) return null;
      if (found.size === 0) return Buffer.alloc(0);
      return readChain(vol, fs, found.cluster, Math.min(found.size, max + 1));
    }
    if (!found.dir) return null;
    entries = parseDirectory(await readChain(vol, fs, found.cluster, MAX_DIR_BYTES));
  }
  return null;
}

function layout(vol: Volume, bs: Buffer): Layout {
  const bytesPerSector = bs.readUInt16LE(11);
  const spc = bs[13] ?? 0;
  const reserved = bs.readUInt16LE(14);
  const fats = bs[16] ?? 0;
  const rootEntries = bs.readUInt16LE(17);
  const fatSize = bs.readUInt16LE(22) || bs.readUInt32LE(36);
  const total = bs.readUInt16LE(19) || bs.readUInt32LE(32);
  if (![512, 1024, 2048, 4096].includes(bytesPerSector) || spc === 0 || fats === 0 || fatSize === 0) {
    throw corrupt(vol.path, 'the FAT boot sector is not valid');
  }
  const rootSectors = Math.ceil((rootEntries * 32) / bytesPerSector);
  const firstData = reserved + fats * fatSize + rootSectors;
  const clusters = Math.floor((total - firstData) / spc);
  // The FAT type follows from the cluster count alone (Microsoft's FAT specification).
  const bits = clusters < 4085 ? 12 : clusters < 65525 ? 16 : 32;
  return {
    bytesPerSector,
    clusterBytes: spc * bytesPerSector,
    fatOffset: reserved * bytesPerSector,
    bits,
    rootOffset: (reserved + fats * fatSize) * bytesPerSector,
    rootBytes: rootSectors * bytesPerSector,
    rootCluster: bs.readUInt32LE(44),
    dataOffset: firstData * bytesPerSector,
    clusters,
  };
}

async function nextCluster(vol: Volume, fs: Layout, n: number): Promise<number | null> {
  if (fs.bits === 12) {
    const v = (await vol.read(fs.fatOffset + n + (n >> 1), 2)).readUInt16LE(0);
    const e = n & 1 ? v >> 4 : v & 0xfff;
    return e >= 0xff8 ? null : e;
  }
  if (fs.bits === 16) {
    const e = (await vol.read(fs.fatOffset + n * 2, 2)).readUInt16LE(0);
    return e >= 0xfff8 ? null : e;
  }
  const e = (await vol.read(fs.fatOffset + n * 4, 4)).readUInt32LE(0) & 0x0fffffff;
  return e >= 0x0ffffff8 ? null : e;
}

/** Up to `limit` bytes of the cluster chain starting at `first`. */
async function readChain(vol: Volume, fs: Layout, first: number, limit: number): Promise<Buffer> {
  const parts: Buffer[] = [];
  let got = 0;
  let cluster: number | null = first;
  let hops = 0;
  while (cluster !== null && got < limit) {
    if (cluster < 2 || cluster >= fs.clusters + 2 || ++hops > fs.clusters) throw corrupt(vol.path, 'a cluster chain is broken or loops');
    const take = Math.min(fs.clusterBytes, limit - got);
    parts.push(await vol.read(fs.dataOffset + (cluster - 2) * fs.clusterBytes, take));
    got += take;
    if (got >= limit) break;
    cluster = await nextCluster(vol, fs, cluster);
  }
  return Buffer.concat(parts);
}

function parseDirectory(data: Buffer): Entry[] {
  const entries: Entry[] = [];
  let long: string[] = [];
  for (let off = 0; off + 32 <= data.length; off += 32) {
    const first = data[off] ?? 0;
    if (first === 0) break;
    const attr = data[off + 11] ?? 0;
    if (first === 0xe5) {
      long = [];
      continue;
    }
    if ((attr & 0x3f) === 0x0f) {
      const seq = first & 0x1f;
      if (first & 0x40) long = [];
      const chars = Buffer.concat([data.subarray(off + 1, off + 11), data.subarray(off + 14, off + 26), data.subarray(off + 28, off + 32)]);
      let part = chars.toString('utf16le');
      const end = part.indexOf('\u0000');
      if (end >= 0) part = part.slice(0, end);
      long[seq - 1] = part;
      continue;
    }
    const isLabel = (attr & 0x08) !== 0;
    const name = long.length ? long.join('') : shortName(data.subarray(off, off + 12));
    long = [];
    if (isLabel || name === '.' || name === '..') continue;
    const cluster = (data.readUInt16LE(off + 20) << 16) | data.readUInt16LE(off + 26);
    entries.push({ name, cluster, size: data.readUInt32LE(off + 28), dir: (attr & 0x10) !== 0 });
  }
  return entries;
}

/** 8.3 name; the NT case bits (0x08 base, 0x10 extension) mark names stored lower case. */
function shortName(e: Buffer): string {
  const raw = Buffer.from(e.subarray(0, 11));
  if (raw[0] === 0x05) raw[0] = 0xe5;
  let base = raw.toString('latin1', 0, 8).trimEnd();
  let ext = raw.toString('latin1', 8, 11).trimEnd();
  const nt = e[12] ?? 0;
  if (nt & 0x08) base = base.toLowerCase();
  if (nt & 0x10) ext = ext.toLowerCase();
  return ext ? `${base}.${ext}` : base;
}
