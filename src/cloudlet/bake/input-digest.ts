// The digest of a bake's input (a file or a directory tree), remembered across bakes by what stat says.

import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { lstat, mkdir, readdir, readFile, readlink, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AgentError } from '../../errors';

/**
 * File contents are hashed again only when stat says the file changed (device, inode, size, mtime
 * and ctime in nanoseconds, as git's index does), so a rebake with nothing changed reads no content.
 */
type Memo = Record<string, { stat: string; digest: string }>;

export interface DigestResult {
  digest: string;
  /** newest modification time in the input, in whole seconds (the default SOURCE_DATE_EPOCH) */
  newestMtime: number;
  bytes: number;
  files: number;
}

/** Cap on entries walked in a directory input, so a runaway tree fails clearly instead of exhausting memory. */
export const MAX_TREE_ENTRIES = 2_000_000;

export async function inputDigest(path: string, memoDir: string): Promise<DigestResult> {
  const memoFile = join(memoDir, 'digests.json');
  const memo = await readMemo(memoFile);
  const used: Memo = {};
  const st = await lstat(path, { bigint: true }).catch((err: NodeJS.ErrnoException) => {
    throw new AgentError('E_BAKE_INPUT', `cannot read the image ${path}: ${err.code === 'ENOENT' ? 'it does not exist' : err.message}`, {
      where: path,
      fix: 'give an image directory, a tarball (.tar, .tar.gz, .tar.zst, .tar.xz), an OCI image layout or a docker save archive',
    });
  });
  let result: DigestResult;
  if (st.isDirectory()) result = await treeDigest(path, memo, used);
  else if (st.isFile()) {
    const digest = await fileDigest(path, memo, used);
    result = { digest: `sha256:${digest}`, newestMtime: Number(st.mtimeMs / 1000n), bytes: Number(st.size), files: 1 };
  } else {
    throw new AgentError('E_BAKE_INPUT', `the image ${path} is neither a file nor a directory`, { where: path, fix: 'point at an image directory or an archive file' });
  }
  await writeMemo(memoDir, memoFile, used);
  return result;
}

async function treeDigest(root: string, memo: Memo, used: Memo): Promise<DigestResult> {
  const hash = createHash('sha256');
  let newest = 0;
  let bytes = 0;
  let files = 0;
  const walk = async (rel: string): Promise<void> => {
    const names = (await readdir(join(root, rel))).sort();
    for (const name of names) {
      const relPath = rel ? `${rel}/${name}` : name;
      const host = join(root, relPath);
      const st = await lstat(host, { bigint: true });
      if (++files > MAX_TREE_ENTRIES) {
        throw new AgentError('E_BAKE_INPUT', `the image directory has more than ${MAX_TREE_ENTRIES} entries`, { where: root, fix: 'check that --image points at an image root, not at /' });
      }
      newest = Math.max(newest, Number(st.mtimeMs / 1000n));
      const head = `${relPath}\0${st.mode.toString(8)}\0${st.uid}:${st.gid}\0${st.mtimeNs}\0`;
      if (st.isDirectory()) {
        hash.update(`${head}d\n`);
        await walk(relPath);
      } else if (st.isSymbolicLink()) {
        hash.update(`${head}l\0${await readlink(host)}\n`);
      } else if (st.isFile()) {
        bytes += Number(st.size);
        hash.update(`${head}f\0${st.nlink > 1n ? `${st.dev}:${st.ino}` : ''}\0${await fileDigest(host, memo, used, st)}\n`);
      } else {
        hash.update(`${head}s\0${st.rdev}\n`);
      }
    }
  };
  await walk('');
  return { digest: `sha256:${hash.digest('hex')}`, newestMtime: newest, bytes, files };
}

async function fileDigest(path: string, memo: Memo, used: Memo, known?: import('node:fs').BigIntStats): Promise<string> {
  const st = known ?? (await lstat(path, { bigint: true }));
  const stamp = `${st.dev}:${st.ino}:${st.size}:${st.mtimeNs}:${st.ctimeNs}`;
  const seen = memo[path];
  if (seen?.stat === stamp) {
    used[path] = seen;
    return seen.digest;
  }
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  const digest = hash.digest('hex');
  used[path] = { stat: stamp, digest };
  return digest;
}

async function readMemo(file: string): Promise<Memo> {
  try {
    const value = JSON.parse(await readFile(file, 'utf8')) as unknown;
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Memo) : {};
  } catch {
    return {};
  }
}

/** Only the entries of this input are kept for it; entries of other inputs stay. */
async function writeMemo(dir: string, file: string, used: Memo): Promise<void> {
  await mkdir(dir, { recursive: true });
  const merged = { ...(await readMemo(file)), ...used };
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, JSON.stringify(merged));
  await rename(tmp, file);
}
