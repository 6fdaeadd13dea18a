// Writes a layer (an uncompressed, normalised tar changeset) for a diff into the store, reading contents from the tree.

import { createHash } from 'node:crypto';
import { closeSync, constants, openSync, readSync, rmSync, writeSync } from 'node:fs';
import type { Descriptor, Store } from '../store';
import { BLOCK, padding } from '../inputs/tar-format';
import { layerMembers, type LayerMember } from './layer-members';
import { memberHeader } from './tar-member';
import { ROOT, type TreeDiff, type TreeEntry } from './tree-entry';
import { changedWhileRead } from './walk-tree';

export const LAYER_MEDIA_TYPE = 'application/vnd.oci.image.layer.v1.tar';
const BUFFER_BYTES = 1024 * 1024;
const NONE: ReadonlyMap<string, Buffer> = new Map();

/** The layer turning the parent into the tree at `dir` (whose entries `changes` came from); the same diff gives the same bytes. */
export async function writeLayer(store: Store, dir: string, changes: TreeDiff): Promise<Descriptor> {
  const temp = store.tempPath('layer.tar');
  const fd = openSync(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o644);
  try {
    const out = new BlockWriter(fd);
    for (const member of layerMembers(changes)) writeMember(out, dir, member);
    out.write(Buffer.alloc(2 * BLOCK));
    out.flush();
  } catch (err) {
    closeSync(fd);
    rmSync(temp, { force: true });
    throw err;
  }
  closeSync(fd);
  try {
    // addBlobFile hashes the file and syncs it before it becomes a blob.
    return await store.addBlobFile(temp, LAYER_MEDIA_TYPE);
  } finally {
    rmSync(temp, { force: true });
  }
}

function writeMember(out: BlockWriter, dir: string, member: LayerMember): void {
  if (member.kind === 'whiteout') {
    out.write(memberHeader({ name: member.name, type: 'file', mode: 0o644, uid: 0, gid: 0, size: 0, mtime: 0, linkname: '', devmajor: 0, devminor: 0, xattrs: NONE }));
    return;
  }
  const e = member.entry;
  out.write(memberHeader({ ...e, name: member.name }));
  if (e.type === 'file') copyContent(out, e.path === ROOT ? dir : `${dir}/${e.path}`, e);
}

/**
 * The file's bytes as the walk saw them (size, and sha256 unless the walk left it to this copy, which then
 * fills it in), or an error: a layer never holds what its listing does not say.
 */
function copyContent(out: BlockWriter, host: string, e: TreeEntry): void {
  const hash = createHash('sha256');
  const src = openSync(host, constants.O_RDONLY | constants.O_NOFOLLOW);
  let done = 0;
  try {
    for (;;) {
      const room = out.room(e.size - done + 1);
      const n = readSync(src, room, 0, room.length, done);
      if (n === 0) break;
      done += n;
      if (done > e.size) break;
      hash.update(room.subarray(0, n));
      out.advance(n);
    }
  } finally {
    closeSync(src);
  }
  const sha256 = hash.digest('hex');
  if (done !== e.size || (e.sha256 !== '' && sha256 !== e.sha256)) throw changedWhileRead(host);
  e.sha256 = sha256;
  out.write(Buffer.alloc(padding(e.size)));
}

/** Buffers small writes; file contents are read straight into the buffer. */
class BlockWriter {
  private readonly buf = Buffer.allocUnsafe(BUFFER_BYTES);
  private used = 0;
  constructor(private readonly fd: number) {}

  write(data: Buffer): void {
    if (this.used + data.length > this.buf.length) this.flush();
    if (data.length > this.buf.length) return writeAll(this.fd, data);
    data.copy(this.buf, this.used);
    this.used += data.length;
  }

  /** Free space of at most `want` bytes to read into; `advance` keeps what was put there. */
  room(want: number): Buffer {
    if (this.used === this.buf.length) this.flush();
    return this.buf.subarray(this.used, Math.min(this.buf.length, this.used + want));
  }

  advance(n: number): void {
    this.used += n;
  }

  flush(): void {
    writeAll(this.fd, this.buf.subarray(0, this.used));
    this.used = 0;
  }
}

function writeAll(fd: number, data: Buffer): void {
  for (let off = 0; off < data.length; ) off += writeSync(fd, data, off);
}
