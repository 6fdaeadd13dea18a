// sha256 and size of a file, or of a byte range of one, read as a stream.

import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';

export async function sha256File(path: string, range?: { start: number; length: number }): Promise<string> {
  const hash = createHash('sha256');
  if (range && range.length === 0) return hash.digest('hex');
  const stream = createReadStream(path, range ? { start: range.start, end: range.start + range.length - 1 } : {});
  for await (const chunk of stream) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
