// Reads a tree's /.cloudlet/manifest for the image config: bounded in size and depth, never through a symlink, null when absent.

import { constants } from 'node:fs';
import { lstat, open } from 'node:fs/promises';
import { join } from 'node:path';
import { parseJsonText } from '../../manifest/json-text';
import { DEFAULT_LIMITS } from '../inputs/limits';
import { badInput } from '../inputs/input-errors';

const FIX = 'the Cloudlet manifest belongs at /.cloudlet/manifest: a JSON regular file in a real directory (see docs/manifest.md)';

/** The parsed manifest, or null when the tree has no /.cloudlet/manifest. */
export async function readCloudletManifest(root: string): Promise<unknown | null> {
  const dir = join(root, '.cloudlet');
  const dirSt = await lstat(dir).catch(() => undefined);
  if (!dirSt) return null;
  if (!dirSt.isDirectory()) throw badInput(`${dir} is not a directory`, dir, FIX);
  const file = join(dir, 'manifest');
  const st = await lstat(file).catch(() => undefined);
  if (!st) return null;
  if (!st.isFile()) throw badInput(`${file} is not a regular file`, file, FIX);
  const max = DEFAULT_LIMITS.maxJsonBytes;
  if (st.size > max) throw badInput(`${file} is ${st.size} bytes, more than the limit of ${max}`, file, FIX);
  const fh = await open(file, constants.O_RDONLY | constants.O_NOFOLLOW);
  let bytes: Buffer;
  try {
    bytes = Buffer.alloc(max + 1);
    const { bytesRead } = await fh.read(bytes, 0, max + 1, 0);
    if (bytesRead > max) throw badInput(`${file} grew past the limit of ${max} bytes while it was read`, file, FIX);
    bytes = bytes.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
  const parsed = parseJsonText(bytes.toString('utf8'));
  if (!parsed.ok) throw badInput(`${file} is not valid JSON: ${parsed.reason} at line ${parsed.line}, column ${parsed.column}`, file, FIX);
  return parsed.value;
}
