// Blob file mechanics: hash a finished temp file, sync and rename it into place, and read blobs back verified.

import { createHash } from 'node:crypto';
import { constants, createReadStream } from 'node:fs';
import { open, rename, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Transform } from 'node:stream';
import { FIX_DAMAGED_BLOB, storeError } from './store-errors';

/** sha256 and size of a file, and the file synced to disk (it is about to be renamed under its final name). */
export async function hashAndSync(path: string): Promise<{ digest: string; size: number }> {
  const fh = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW);
  try {
    const hash = createHash('sha256');
    let size = 0;
    for await (const chunk of fh.createReadStream({ autoClose: false, start: 0 })) {
      hash.update(chunk as Buffer);
      size += (chunk as Buffer).length;
    }
    await fh.sync();
    return { digest: `sha256:${hash.digest('hex')}`, size };
  } finally {
    await fh.close();
  }
}

/** Renames a synced file to its final name and syncs the directory, so a crash leaves the whole blob or none. */
export async function publish(tempFile: string, finalPath: string): Promise<void> {
  try {
    await rename(tempFile, finalPath);
  } catch (err) {
    await unlink(tempFile).catch(() => {});
    throw err;
  }
  await syncDir(dirname(finalPath));
}

export async function syncDir(dir: string): Promise<void> {
  const fh = await open(dir, constants.O_RDONLY | constants.O_DIRECTORY);
  try {
    await fh.sync();
  } catch (err) {
    // Some filesystems refuse fsync on a directory; the rename is still atomic there.
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'EINVAL' && code !== 'ENOTSUP') throw err;
  } finally {
    await fh.close();
  }
}

/** The error for bytes that do not hash to the digest they are stored under. */
export function damagedBlob(digest: string, path: string, detail: string): Error {
  return storeError(`blob ${digest} is damaged: ${detail}`, path, FIX_DAMAGED_BLOB);
}

/** Bytes of a blob, at most `maxBytes`, refused unless they hash to `digest`. */
export async function readVerified(path: string, digest: string, maxBytes: number): Promise<Buffer> {
  const fh = await openBlobFile(path, digest);
  try {
    const st = await fh.stat();
    if (!st.isFile()) throw damagedBlob(digest, path, 'it is not a regular file');
    if (st.size > maxBytes) throw storeError(`blob ${digest} is ${st.size} bytes, more than the ${maxBytes} this document may have`, path, FIX_DAMAGED_BLOB);
    const bytes = await fh.readFile();
    const actual = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
    if (actual !== digest) throw damagedBlob(digest, path, `its bytes hash to ${actual}`);
    return bytes;
  } finally {
    await fh.close();
  }
}

/** A stream of the blob's bytes that fails at its end, before signalling success, if they do not hash to `digest`. */
export async function streamVerified(path: string, digest: string): Promise<NodeJS.ReadableStream & { size: number }> {
  const fh = await openBlobFile(path, digest);
  const st = await fh.stat().catch(async (err: unknown) => {
    await fh.close();
    throw err;
  });
  if (!st.isFile()) {
    await fh.close();
    throw damagedBlob(digest, path, 'it is not a regular file');
  }
  const hash = createHash('sha256');
  const check = new Transform({
    transform(chunk: Buffer, _enc, done) {
      hash.update(chunk);
      done(null, chunk);
    },
    flush(done) {
      const actual = `sha256:${hash.digest('hex')}`;
      done(actual === digest ? null : damagedBlob(digest, path, `its bytes hash to ${actual}`));
    },
  });
  const source = createReadStream('', { fd: fh, autoClose: true });
  source.on('error', (err) => check.destroy(err));
  return Object.assign(source.pipe(check), { size: st.size });
}

async function openBlobFile(path: string, digest: string) {
  return open(path, constants.O_RDONLY | constants.O_NOFOLLOW).catch((err: NodeJS.ErrnoException) => {
    const why = err.code === 'ENOENT' ? 'missing' : err.code === 'ELOOP' ? 'a symlink' : err.message;
    throw storeError(`blob ${digest} is ${why}`, path, 'snapshot or pull the image again (a store is only complete while every mutating command runs under its lock)', err);
  });
}
