// The VMDK sparse header and its embedded text descriptor: parsing, and setting the CID without moving anything else.

export const VMDK_MAGIC = 'KDMV';
export const SECTOR = 512;

export interface VmdkHeader {
  magic: string;
  version: number;
  flags: number;
  /** in sectors */
  capacity: number;
  grainSize: number;
  /** in sectors */
  descriptorOffset: number;
  descriptorSize: number;
  compressAlgorithm: number;
}

/** The first sector of a sparse or streamOptimized VMDK (little-endian). */
export function parseVmdkHeader(sector: Buffer): VmdkHeader {
  if (sector.length < 79) throw new RangeError('a VMDK header needs 79 bytes');
  return {
    magic: sector.toString('latin1', 0, 4),
    version: sector.readUInt32LE(4),
    flags: sector.readUInt32LE(8),
    capacity: Number(sector.readBigUInt64LE(12)),
    grainSize: Number(sector.readBigUInt64LE(20)),
    descriptorOffset: Number(sector.readBigUInt64LE(28)),
    descriptorSize: Number(sector.readBigUInt64LE(36)),
    compressAlgorithm: sector.readUInt16LE(77),
  };
}

export interface VmdkExtent {
  access: string;
  sectors: number;
  type: string;
  file: string;
}

export interface VmdkDescriptor {
  /** `version=` of the descriptor format */
  version: string | undefined;
  cid: string | undefined;
  parentCid: string | undefined;
  createType: string | undefined;
  extents: VmdkExtent[];
  /** `ddb.*` entries, quotes removed */
  ddb: Record<string, string>;
}

const EXTENT = /^(RW|RDONLY|NOACCESS)\s+(\d+)\s+(\w+)\s+"([^"]*)"/;

/** The descriptor's text ends at the first NUL of its area. */
export function descriptorText(area: Buffer): string {
  const end = area.indexOf(0);
  return area.toString('latin1', 0, end < 0 ? area.length : end);
}

export function parseVmdkDescriptor(text: string): VmdkDescriptor {
  const d: VmdkDescriptor = { version: undefined, cid: undefined, parentCid: undefined, createType: undefined, extents: [], ddb: {} };
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const extent = EXTENT.exec(line);
    if (extent) {
      d.extents.push({ access: extent[1] ?? '', sectors: Number(extent[2]), type: extent[3] ?? '', file: extent[4] ?? '' });
      continue;
    }
    const eq = line.indexOf('=');
    if (eq < 0) continue;
    const key = line.slice(0, eq).trim();
    const value = line.slice(eq + 1).trim().replace(/^"(.*)"$/, '$1');
    if (key.startsWith('ddb.')) d.ddb[key.slice(4)] = value;
    else if (key === 'version') d.version = value;
    else if (key === 'CID') d.cid = value;
    else if (key === 'parentCID') d.parentCid = value;
    else if (key === 'createType') d.createType = value;
  }
  return d;
}

/**
 * The descriptor area with its `CID=` line set to `cid` (8 hex digits), padded with NULs to the same
 * length so the header's descriptor size and every grain after it stay where they are.
 */
export function setVmdkCid(area: Buffer, cid: string): Buffer {
  if (!/^[0-9a-f]{8}$/.test(cid)) throw new RangeError(`a VMDK CID is 8 hex digits, got ${cid}`);
  const text = descriptorText(area);
  const lines = text.split('\n');
  const at = lines.findIndex((l) => /^CID=[0-9a-fA-F]+\s*$/.test(l));
  if (at < 0) throw new Error('the VMDK descriptor has no CID line');
  lines[at] = `CID=${cid}`;
  const next = Buffer.from(lines.join('\n'), 'latin1');
  if (next.length >= area.length) throw new Error('the VMDK descriptor does not fit its area with the new CID');
  const out = Buffer.alloc(area.length);
  next.copy(out);
  return out;
}

export interface VmdkExpectation {
  virtualSize: number;
  cid: string;
  adapterType: string;
}

// Sparse header flags: grains are compressed, and the stream carries markers (streamOptimized).
const COMPRESSED_GRAINS = 1 << 16;
const MARKERS = 1 << 17;
const DEFLATE = 1;

/** What makes this not the streamOptimized VMDK bake ships (ESXi, AWS import), or nothing. */
export function vmdkProblems(h: VmdkHeader, d: VmdkDescriptor, expect: VmdkExpectation): string[] {
  const problems: string[] = [];
  if (h.magic !== VMDK_MAGIC) return [`magic is ${JSON.stringify(h.magic)}, not "${VMDK_MAGIC}"`];
  if (h.version !== 3) problems.push(`sparse header version is ${h.version}, streamOptimized needs 3`);
  if ((h.flags & COMPRESSED_GRAINS) === 0 || (h.flags & MARKERS) === 0) problems.push('header flags lack compressed grains and stream markers');
  if (h.compressAlgorithm !== DEFLATE) problems.push(`compression algorithm is ${h.compressAlgorithm}, not 1 (deflate)`);
  if (h.capacity * SECTOR !== expect.virtualSize) problems.push(`capacity is ${h.capacity * SECTOR} bytes, expected ${expect.virtualSize}`);
  if (d.version !== '1') problems.push(`descriptor version is ${d.version ?? 'missing'}, not 1`);
  if (d.createType !== 'streamOptimized') problems.push(`createType is ${d.createType ?? 'missing'}, not streamOptimized`);
  if (d.cid !== expect.cid) problems.push(`CID is ${d.cid ?? 'missing'}, expected ${expect.cid} (derived from the input)`);
  if (d.parentCid !== 'ffffffff') problems.push(`parentCID is ${d.parentCid ?? 'missing'}, not ffffffff (no parent)`);
  const [extent, ...more] = d.extents;
  if (!extent || more.length > 0) problems.push(`descriptor names ${d.extents.length} extents, not 1`);
  else if (extent.type !== 'SPARSE' || extent.sectors !== h.capacity) problems.push(`extent is ${extent.type} of ${extent.sectors} sectors, not SPARSE of ${h.capacity}`);
  if (d.ddb.adapterType !== expect.adapterType) problems.push(`ddb.adapterType is ${d.ddb.adapterType ?? 'missing'}, not ${expect.adapterType}`);
  return problems;
}
