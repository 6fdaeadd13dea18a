// Downloads one blob into a store temp file, checking size and digest as it streams; only verified bytes enter the store.
//
// A connection that breaks off mid-blob is resumed where the file ends (a Range request), within the
// client's retries; a registry that answers the whole blob instead is read again from the start.

import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { createReadStream, createWriteStream } from 'node:fs';
import { rm, stat } from 'node:fs/promises';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { AgentError } from '../../errors';
import type { RegistryClient } from './client';
import type { BlobStore, Descriptor } from './store-port';
import { bodyError, TransportError, type Reply } from './transport';

function mismatch(blob: Descriptor, why: string): AgentError {
  return new AgentError('E_REGISTRY', `blob ${blob.digest}: ${why}; refused, nothing kept`, { fix: 'the registry (or something between) serves damaged data for this blob; ask its operator, then pull again' });
}

/** The first byte of a 206 answer for the tail of a `total`-byte blob (Content-Range: bytes FIRST-LAST/TOTAL); undefined when it is not that. */
export function rangeStart(reply: Reply, total: number): number | undefined {
  const m = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(String(reply.headers['content-range'] ?? '').trim());
  if (!m || Number(m[2]) !== total - 1 || (m[3] !== '*' && Number(m[3]) !== total)) return undefined;
  return Number(m[1]);
}

/** What the temp file holds so far: its length and the running digest of those bytes. */
interface Received {
  size: number;
  hash: ReturnType<typeof createHash>;
}

/** The temp file's bytes read again: a write cut short by the break may have kept fewer bytes than went through the check. */
async function partialOf(temp: string): Promise<Received> {
  const hash = createHash('sha256');
  const size = await stat(temp).then((s) => s.size, () => 0);
  if (size > 0) for await (const chunk of createReadStream(temp)) hash.update(chunk as Buffer);
  return { size, hash };
}

export async function fetchBlob(store: BlobStore, client: RegistryClient, blob: Descriptor): Promise<Descriptor> {
  const temp = store.tempPath(`pull-${blob.digest.slice(7, 19)}`);
  try {
    let have: Received = { size: 0, hash: createHash('sha256') };
    for (let breaks = 0; ; ) {
      // Broken off after the last byte: nothing is left to ask for.
      if (breaks > 0 && have.size === blob.size) break;
      const reply = await client.getBlob(blob.digest, have.size);
      if (reply.status === 206 && rangeStart(reply, blob.size) !== have.size) {
        reply.body.destroy();
        throw mismatch(blob, `asked for its bytes from ${have.size} on, the registry sent "${String(reply.headers['content-range'] ?? '')}"`);
      }
      // A 200 is the whole blob again: the registry does not resume, so start over.
      if (reply.status === 200) have = { size: 0, hash: createHash('sha256') };
      const check = new Transform({
        transform(chunk: Buffer, _enc, done) {
          if (have.size + chunk.length > blob.size) return done(mismatch(blob, `the registry sends more than its ${blob.size} bytes`));
          have.size += chunk.length;
          have.hash.update(chunk);
          done(null, chunk);
        },
      });
      const out = createWriteStream(temp, { flags: breaks === 0 ? 'wx' : have.size === 0 ? 'w' : 'a', mode: 0o644 });
      try {
        await pipeline(reply.body, check, out);
        break;
      } catch (err) {
        if (!out.closed) await once(out, 'close');
        const broke = bodyError(err, `GET blob ${blob.digest}`);
        if (!(broke instanceof TransportError && broke.retry) || !(await client.backoff(breaks++))) throw broke;
        have = await partialOf(temp);
      }
    }
    if (have.size !== blob.size) throw mismatch(blob, `the registry sent ${have.size} bytes, not ${blob.size}`);
    const actual = `sha256:${have.hash.digest('hex')}`;
    if (actual !== blob.digest) throw mismatch(blob, `the bytes the registry sent have digest ${actual}`);
    return await store.addBlobFile(temp, blob.mediaType, { digest: blob.digest, size: blob.size });
  } finally {
    await rm(temp, { force: true });
  }
}
