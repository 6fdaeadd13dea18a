// Which decompressor a stream needs: by its first bytes, or by an OCI layer's media type. No I/O.

export type Compression = 'none' | 'gzip' | 'zstd' | 'xz';

const MAGIC: Array<[Compression | 'bzip2' | 'lz4' | 'lzip', number[]]> = [
  ['gzip', [0x1f, 0x8b]],
  ['zstd', [0x28, 0xb5, 0x2f, 0xfd]],
  ['xz', [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]],
  ['bzip2', [0x42, 0x5a, 0x68]],
  ['lz4', [0x04, 0x22, 0x4d, 0x18]],
  ['lzip', [0x4c, 0x5a, 0x49, 0x50]],
];

/** Bytes `sniffCompression` looks at. */
export const SNIFF_BYTES = 6;

/** The compression the first bytes announce; anything without a known magic is taken as a plain tar (its headers are checked). */
export function sniffCompression(head: Uint8Array): Compression | 'bzip2' | 'lz4' | 'lzip' {
  for (const [kind, magic] of MAGIC) if (magic.every((b, i) => head[i] === b)) return kind;
  return 'none';
}

const LAYER_TYPES: Record<string, Compression> = {
  'application/vnd.oci.image.layer.v1.tar': 'none',
  'application/vnd.oci.image.layer.v1.tar+gzip': 'gzip',
  'application/vnd.oci.image.layer.v1.tar+zstd': 'zstd',
  'application/vnd.oci.image.layer.nondistributable.v1.tar': 'none',
  'application/vnd.oci.image.layer.nondistributable.v1.tar+gzip': 'gzip',
  'application/vnd.oci.image.layer.nondistributable.v1.tar+zstd': 'zstd',
  'application/vnd.docker.image.rootfs.diff.tar': 'none',
  'application/vnd.docker.image.rootfs.diff.tar.gzip': 'gzip',
  'application/vnd.docker.image.rootfs.diff.tar.zstd': 'zstd',
  'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip': 'gzip',
};

/** The compression of a layer with this media type, or undefined for a type that is not a layer this reader knows. */
export function layerCompression(mediaType: string): Compression | undefined {
  return Object.hasOwn(LAYER_TYPES, mediaType) ? LAYER_TYPES[mediaType] : undefined;
}

export function knownLayerTypes(): string[] {
  return Object.keys(LAYER_TYPES);
}
