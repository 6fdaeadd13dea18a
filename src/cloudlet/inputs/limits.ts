// Bounds on untrusted image inputs: every count and size a hostile archive could inflate has a ceiling here.

const KiB = 1024;
const MiB = 1024 * KiB;
const GiB = 1024 * MiB;

export interface InputLimits {
  /** Members of all archives and layers together (files, dirs, links, nodes). */
  maxMembers: number;
  /** Bytes of one member name or link target (PATH_MAX). */
  maxNameBytes: number;
  /** Bytes of one pax extended header or GNU long-name record. */
  maxPaxBytes: number;
  /** Bytes of one member's content. */
  maxMemberBytes: number;
  /** Decompressed bytes read from all archives and layers together. */
  maxTotalBytes: number;
  /** Decompressed bytes per compressed byte, checked once `ratioFloorBytes` have come out. */
  maxRatio: number;
  ratioFloorBytes: number;
  /** Layers of one OCI or docker image. */
  maxLayers: number;
  /** Bytes of one JSON document of a layout or archive (index, manifest, config). */
  maxJsonBytes: number;
}

export const DEFAULT_LIMITS: Readonly<InputLimits> = {
  maxMembers: 4_000_000,
  maxNameBytes: 4096,
  maxPaxBytes: 1 * MiB,
  maxMemberBytes: 64 * GiB,
  maxTotalBytes: 256 * GiB,
  maxRatio: 1000,
  ratioFloorBytes: 1 * GiB,
  maxLayers: 256,
  maxJsonBytes: 8 * MiB,
};

export function limitsWith(overrides: Partial<InputLimits> = {}): InputLimits {
  return { ...DEFAULT_LIMITS, ...overrides };
}
