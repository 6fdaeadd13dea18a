// One member of a tar stream as both the reader yields it and a writer would take it.

export type EntryType = 'file' | 'dir' | 'symlink' | 'hardlink' | 'char' | 'block' | 'fifo';

export interface TarEntry {
  /** The name as the archive spells it (reader) or will spell it (writer); see member-path.ts for what it may be. */
  path: string;
  type: EntryType;
  /** Permission bits with setuid, setgid and sticky (07777). */
  mode: number;
  /** Numeric owners: an image brings its own /etc/passwd, so names mean nothing on the build host. */
  uid: number;
  gid: number;
  /** Seconds since the epoch, fractions kept (pax mtime). */
  mtime: number;
  /** Content bytes; 0 for anything but 'file'. */
  size: number;
  /** Target of a symlink or a hard link, '' otherwise. */
  linkname: string;
  devmajor: number;
  devminor: number;
  /** Extended attributes (pax `SCHILY.xattr.NAME`), raw values. */
  xattrs: ReadonlyMap<string, Buffer>;
}
