// Opens an input file as a stream of tar bytes: decompressed (gzip and zstd in-process, xz by `xz -dc`), hashed, counted.

import { createHash } from 'node:crypto';
import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import { PassThrough, Transform, pipeline, type Readable } from 'node:stream';
import { createGunzip, createZstdDecompress } from 'node:zlib';
import { AgentError } from '../../errors';
import type { System } from '../../system/system';
import type { Budget } from './budget';
import { type Compression, SNIFF_BYTES, sniffCompression } from './compression';
import { FIX_CORRUPT, badInput } from './input-errors';

export interface InputStream {
  /** The decompressed bytes; iterate once. Errors are AgentErrors naming the input. */
  chunks: AsyncIterable<Buffer>;
  /** sha256 (hex) and length of the file's bytes as read; complete once `chunks` has ended. */
  raw(): { sha256: string; bytes: number };
  /** sha256 (hex) of the decompressed bytes (a layer's diff id) when asked for with `plainHash`. */
  plain(): string;
}

export interface OpenOptions {
  /** Known from a media type; sniffed from the first bytes when absent. */
  compression?: Compression;
  plainHash?: boolean;
}

const READ_CHUNK = 1024 * 1024;

/** Opens `path` (a regular file, never through a final symlink); `where` names it in errors. */
export async function openInput(path: string, budget: Budget, system: System, where: string, options: OpenOptions = {}): Promise<InputStream> {
  const fh = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW).catch((err: NodeJS.ErrnoException) => {
    throw badInput(`cannot open ${path}: ${err.code === 'ELOOP' ? 'it is a symlink' : err.message}`, where, 'give a readable regular file');
  });
  let compression: Compression;
  try {
    if (!(await fh.stat()).isFile()) throw badInput(`${path} is not a regular file`, where, 'give a regular file');
    const head = Buffer.alloc(SNIFF_BYTES);
    const { bytesRead } = await fh.read(head, 0, SNIFF_BYTES, 0);
    const sniffed = sniffCompression(head.subarray(0, bytesRead));
    if (sniffed === 'bzip2' || sniffed === 'lz4' || sniffed === 'lzip') {
      throw badInput(`${sniffed} compression is not supported`, where, 'recompress the tarball with gzip, zstd or xz, or give it uncompressed');
    }
    compression = options.compression ?? sniffed;
  } catch (err) {
    await fh.close();
    throw err;
  }

  const rawHash = createHash('sha256');
  const plainHash = options.plainHash ? createHash('sha256') : undefined;
  let rawBytes = 0;
  const file = fh.createReadStream({ highWaterMark: READ_CHUNK, start: 0 });
  const counted = new Transform({
    highWaterMark: READ_CHUNK,
    transform(chunk: Buffer, _enc, done) {
      rawHash.update(chunk);
      rawBytes += chunk.length;
      budget.countIn(chunk.length);
      done(null, chunk);
    },
  });
  const abort = new AbortController();
  let out: Readable;
  let tool: Promise<{ code: number | null; stderr: string }> | undefined;
  const ignore = () => {};
  if (compression === 'xz') {
    const pass = new PassThrough({ highWaterMark: READ_CHUNK });
    pipeline(file, counted, ignore);
    tool = system.exec('xz', ['--decompress', '--stdout', '--quiet'], { input: counted, stdout: pass, signal: abort.signal });
    tool.catch((err: unknown) => pass.destroy(err as Error));
    out = pass;
  } else if (compression === 'gzip') {
    out = pipeline(file, counted, createGunzip({ chunkSize: 256 * 1024 }), ignore);
  } else if (compression === 'zstd') {
    out = pipeline(file, counted, createZstdDecompress({ chunkSize: 256 * 1024 }), ignore);
  } else {
    out = pipeline(file, counted, ignore);
  }

  async function* chunks(): AsyncGenerator<Buffer> {
    try {
      for await (const chunk of out as AsyncIterable<Buffer>) {
        budget.countOut(chunk.length, where);
        plainHash?.update(chunk);
        yield chunk;
      }
      if (tool) await checkTool(tool, where);
    } catch (err) {
      if (err instanceof AgentError) throw err;
      if (tool) await checkTool(tool, where);
      throw badInput(`cannot read ${compression === 'none' ? 'the file' : `${compression} data`}: ${(err as Error).message}`, where, FIX_CORRUPT);
    } finally {
      abort.abort();
      out.destroy();
      file.destroy();
    }
  }

  return {
    chunks: chunks(),
    raw: () => ({ sha256: rawHash.copy().digest('hex'), bytes: rawBytes }),
    plain: () => plainHash?.copy().digest('hex') ?? '',
  };
}

async function checkTool(tool: Promise<{ code: number | null; stderr: string }>, where: string): Promise<void> {
  let r;
  try {
    r = await tool;
  } catch (err) {
    throw new AgentError('E_BAKE_TOOL', 'cannot run xz to decompress the input', { where, fix: 'install the Debian package xz-utils', cause: err });
  }
  if (r.code !== 0) throw badInput(`xz cannot decompress the input: ${r.stderr.trim().split('\n')[0] ?? `exit ${r.code}`}`, where, FIX_CORRUPT);
}
