// Reads a small JSON document of a layout or archive: a regular file, bounded, optionally checked against its digest.

import { createHash } from 'node:crypto';
import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import { badInput } from './input-errors';
import { parseJson } from './image-json';

export interface Expect {
  digest?: string;
  size?: number;
}

/** The parsed document at `path` (never through a final symlink), at most `max` bytes. */
export async function readJsonFile(path: string, max: number, where: string, expect: Expect = {}): Promise<unknown> {
  const fh = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW).catch((err: NodeJS.ErrnoException) => {
    throw badInput(`cannot read ${path}: ${err.code === 'ENOENT' ? 'it is missing' : err.code === 'ELOOP' ? 'it is a symlink' : err.message}`, where, 'the image layout or archive is incomplete; export it again');
  });
  try {
    const st = await fh.stat();
    if (!st.isFile()) throw badInput(`${path} is not a regular file`, where, 'export the image again');
    if (st.size > max) throw badInput(`${path} is ${st.size} bytes, more than the limit of ${max}`, where, 'if the input is trusted, raise the limit');
    if (expect.size !== undefined && st.size !== expect.size) throw badInput(`${path} is ${st.size} bytes, but its descriptor says ${expect.size}`, where, 'the blob is damaged; export the image again');
    const bytes = await fh.readFile();
    if (expect.digest !== undefined) {
      const actual = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
      if (actual !== expect.digest) throw badInput(`${path} does not match its digest ${expect.digest}`, where, 'the blob is damaged or was changed; export the image again');
    }
    return parseJson(bytes, where);
  } finally {
    await fh.close();
  }
}
