import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AgentError } from '../../errors';
import { fetchBlob } from './blob-fetch';
import { RegistryClient } from './client';
import type { BlobStore, Descriptor } from './store-port';

const BLOB = Buffer.from(Array.from({ length: 200_000 }, (_, i) => (i * 7) % 251));
const DIGEST = `sha256:${createHash('sha256').update(BLOB).digest('hex')}`;
const DESCRIPTOR: Descriptor = { mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: DIGEST, size: BLOB.length };

let server: Server | undefined;
let dir: string;
/** The Range header of every blob GET the server saw ('' for none). */
let ranges: string[];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'blob-fetch-'));
  ranges = [];
});

afterEach(async () => {
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  server = undefined;
  rmSync(dir, { recursive: true, force: true });
});

type Answer = (req: IncomingMessage, res: ServerResponse, nth: number) => void;

/** A registry whose blob GETs are answered by `answers` in turn (the last one again after). */
async function registry(answers: Answer[]): Promise<RegistryClient> {
  server = createServer((req, res) => {
    ranges.push(req.headers.range ?? '');
    const nth = ranges.length - 1;
    answers[Math.min(nth, answers.length - 1)]!(req, res, nth);
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return new RegistryClient({
    ref: { host: `127.0.0.1:${port}`, repo: 'apps/web' },
    insecure: false,
    timeoutMs: 5000,
    deadlineMs: 60_000,
    timing: { now: () => 0, sleep: async () => undefined },
    retries: 3,
    push: false,
  });
}

/** The whole blob with a 200. */
const whole: Answer = (_req, res) => {
  res.writeHead(200, { 'content-length': String(BLOB.length) });
  res.end(BLOB);
};

/** Announces the whole blob (or the asked-for tail), sends part of it, then drops the connection. */
const breaksOff: Answer = (req, res) => {
  const from = Number(/^bytes=(\d+)-$/.exec(req.headers.range ?? '')?.[1] ?? 0);
  const tail = BLOB.subarray(from);
  res.writeHead(from ? 206 : 200, { 'content-length': String(tail.length), ...(from ? { 'content-range': `bytes ${from}-${BLOB.length - 1}/${BLOB.length}` } : {}) });
  // The connection ends as soon as the half is sent: the client must still keep every byte of it.
  res.write(tail.subarray(0, tail.length >> 1), () => res.socket?.end());
};

/** Honours the Range header with a 206 of the tail. */
const resumes: Answer = (req, res) => {
  const from = Number(/^bytes=(\d+)-$/.exec(req.headers.range ?? '')![1]);
  res.writeHead(206, { 'content-length': String(BLOB.length - from), 'content-range': `bytes ${from}-${BLOB.length - 1}/${BLOB.length}` });
  res.end(BLOB.subarray(from));
};

/** The part of the store pull writes to: temp files in `dir`, and what was added. */
function store(): BlobStore & { added: Buffer[] } {
  const added: Buffer[] = [];
  const nope = () => Promise.reject(new Error('not used by fetchBlob'));
  return {
    dir,
    added,
    tempPath: (hint) => join(dir, `${hint}.tmp`),
    addBlobFile: async (temp, mediaType, expect) => {
      const bytes = readFileSync(temp);
      added.push(bytes);
      return { mediaType, digest: expect!.digest, size: bytes.length };
    },
    hasBlob: nope,
    addBlobBytes: nope,
    openBlob: nope,
    readBlobBytes: nope,
    resolve: nope,
    setRef: nope,
    withLock: nope,
  };
}

async function failure(p: Promise<unknown>): Promise<AgentError> {
  return p.then(() => Promise.reject(new Error('fetched')), (e: AgentError) => e);
}

describe('fetchBlob', () => {
  it('resumes an answer that broke off mid-blob from where its file ends, and verifies the whole', async () => {
    const client = await registry([breaksOff, resumes]);
    const s = store();
    await fetchBlob(s, client, DESCRIPTOR);
    expect(s.added).toEqual([BLOB]);
    expect(ranges).toHaveLength(2);
    expect(ranges[0]).toBe('');
    const from = Number(/^bytes=(\d+)-$/.exec(ranges[1]!)?.[1]);
    expect(from).toBeGreaterThan(0);
    expect(from).toBeLessThanOrEqual(BLOB.length >> 1);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('starts over when the registry answers the resume with the whole blob', async () => {
    const client = await registry([breaksOff, whole]);
    const s = store();
    await fetchBlob(s, client, DESCRIPTOR);
    expect(s.added).toEqual([BLOB]);
    expect(ranges[1]).toMatch(/^bytes=\d+-$/);
  });

  it('refuses a resumed answer that does not start where its file ends', async () => {
    const client = await registry([
      breaksOff,
      (_req, res) => {
        res.writeHead(206, { 'content-length': String(BLOB.length), 'content-range': `bytes 0-${BLOB.length - 1}/${BLOB.length}` });
        res.end(BLOB);
      },
    ]);
    const s = store();
    const err = await failure(fetchBlob(s, client, DESCRIPTOR));
    expect(err.code).toBe('E_REGISTRY');
    expect(err.message).toMatch(/asked for its bytes from \d+ on, the registry sent "bytes 0-199999\/200000"; refused, nothing kept/);
    expect(s.added).toEqual([]);
    expect(readdirSync(dir)).toEqual([]);
  });

  it("gives up once the client's retries are spent, keeping nothing", async () => {
    const client = await registry([breaksOff]);
    const s = store();
    const err = await failure(fetchBlob(s, client, DESCRIPTOR));
    expect(err.message).toMatch(/broke off/);
    // The first try and 3 retries, each resuming further on.
    expect(ranges).toHaveLength(4);
    const starts = ranges.slice(1).map((r) => Number(/^bytes=(\d+)-$/.exec(r)?.[1]));
    expect(starts).toEqual([...starts].sort((a, b) => a - b));
    expect(new Set(starts).size).toBe(3);
    expect(s.added).toEqual([]);
    expect(existsSync(join(dir, `pull-${DIGEST.slice(7, 19)}.tmp`))).toBe(false);
  });
});
