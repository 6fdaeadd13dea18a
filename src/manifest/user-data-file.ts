// Reads a file of a config channel with a size cap, so a huge or endless file cannot exhaust memory.

import { open } from 'node:fs/promises';
import { AgentError } from '../errors';
import { MAX_USER_DATA_BYTES } from './user-data-bytes';

const CHUNK_BYTES = 64 << 10;

/**
 * The file's bytes, or null when it does not exist. Reads at most `max + 1` bytes, so callers see
 * an oversize file as longer than `max` without loading all of it (sysfs files report size 0).
 */
export async function readCapped(path: string, max = MAX_USER_DATA_BYTES): Promise<Buffer | null> {
  let fh;
  try {
    fh = await open(path, 'r');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return null;
    throw unreadable(path, err);
  }
  try {
    // In chunks: a file of a few bytes (most are) costs no zeroed megabyte.
    const chunks: Buffer[] = [];
    let filled = 0;
    while (filled < max + 1) {
      const chunk = Buffer.allocUnsafe(Math.min(CHUNK_BYTES, max + 1 - filled));
      const { bytesRead } = await fh.read(chunk, 0, chunk.length, null);
      if (bytesRead === 0) break;
      chunks.push(chunk.subarray(0, bytesRead));
      filled += bytesRead;
    }
    return Buffer.concat(chunks, filled);
  } catch (err) {
    throw unreadable(path, err);
  } finally {
    await fh.close();
  }
}

/** Text of a small metadata file, or null when absent. */
export async function readText(path: string, max = MAX_USER_DATA_BYTES): Promise<string | null> {
  const b = await readCapped(path, max);
  return b === null ? null : b.toString('utf8');
}

/** The bytes of a --user-data FILE (at most 1 MiB + 1, so an oversize file still shows as too large). */
export async function readUserDataFile(path: string): Promise<Buffer> {
  const bytes = await readCapped(path).catch((err: unknown) => {
    throw new AgentError('E_USAGE', `cannot read the user data file ${path}: ${(err as Error).message}`, {
      where: path,
      fix: 'pass a readable file to --user-data',
      cause: err,
    });
  });
  if (bytes === null) {
    throw new AgentError('E_USAGE', `the user data file ${path} does not exist`, { where: path, fix: 'pass an existing file to --user-data' });
  }
  return bytes;
}

function unreadable(path: string, err: unknown): AgentError {
  return new AgentError('E_IO', `cannot read ${path}: ${(err as Error).message}`, {
    where: path,
    fix: 'check that the agent runs as root and the file (or device) has no I/O errors (dmesg)',
    cause: err,
  });
}
