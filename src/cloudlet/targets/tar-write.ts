// Writes the bundles' tar archives: ustar members in a given order (OVA) and one sparse oldgnu member (GCE), with fixed times and owners.

import { open, stat, type FileHandle } from 'node:fs/promises';
import { RegionBuilder } from './sparse-map';
import { BLOCK, fileHeader, padding, RECORD, sparseHeader, type Region } from './tar-header';

const CHUNK = 1024 * 1024;
/** Zero runs are found at filesystem-block granularity: finer maps grow without saving space. */
const SPARSE_BLOCK = 4096;
const ZEROS = Buffer.alloc(SPARSE_BLOCK);
const MODE = 0o644;

class Writer {
  private position = 0;
  constructor(private readonly fh: FileHandle) {}

  async write(data: Buffer): Promise<void> {
    let done = 0;
    while (done < data.length) {
      const { bytesWritten } = await this.fh.write(data, done, data.length - done, this.position);
      done += bytesWritten;
      this.position += bytesWritten;
    }
  }

  /** Copies `length` bytes of `from` at `start`, then zeros up to a whole block. */
  async copy(from: FileHandle, start: number, length: number): Promise<void> {
    const buf = Buffer.alloc(Math.min(CHUNK, Math.max(length, 1)));
    for (let done = 0; done < length; ) {
      const want = Math.min(buf.length, length - done);
      const { bytesRead } = await from.read(buf, 0, want, start + done);
      if (bytesRead === 0) throw new Error(`the file ended ${length - done} bytes early`);
      await this.write(buf.subarray(0, bytesRead));
      done += bytesRead;
    }
    await this.write(Buffer.alloc(padding(length)));
  }

  /** Two zero blocks end the archive; GNU tar pads it to whole records. */
  async end(): Promise<void> {
    const ended = this.position + 2 * BLOCK;
    await this.write(Buffer.alloc(2 * BLOCK + ((RECORD - (ended % RECORD)) % RECORD)));
  }
}

async function createArchive(target: string, fn: (w: Writer) => Promise<void>): Promise<void> {
  const fh = await open(target, 'wx', 0o644);
  try {
    await fn(new Writer(fh));
    await fh.sync();
  } finally {
    await fh.close();
  }
}

async function withSource<T>(path: string, fn: (fh: FileHandle) => Promise<T>): Promise<T> {
  const fh = await open(path, 'r');
  try {
    return await fn(fh);
  } finally {
    await fh.close();
  }
}

/** A POSIX ustar archive of `members`, in order, each stamped `mtime`, mode 0644, owned by root. */
export async function writeUstar(target: string, members: readonly { name: string; from: string }[], mtime: number): Promise<void> {
  await createArchive(target, async (w) => {
    for (const m of members) {
      const size = (await stat(m.from)).size;
      await w.write(fileHeader({ name: m.name, size, mtime, mode: MODE }, 'ustar'));
      await withSource(m.from, (fh) => w.copy(fh, 0, size));
    }
    await w.end();
  });
}

/** Exactly `length` bytes at `position`: a short read would shift the block grid. */
async function readFull(fh: FileHandle, buf: Buffer, length: number, position: number): Promise<number> {
  for (let done = 0; done < length; ) {
    const { bytesRead } = await fh.read(buf, done, length - done, position + done);
    if (bytesRead === 0) throw new Error(`the file ended at ${position + done}, before ${position + length}`);
    done += bytesRead;
  }
  return length;
}

/**
 * The runs of non-zero 4 KiB blocks of a file. Blocks inside `zeros` (holes) are not read; every other
 * block is read and judged by its bytes, so the map depends on the content alone, not on how the
 * file happens to be allocated.
 */
export async function scanRegions(fh: FileHandle, size: number, zeros: readonly Region[]): Promise<Region[]> {
  const builder = new RegionBuilder();
  const buf = Buffer.alloc(CHUNK);
  let z = 0;
  for (let at = 0; at < size; ) {
    while (z < zeros.length && (zeros[z] as Region).offset + (zeros[z] as Region).length <= at) z++;
    const hole = zeros[z];
    if (hole && hole.offset <= at) {
      const end = Math.min(size, hole.offset + hole.length - ((hole.offset + hole.length) % SPARSE_BLOCK));
      if (end > at) {
        builder.add(at, end - at, true);
        at = end;
        continue;
      }
    }
    const stop = hole && hole.offset > at ? Math.ceil(hole.offset / SPARSE_BLOCK) * SPARSE_BLOCK : size;
    const bytesRead = await readFull(fh, buf, Math.min(CHUNK, size - at, stop - at), at);
    for (let i = 0; i < bytesRead; i += SPARSE_BLOCK) {
      const block = buf.subarray(i, Math.min(i + SPARSE_BLOCK, bytesRead));
      builder.add(at + i, block.length, block.equals(ZEROS.subarray(0, block.length)));
    }
    at += bytesRead;
  }
  return builder.finish(size);
}

/** A GNU oldgnu archive holding one sparse member: its map in the header, then only the data runs. */
export async function writeSparseOldgnu(target: string, member: { name: string; from: string }, mtime: number, zeros: readonly Region[]): Promise<void> {
  await withSource(member.from, async (src) => {
    const realSize = (await src.stat()).size;
    if (realSize % BLOCK !== 0) throw new RangeError(`${member.name} is ${realSize} bytes, not whole 512-byte blocks`);
    const map = await scanRegions(src, realSize, zeros);
    const size = map.reduce((n, r) => n + r.length, 0);
    await createArchive(target, async (w) => {
      for (const block of sparseHeader({ name: member.name, size, realSize, map, mtime, mode: MODE })) await w.write(block);
      for (const r of map) if (r.length > 0) await w.copy(src, r.offset, r.length);
      await w.end();
    });
  });
}
