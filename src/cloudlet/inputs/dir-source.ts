// Reads an image directory as tar members (the same path the extractor takes for archives) and digests it.

import { createHash, type Hash } from 'node:crypto';
import { closeSync, constants, lstatSync, openSync, readSync, readdirSync, readlinkSync, type BigIntStats } from 'node:fs';
import { AgentError } from '../../errors';
import type { StageContext } from './apply-tar';
import { planMember } from './layer-plan';
import { decode, major, minor, readXattrs, typeOf } from './host-tree';
import type { TarEntry } from './tar-entry';
import type { TarMember } from './tar-reader';

const READ_CHUNK = 1024 * 1024;

/** Copies the tree at `src` into the staging root; returns sha256 over its canonical listing and contents. */
export async function stageDir(src: string, ctx: StageContext): Promise<string> {
  const xattrs = await readXattrs(src, ctx.system);
  const listing = createHash('sha256');
  ctx.extractor.begin(src);
  for await (const member of walk(src, xattrs, ctx, listing)) await ctx.extractor.apply(member, planMember(member.entry, false, src));
  await ctx.extractor.end();
  return `sha256:${listing.digest('hex')}`;
}

/**
 * Depth-first in byte order of names, so the listing (and the digest) depends only on the tree. A hard link
 * is the first path of its inode in that order; sockets are left out, as tar does.
 */
async function* walk(src: string, xattrs: Map<string, Map<string, Buffer>>, ctx: StageContext, listing: Hash): AsyncGenerator<TarMember> {
  const seen = new Map<string, string>();
  const stack: string[] = [''];
  let index = 0;
  while (stack.length) {
    const rel = stack.pop() as string;
    const host = rel === '' ? src : `${src}/${rel}`;
    const st = lstatSync(host, { bigint: true });
    const type = typeOf(st);
    if (!type) continue;
    const inode = `${st.dev}:${st.ino}`;
    const first = type !== 'dir' && st.nlink > 1n ? seen.get(inode) : undefined;
    if (type !== 'dir' && st.nlink > 1n && !first) seen.set(inode, rel);
    const entry: TarEntry = {
      path: rel === '' ? './' : rel,
      type: first !== undefined ? 'hardlink' : type,
      mode: Number(st.mode) & 0o7777,
      uid: Number(st.uid),
      gid: Number(st.gid),
      mtime: Number(st.mtimeNs) / 1e9,
      size: first === undefined && type === 'file' ? Number(st.size) : 0,
      linkname: first ?? (type === 'symlink' ? decode(readlinkSync(host, { encoding: 'buffer' }), host) : ''),
      devmajor: type === 'char' || type === 'block' ? major(st.rdev) : 0,
      devminor: type === 'char' || type === 'block' ? minor(st.rdev) : 0,
      xattrs: xattrs.get(host) ?? new Map(),
    };
    ctx.budget.countMember(host);
    const content = createHash('sha256');
    let read = 0;
    async function* body(): AsyncGenerator<Buffer> {
      if (entry.type !== 'file') return;
      const fd = openSync(host, constants.O_RDONLY | constants.O_NOFOLLOW);
      try {
        for (;;) {
          const buf = Buffer.allocUnsafe(Math.min(READ_CHUNK, Math.max(entry.size - read, 0) + 1));
          const n = readSync(fd, buf, 0, buf.length, read);
          if (n === 0) break;
          read += n;
          if (read > entry.size) break;
          ctx.budget.countIn(n);
          ctx.budget.countOut(n, host);
          content.update(buf.subarray(0, n));
          yield buf.subarray(0, n);
        }
      } finally {
        closeSync(fd);
      }
      if (read !== entry.size) throw new AgentError('E_IO', `${host} changed while it was copied`, { where: host, fix: 'stop whatever writes to the image directory and bake again' });
    }
    yield { entry, index: ++index, body };
    if (entry.type === 'file' && read < entry.size) for await (const _ of body()) void _;
    listing.update(listingLine(entry, st, entry.type === 'file' ? content.digest('hex') : ''));
    if (type === 'dir') {
      const names = readdirSync(host, { encoding: 'buffer' }).map((n) => decode(n, `${host}/${n.toString('latin1')}`));
      names.sort((a, b) => Buffer.compare(Buffer.from(b), Buffer.from(a)));
      for (const name of names) stack.push(rel === '' ? name : `${rel}/${name}`);
    }
  }
}

/** One line per member: everything the staged tree keeps, so the digest changes exactly when the tree does. */
function listingLine(e: TarEntry, st: BigIntStats, contentSha: string): string {
  const xattrs = [...e.xattrs.keys()].sort().map((k) => `${k}=${(e.xattrs.get(k) as Buffer).toString('hex')}`);
  return `${JSON.stringify(e.path)} ${e.type} ${e.mode.toString(8)} ${e.uid}:${e.gid} ${st.mtimeNs} ${e.size} ${JSON.stringify(e.linkname)} ${e.devmajor},${e.devminor} [${xattrs.join(',')}] ${contentSha}\n`;
}
