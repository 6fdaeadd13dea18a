// The tar header layout (POSIX ustar, with GNU's variant) as data, shared by anything that reads or writes headers.

export const BLOCK = 512;

/** Offset and length of each header field. */
export const FIELD = {
  name: [0, 100],
  mode: [100, 8],
  uid: [108, 8],
  gid: [116, 8],
  size: [124, 12],
  mtime: [136, 12],
  chksum: [148, 8],
  typeflag: [156, 1],
  linkname: [157, 100],
  magic: [257, 6],
  version: [263, 2],
  uname: [265, 32],
  gname: [297, 32],
  devmajor: [329, 8],
  devminor: [337, 8],
  /** ustar only: GNU keeps atime/ctime here instead. */
  prefix: [345, 155],
} as const satisfies Record<string, readonly [number, number]>;

export const USTAR_MAGIC = 'ustar\0';
export const USTAR_VERSION = '00';
/** Old GNU tar: "ustar " then " \0" where the version would be; its headers have no prefix field. */
export const GNU_MAGIC = 'ustar ';

/** Pax record keys of extended attributes: GNU tar and star write the raw value, libarchive base64 under its own key. */
export const PAX_XATTR = 'SCHILY.xattr.';
export const PAX_XATTR_LIBARCHIVE = 'LIBARCHIVE.xattr.';

/** Member type flags. */
export const TYPE = {
  file: '0',
  fileOld: '\0',
  hardlink: '1',
  symlink: '2',
  char: '3',
  block: '4',
  dir: '5',
  fifo: '6',
  contiguous: '7',
  paxLocal: 'x',
  paxGlobal: 'g',
  gnuLongName: 'L',
  gnuLongLink: 'K',
  gnuSparse: 'S',
  gnuVolume: 'V',
  gnuDumpDir: 'D',
  gnuMultiVolume: 'M',
} as const;

/** Sum of the header's bytes with the checksum field counted as spaces, unsigned and (as some old tars did) signed. */
export function headerChecksums(block: Uint8Array): { unsigned: number; signed: number } {
  const [start, len] = FIELD.chksum;
  let unsigned = 0;
  let signed = 0;
  for (let i = 0; i < BLOCK; i++) {
    const b = i >= start && i < start + len ? 0x20 : (block[i] as number);
    unsigned += b;
    signed += b >= 0x80 ? b - 0x100 : b;
  }
  return { unsigned, signed };
}

/** Bytes of padding after `size` bytes of content, up to the next block. */
export function padding(size: number): number {
  const rest = size % BLOCK;
  return rest === 0 ? 0 : BLOCK - rest;
}
