// Downloads one blob into a store temp file, checking size and digest as it streams; only verified bytes enter the store.
//
// A connection that breaks off mid-blob is resumed where the file ends (a Range request), within the
// client's retries; a registry that answers the whole blob instead is read again from the start.
// Every byte checked before a break is written before the next request, so the file, the count and
// the running digest agree when it resumes.

import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
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

/**
 * The body's chunks until the connection breaks: a break ends them instead of failing the pipeline, and is
 * kept in `at.broke`, so every byte that came before it still reaches the file and the file ends where the
 * next request resumes. Anything but a break (a refusal, a bound) still fails.
 */
async function* untilBreak(body: AsyncIterable<Buffer>, what: string, at: { broke?: AgentError }): AsyncGenerator<Buffer> {
  try {
    for await (const chunk of body) yield chunk;
  } catch (err) {
    const broke = bodyError(err, what);
    if (!(broke instanceof TransportError && broke.retry)) throw broke;
    at.broke = broke;
  }
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
      const at: { broke?: AgentError } = {};
      await pipeline(untilBreak(reply.body, `GET blob ${blob.digest}`, at), check, createWriteStream(temp, { flags: breaks === 0 ? 'wx' : have.size === 0 ? 'w' : 'a', mode: 0o644 })).catch((err: unknown) => {
        if (err instanceof AgentError) throw err;
        throw new AgentError('E_STORE', `cannot write ${temp}: ${(err as Error).message}`, { fix: 'check the free space and permissions of the store directory', cause: err });
      });
      if (!at.broke) break;
      if (!(await client.backoff(breaks++))) throw at.broke;
    }
    if (have.size !== blob.size) throw mismatch(blob, `the registry sent ${have.size} bytes, not ${blob.size}`);
    const actual = `sha256:${have.hash.digest('hex')}`;
    if (actual !== blob.digest) throw mismatch(blob, `the bytes the registry sent have digest ${actual}`);
    return await store.addBlobFile(temp, blob.mediaType, { digest: blob.digest, size: blob.size });
  } finally {
    await rm(temp, { force: true });
  }
}
