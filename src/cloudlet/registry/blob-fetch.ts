// Downloads one blob into a store temp file, checking size and digest as it streams; only verified bytes enter the store.

import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { AgentError } from '../../errors';
import type { RegistryClient } from './client';
import type { BlobStore, Descriptor } from './store-port';
import { bodyError } from './transport';

function mismatch(blob: Descriptor, why: string): AgentError {
  return new AgentError('E_REGISTRY', `blob ${blob.digest}: ${why}; refused, nothing kept`, { fix: 'the registry (or something between) serves damaged data for this blob; ask its operator, then pull again' });
}

export async function fetchBlob(store: BlobStore, client: RegistryClient, blob: Descriptor): Promise<Descriptor> {
  const temp = store.tempPath(`pull-${blob.digest.slice(7, 19)}`);
  try {
    const reply = await client.getBlob(blob.digest);
    const hash = createHash('sha256');
    let size = 0;
    const check = new Transform({
      transform(chunk: Buffer, _enc, done) {
        size += chunk.length;
        if (size > blob.size) return done(mismatch(blob, `the registry sends more than its ${blob.size} bytes`));
        hash.update(chunk);
        done(null, chunk);
      },
    });
    await pipeline(reply.body, check, createWriteStream(temp, { flags: 'wx', mode: 0o644 })).catch((err: unknown) => {
      throw bodyError(err, `GET blob ${blob.digest}`);
    });
    if (size !== blob.size) throw mismatch(blob, `the registry sent ${size} bytes, not ${blob.size}`);
    const actual = `sha256:${hash.digest('hex')}`;
    if (actual !== blob.digest) throw mismatch(blob, `the bytes the registry sent have digest ${actual}`);
    return await store.addBlobFile(temp, blob.mediaType, { digest: blob.digest, size: blob.size });
  } finally {
    await rm(temp, { force: true });
  }
}
