// Real inputs for the inputs step of bake: a small tree with every kind of file, listings to compare trees, hostile tarballs.

import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { lstatSync, mkdirSync, readFileSync, readdirSync, readlinkSync, symlinkSync, writeFileSync, linkSync, chmodSync, chownSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { parseDump } from '../../src/cloudlet/inputs/xattr-dump';

export function run(file: string, args: string[], options: { input?: string | Buffer; cwd?: string } = {}): string {
  return execFileSync(file, args, { encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'], maxBuffer: 64 * 1024 * 1024, ...options });
}

/** cap_net_raw+ep, as `setcap cap_net_raw+ep` writes it (VFS_CAP_REVISION_2). */
export const PING_CAPS = '0x0100000200200000000000000000000000000000';
export const BASE_MTIME = 1_700_000_000;
export const NEWEST_MTIME = 1_700_000_500;
export const LONG_DIR = `deep/${'a'.repeat(60)}/${'b'.repeat(60)}`;
export const LONG_TARGET = `/usr/share/${'t'.repeat(120)}`;

/** A small image tree with owners, modes (setuid, setgid, sticky), xattrs, links, nodes, odd and long names. */
export function makeTree(root: string): void {
  const file = (path: string, content: string | Buffer, mode = 0o644, uid = 0, gid = 0) => {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), content);
    chownSync(join(root, path), uid, gid);
    chmodSync(join(root, path), mode);
  };
  const dir = (path: string, mode = 0o755, uid = 0, gid = 0) => {
    mkdirSync(join(root, path), { recursive: true });
    chownSync(join(root, path), uid, gid);
    chmodSync(join(root, path), mode);
  };
  dir('.');
  dir('etc');
  file('etc/hosts', '127.0.0.1 localhost\n');
  file('etc/shadow', 'root:*:19000:0:99999:7:::\n', 0o640, 0, 42);
  symlinkSync('/usr/share/zoneinfo/UTC', join(root, 'etc/localtime'));
  symlinkSync('../usr/lib/os-release', join(root, 'etc/os-release'));
  file('usr/lib/os-release', 'ID=test\n');
  file('usr/bin/ping', 'ping binary', 0o755);
  file('usr/bin/su', 'su binary', 0o4755);
  file('usr/bin/wall', 'wall binary', 0o2755, 0, 5);
  file('usr/bin/hard1', 'one inode, two names', 0o755);
  linkSync(join(root, 'usr/bin/hard1'), join(root, 'usr/bin/hard2'));
  dir('home/user', 0o700, 1000, 1000);
  file('home/user/notes', 'notes', 0o600, 1000, 1000);
  dir('tmp', 0o1777);
  dir('dev');
  dir('run');
  run('mknod', ['-m', '666', join(root, 'dev/null'), 'c', '1', '3']);
  run('mknod', ['-m', '660', join(root, 'dev/sda'), 'b', '8', '0']);
  chownSync(join(root, 'dev/sda'), 0, 6);
  run('mknod', ['-m', '600', join(root, 'run/initctl'), 'p']);
  file('var/big.bin', Buffer.from(Array.from({ length: 200 * 1024 }, (_, i) => (i * 7919) % 251)));
  file('var/empty', '');
  file('with space é/file ü', 'unicode');
  file(`${LONG_DIR}/file-with-a-long-path`, 'long');
  symlinkSync(LONG_TARGET, join(root, 'usr/long-link'));
  run('setfattr', ['-n', 'security.capability', '-v', PING_CAPS, join(root, 'usr/bin/ping')]);
  run('setfattr', ['-n', 'user.comment', '-v', 'kept', join(root, 'home/user/notes')]);
  run('setfattr', ['-n', 'user.dir', '-v', 'on a directory', join(root, 'etc')]);
  // Whole seconds everywhere (GNU format keeps no more), one newest file; directories last, deepest first.
  run('find', [root, '-depth', '-exec', 'touch', '-h', '-d', `@${BASE_MTIME}`, '{}', '+']);
  run('touch', ['-h', '-d', `@${NEWEST_MTIME}`, join(root, 'var/big.bin')]);
  run('touch', ['-d', `@${BASE_MTIME}`, join(root, 'var')]);
}

export interface ListingOptions {
  xattrs?: boolean;
}

/**
 * One line per path: type, mode, owner, mtime (whole seconds), size, content sha256, link target, device,
 * hard-link group, xattrs. Two trees are equal, attribute for attribute, when their listings are.
 */
export function listing(root: string, options: ListingOptions = {}): string[] {
  const attrs = options.xattrs === false ? new Map() : parseDump(run('getfattr', ['-R', '-P', '-h', '-d', '-m', '-', '-e', 'hex', '--absolute-names', root]));
  const inodes = new Map<string, string>();
  const lines: string[] = [];
  const walk = (rel: string) => {
    const host = rel ? join(root, rel) : root;
    const st = lstatSync(host);
    const type = st.isFile() ? 'f' : st.isDirectory() ? 'd' : st.isSymbolicLink() ? 'l' : st.isCharacterDevice() ? 'c' : st.isBlockDevice() ? 'b' : st.isFIFO() ? 'p' : '?';
    const key = `${st.dev}:${st.ino}`;
    const group = !st.isDirectory() && st.nlink > 1 ? (inodes.get(key) ?? (inodes.set(key, rel), rel)) : '';
    const sha = st.isFile() ? createHash('sha256').update(readFileSync(host)).digest('hex').slice(0, 16) : '';
    const link = st.isSymbolicLink() ? readlinkSync(host) : '';
    const x = [...(attrs.get(host) ?? new Map<string, Buffer>())].map(([k, v]) => `${k}=${v.toString('hex')}`).sort().join(',');
    const mode = st.isSymbolicLink() ? '' : (st.mode & 0o7777).toString(8);
    lines.push(`${rel || '.'} ${type} ${mode} ${st.uid}:${st.gid} ${Math.floor(st.mtimeMs / 1000)} ${st.isFile() ? st.size : ''} ${sha} ${link} ${st.isCharacterDevice() || st.isBlockDevice() ? st.rdev : ''} ${group} [${x}]`);
    if (st.isDirectory()) for (const name of readdirSync(host).sort()) walk(rel ? `${rel}/${name}` : name);
  };
  walk('');
  return lines;
}

/** What `rsync -n -i` would change to make `to` like `from`: no lines when the trees are the same. */
export function rsyncDifferences(from: string, to: string, xattrs = true): string[] {
  const out = run('rsync', ['-n', '-i', '-a', '-H', ...(xattrs ? ['-X'] : []), '--numeric-ids', '--delete', `${from}/`, `${to}/`]);
  return out.split('\n').filter((l) => l.trim() !== '');
}

/** Every path below `dir` with its type, size and mtime: to show nothing appeared or changed there. */
export function snapshot(dir: string, skip: string): string[] {
  const out: string[] = [];
  const walk = (path: string) => {
    for (const name of readdirSync(path).sort()) {
      const p = join(path, name);
      if (p === skip) continue;
      const st = lstatSync(p);
      out.push(`${p} ${st.mode.toString(8)} ${st.size} ${st.mtimeMs}`);
      if (st.isDirectory()) walk(p);
    }
  };
  walk(dir);
  return out;
}

/** Writes a hostile tarball with Python's tarfile; `script` adds members to `t` (helpers: add, zeros). */
export function pythonTar(path: string, script: string, mode = 'w'): void {
  const program = `
import io, sys, tarfile
path, mode = sys.argv[1], sys.argv[2]
t = tarfile.open(path, mode, format=tarfile.PAX_FORMAT)
def add(name, kind=tarfile.REGTYPE, data=b'', linkname='', pax=None):
    ti = tarfile.TarInfo(name)
    ti.type = kind
    ti.size = len(data) if kind == tarfile.REGTYPE else 0
    ti.linkname = linkname
    ti.mode = 0o644
    ti.mtime = 1700000000
    if pax: ti.pax_headers = pax
    t.addfile(ti, io.BytesIO(data) if kind == tarfile.REGTYPE else None)
class Zeros(io.RawIOBase):
    def __init__(self, n): self.left = n
    def readable(self): return True
    def readinto(self, b):
        n = min(len(b), self.left); b[:n] = bytes(n); self.left -= n; return n
def zeros(name, n):
    ti = tarfile.TarInfo(name); ti.size = n; ti.mtime = 1700000000
    t.addfile(ti, io.BufferedReader(Zeros(n), 1 << 20))
${script}
t.close()
`;
  run('python3', ['-c', program, path, mode]);
}

/** The image manifest an OCI layout's index.json names first. */
export function ociManifest(layout: string): { layers: Array<{ mediaType: string; digest: string; size: number }> } & Record<string, unknown> {
  const index = JSON.parse(readFileSync(join(layout, 'index.json'), 'utf8'));
  return JSON.parse(readFileSync(join(layout, 'blobs/sha256', index.manifests[0].digest.slice(7)), 'utf8'));
}

/** A copy of `layout` whose layers are stored uncompressed (media type application/vnd.oci.image.layer.v1.tar). */
export function uncompressedLayout(layout: string, copy: string): void {
  run('cp', ['-a', layout, copy]);
  const blob = (bytes: Buffer) => {
    const hex = createHash('sha256').update(bytes).digest('hex');
    writeFileSync(join(copy, 'blobs/sha256', hex), bytes);
    return { digest: `sha256:${hex}`, size: bytes.length };
  };
  const manifest = ociManifest(copy);
  manifest.layers = manifest.layers.map((l) => ({ mediaType: 'application/vnd.oci.image.layer.v1.tar', ...blob(gunzipSync(readFileSync(join(copy, 'blobs/sha256', l.digest.slice(7))))) }));
  const index = JSON.parse(readFileSync(join(copy, 'index.json'), 'utf8'));
  index.manifests[0] = { ...index.manifests[0], ...blob(Buffer.from(JSON.stringify(manifest))) };
  writeFileSync(join(copy, 'index.json'), JSON.stringify(index));
}
