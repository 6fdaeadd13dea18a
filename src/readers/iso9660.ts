// Reads files from an ISO9660 volume in user space (Joliet or Rock Ridge names), so no isofs module or mount is needed.

import { corrupt, type Volume } from './volume-io';

const SECTOR = 2048;
/** Directories of a config disk are tiny; this bounds the work on a corrupt one. */
const MAX_DIR_BYTES = 1 << 20;

interface Entry {
  name: string;
  extent: number;
  size: number;
  dir: boolean;
}

type NameStyle = 'joliet' | 'rockridge';

/** The file at `path` (components below the root), at most `max + 1` bytes of it; null when absent. */
export async function isoReadFile(vol: Volume, path: readonly string[], max: number): Promise<Buffer | null> {
  const { root, style } = await rootDirectory(vol);
  let current = root;
  for (let i = 0; i < path.length; i++) {
    if (!current.dir) return null;
    const entries = await readDirectory(vol, current, style);
    const want = path[i] as string;
    const found = entries.find((e) => e.name === want) ?? entries.find((e) => e.name.toLowerCase() === want.toLowerCase());
    if (!found) return null;
    current = found;
  }
  if (current.dir) return null;
  return vol.read(current.extent * SECTOR, Math.min(current.size, max + 1));
}

async function rootDirectory(vol: Volume): Promise<{ root: Entry; style: NameStyle }> {
  let primary: Entry | undefined;
  for (let sector = 16; sector < 16 + 32; sector++) {
    const d = await vol.read(sector * SECTOR, SECTOR);
    if (d.toString('latin1', 1, 6) !== 'CD001') throw corrupt(vol.path, 'no ISO9660 volume descriptor');
    const type = d[0];
    if (type === 255) break;
    const root = record(d, 156);
    if (!root) continue;
    // A supplementary descriptor with a UCS-2 escape sequence is Joliet: long names, case kept.
    if (type === 2 && /^%\/[@CE]$/.test(d.toString('latin1', 88, 91))) return { root: { ...root, name: '', dir: true }, style: 'joliet' };
    if (type === 1) primary = { ...root, name: '', dir: true };
  }
  if (!primary) throw corrupt(vol.path, 'no primary volume descriptor');
  return { root: primary, style: 'rockridge' };
}

async function readDirectory(vol: Volume, dir: Entry, style: NameStyle): Promise<Entry[]> {
  if (dir.size > MAX_DIR_BYTES) throw corrupt(vol.path, `a directory of ${dir.size} bytes`);
  const data = await vol.read(dir.extent * SECTOR, dir.size);
  const entries: Entry[] = [];
  let off = 0;
  while (off < data.length) {
    const len = data[off] ?? 0;
    // Records never cross a sector; a zero length pads to the next one.
    if (len === 0) {
      off = (Math.floor(off / SECTOR) + 1) * SECTOR;
      continue;
    }
    if (len < 34 || off + len > data.length) throw corrupt(vol.path, 'a directory record is malformed');
    const rec = data.subarray(off, off + len);
    off += len;
    const nameLen = rec[32] ?? 0;
    const raw = rec.subarray(33, 33 + nameLen);
    if (nameLen === 1 && ((raw[0] ?? 0) <= 1)) continue;
    const flags = rec[25] ?? 0;
    if ((flags & 0x80) !== 0) throw corrupt(vol.path, 'a file spans several extents');
    const base = record(rec, 0);
    if (!base) continue;
    const name = style === 'joliet' ? jolietName(raw) : rockRidgeName(rec, nameLen) ?? isoName(raw);
    entries.push({ ...base, name, dir: (flags & 0x02) !== 0 });
  }
  return entries;
}

function record(b: Buffer, off: number): Omit<Entry, 'name' | 'dir'> | null {
  if (b.length < off + 34) return null;
  return { extent: b.readUInt32LE(off + 2), size: b.readUInt32LE(off + 10) };
}

function jolietName(raw: Buffer): string {
  const even = Buffer.from(raw.subarray(0, raw.length - (raw.length % 2)));
  return stripVersion(even.swap16().toString('utf16le'));
}

/** Rock Ridge "NM" entries in the record's system use area carry the POSIX name. */
function rockRidgeName(rec: Buffer, nameLen: number): string | undefined {
  let off = 33 + nameLen + (nameLen % 2 === 0 ? 1 : 0);
  let name = '';
  let found = false;
  while (off + 4 <= rec.length) {
    const sig = rec.toString('latin1', off, off + 2);
    const len = rec[off + 2] ?? 0;
    if (len < 4 || off + len > rec.length) break;
    if (sig === 'NM') {
      const flags = rec[off + 4] ?? 0;
      if ((flags & 0x06) === 0) {
        name += rec.toString('utf8', off + 5, off + len);
        found = true;
      }
    }
    if (sig === 'ST') break;
    off += len;
  }
  return found ? name : undefined;
}

/** Plain ISO9660 names are upper case with a ";1" version; config disk names are compared without both. */
function isoName(raw: Buffer): string {
  return stripVersion(raw.toString('latin1')).replace(/\.$/, '').toLowerCase();
}

function stripVersion(name: string): string {
  return name.replace(/;\d+$/, '');
}
