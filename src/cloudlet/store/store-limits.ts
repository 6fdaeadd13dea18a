// Bounds on everything read back from a store: its files may be damaged or written by another tool.

const MiB = 1024 * 1024;

export const LIMITS = {
  /** index.json */
  indexBytes: 16 * MiB,
  indexEntries: 100_000,
  manifestBytes: 4 * MiB,
  /** the config carries the image's Cloudlet manifest, which may hold large schemas */
  configBytes: 16 * MiB,
  layers: 1024,
  historyEntries: 4096,
  /** nested image indexes (a multi-platform image copied in by skopeo) */
  indexDepth: 4,
  /** manifests visited following parents and indexes, for gc, log and prefix look-ups */
  manifests: 200_000,
  lockBytes: 4096,
} as const;
