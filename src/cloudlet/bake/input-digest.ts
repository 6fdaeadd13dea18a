// The digest of a bake's input (a file or a directory tree), remembered across bakes by what stat says.

import { createHash } from 'node:crypto';
import { createReadStream, lstatSync, readdirSync, readlinkSync, type BigIntStats } from 'node:fs';
import { lstat, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { AgentError } from '../../errors';
import type { System } from '../../system/system';

/**
 * File contents are hashed again only when stat says the file changed (device, inode, size, mtime
 * and ctime in nanoseconds, as git's index does), so a rebake with nothing changed reads no content.
 */
type Memo = Record<string, { stat: string; digest: string }>;

export interface DigestResult {
  digest: string;
  bytes: number;
  files: number;
}

/** Cap on entries walked in a directory input, so a runaway tree fails clearly instead of exhausting memory. */
export const MAX_TREE_ENTRIES = 2_000_000;

/**
 * The memo of file digests kept in the cache between bakes. Loaded once, asked for any number of
 * inputs, saved once: only the entries of this bake's inputs are kept, so it never grows past them.
 */
export class DigestMemo {
  private readonly used: Memo = {};

  private constructor(
    private readonly file: string,
    private readonly memo: Memo,
  ) {}

  static async load(dir: string): Promise<DigestMemo> {
    const file = join(dir, 'digests.json');
    return new DigestMemo(file, await readMemo(file));
  }

  async digest(path: string, system: System): Promise<DigestResult> {
    const st = await lstat(path, { bigint: true }).catch((err: NodeJS.ErrnoException) => {
      throw new AgentError('E_BAKE_INPUT', `cannot read ${path}: ${err.code === 'ENOENT' ? 'it does not exist' : err.message}`, {
        where: path,
        fix: 'give an image directory, a tarball (.tar, .tar.gz, .tar.zst, .tar.xz), an OCI image layout or a docker save archive',
      });
    });
    // getfattr runs while the tree is walked.
    if (st.isDirectory()) return treeDigest(path, this.memo, this.used, treeXattrs(path, system));
    if (st.isFile()) return { digest: `sha256:${await fileDigest(path, this.memo, this.used, st)}`, bytes: Number(st.size), files: 1 };
    throw new AgentError('E_BAKE_INPUT', `${path} is neither a file nor a directory`, { where: path, fix: 'point at an image directory or an archive file' });
  }

  /** Writes the memo back, unless it holds exactly what was read (a cache hit changes nothing). */
  async save(): Promise<void> {
    const same = Object.keys(this.used).length === Object.keys(this.memo).length && Object.entries(this.used).every(([k, v]) => this.memo[k]?.stat === v.stat);
    if (same) return;
    await mkdir(dirname(this.file), { recursive: true });
    const tmp = `${this.file}.${process.pid}.tmp`;
    await writeFile(tmp, JSON.stringify(this.used));
    await rename(tmp, this.file);
  }
}

interface TreeEntry {
  rel: string;
  host: string;
  st: BigIntStats;
  link?: string;
}

/**
 * The tree's entries in sorted order. Synchronous on purpose: thousands of small lstat calls cost
 * several times more as awaited promises, and a cache hit is mostly this walk.
 */
function walkTree(root: string): TreeEntry[] {
  const entries: TreeEntry[] = [];
  const walk = (rel: string): void => {
    for (const name of readdirSync(join(root, rel)).sort()) {
      const relPath = rel ? `${rel}/${name}` : name;
      const host = join(root, relPath);
      const st = lstatSync(host, { bigint: true });
      if (entries.length >= MAX_TREE_ENTRIES) {
        throw new AgentError('E_BAKE_INPUT', `the image directory has more than ${MAX_TREE_ENTRIES} entries`, { where: root, fix: 'check that the image is an image root, not the host\'s /' });
      }
      entries.push({ rel: relPath, host, st, ...(st.isSymbolicLink() ? { link: readlinkSync(host) } : {}) });
      if (st.isDirectory()) walk(relPath);
    }
  };
  walk('');
  return entries;
}

async function treeDigest(root: string, memo: Memo, used: Memo, xattrsOf: Promise<Map<string, string>>): Promise<DigestResult> {
  const entries = walkTree(root);
  const xattrs = await xattrsOf;
  const hash = createHash('sha256');
  let bytes = 0;
  for (const { rel, host, st, link } of entries) {
    const head = `${rel}\0${st.mode.toString(8)}\0${st.uid}:${st.gid}\0${st.mtimeNs}\0${xattrs.get(rel) ?? ''}\0`;
    if (st.isDirectory()) hash.update(`${head}d\n`);
    else if (link !== undefined) hash.update(`${head}l\0${link}\n`);
    else if (st.isFile()) {
      bytes += Number(st.size);
      hash.update(`${head}f\0${st.nlink > 1n ? `${st.dev}:${st.ino}` : ''}\0${await fileDigest(host, memo, used, st)}\n`);
    } else hash.update(`${head}s\0${st.rdev}\n`);
  }
  return { digest: `sha256:${hash.digest('hex')}`, bytes, files: entries.length };
}

/**
 * Every extended attribute in the tree (file capabilities, SELinux labels, ACLs), by path relative to
 * the root: Node cannot list them, so one getfattr run reads them all (a tree without any costs ~0.1 s).
 */
async function treeXattrs(root: string, system: System): Promise<Map<string, string>> {
  const r = await system.exec('getfattr', ['-R', '-d', '-m', '-', '-h', '-e', 'hex', '--absolute-names', '--', root], { timeoutMs: 600_000 }).catch(() => undefined);
  if (!r) throw new AgentError('E_BAKE_TOOL', 'getfattr cannot be run: bake reads the extended attributes of an image directory with it', { fix: 'apt-get install --no-install-recommends attr' });
  if (r.code !== 0) {
    throw new AgentError('E_BAKE_INPUT', `cannot read the extended attributes under ${root}: ${r.stderr.trim().split('\n')[0] ?? `getfattr exited ${r.code}`}`, { where: root, fix: 'bake as root, or fix the permissions of the image directory' });
  }
  const out = new Map<string, string>();
  const prefix = root.endsWith('/') ? root : `${root}/`;
  for (const block of r.stdout.split('\n\n')) {
    const lines = block.split('\n').filter(Boolean);
    const file = lines[0]?.startsWith('# file: ') ? lines[0].slice('# file: '.length) : undefined;
    if (file === undefined || !file.startsWith(prefix)) continue;
    out.set(file.slice(prefix.length), lines.slice(1).sort().join(','));
  }
  return out;
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
