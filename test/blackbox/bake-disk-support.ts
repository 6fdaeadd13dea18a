// The bake disk tests' tree, boot files and tool calls: a small root with owners, modes, links and a device node.

import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, linkSync, lutimesSync, mkdirSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export const EPOCH = 1_700_000_000;
/** mtime of every staged entry: older than the epoch, so it is kept as it is */
export const MTIME = 1_650_000_000;
export const SEED = 'sha256:5e1f0c4f9b7a2d3e8c6a1b0f9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d';

interface Entry {
  path: string;
  kind: 'dir' | 'file' | 'symlink' | 'hardlink' | 'chardev';
  mode?: number;
  uid?: number;
  gid?: number;
  content?: string;
  target?: string;
}

export const TREE: readonly Entry[] = [
  { path: 'etc', kind: 'dir', mode: 0o755 },
  { path: 'etc/hostname', kind: 'file', mode: 0o644, content: 'bake-test\n' },
  { path: 'etc/shadow', kind: 'file', mode: 0o640, gid: 42, content: 'root:*:19000:0:99999:7:::\n' },
  { path: 'home', kind: 'dir', mode: 0o755 },
  { path: 'home/user', kind: 'dir', mode: 0o750, uid: 1000, gid: 1000 },
  { path: 'home/user/note.txt', kind: 'file', mode: 0o600, uid: 1000, gid: 1000, content: 'private\n' },
  { path: 'usr', kind: 'dir', mode: 0o755 },
  { path: 'usr/bin', kind: 'dir', mode: 0o755 },
  { path: 'usr/bin/tool', kind: 'file', mode: 0o4755, content: '#!/bin/sh\necho tool\n' },
  { path: 'usr/bin/tool-link', kind: 'hardlink', target: 'usr/bin/tool' },
  { path: 'usr/lib', kind: 'dir', mode: 0o755 },
  { path: 'usr/lib/cloudlet', kind: 'dir', mode: 0o755 },
  { path: 'usr/lib/cloudlet/cloudlet-agent', kind: 'file', mode: 0o755, content: '#!/bin/sh\nexec /sbin/init\n' },
  { path: 'usr/share', kind: 'dir', mode: 0o755 },
  { path: 'usr/share/long-link', kind: 'symlink', target: `/usr/share/${'a-very-long-name-'.repeat(6)}` },
  { path: 'bin', kind: 'symlink', target: 'usr/bin' },
  { path: 'dev', kind: 'dir', mode: 0o755 },
  { path: 'dev/console', kind: 'chardev', mode: 0o600 },
];

/** Writes TREE under `root` in the given order (reversed: children first where possible), all times MTIME. */
export function writeStagedTree(root: string, opts: { reverse?: boolean; atime?: number } = {}): void {
  mkdirSync(root, { recursive: true });
  const entries = opts.reverse ? [...TREE].reverse() : [...TREE];
  for (const e of entries) {
    const host = join(root, e.path);
    mkdirSync(dirname(host), { recursive: true });
    if (e.kind === 'dir') mkdirSync(host, { recursive: true });
    else if (e.kind === 'file') writeFileSync(host, e.content ?? '');
    else if (e.kind === 'symlink') symlinkSync(e.target ?? '', host);
    else if (e.kind === 'hardlink') {
      const target = join(root, e.target ?? '');
      mkdirSync(dirname(target), { recursive: true });
      const spec = TREE.find((t) => t.path === e.target);
      writeFileSync(target, spec?.content ?? '');
      linkSync(target, host);
    } else {
      const r = spawnSync('mknod', ['-m', '600', host, 'c', '5', '1']);
      if (r.status !== 0) throw new Error(`mknod ${host}: ${r.stderr}`);
    }
  }
  // Modes and owners after every entry exists (a reversed order made parents implicitly).
  for (const e of TREE) {
    const host = join(root, e.path);
    if (e.kind === 'symlink' || e.kind === 'hardlink') continue;
    chownSync(host, e.uid ?? 0, e.gid ?? 0);
    if (e.mode !== undefined) chmodSync(host, e.mode);
  }
  // Extended attributes in name order, as stageImage sets them: mke2fs copies them in the order the
  // staging filesystem lists them, which on ext4 is the order they were set.
  tool('setfattr', ['-n', 'user.bake-a', '-v', 'first', join(root, 'etc/hostname')]);
  tool('setfattr', ['-n', 'user.bake-b', '-v', 'second', join(root, 'etc/hostname')]);
  for (const e of [...TREE].reverse()) lutimesSync(join(root, e.path), opts.atime ?? MTIME, MTIME);
  chmodSync(root, 0o755);
  utimesSync(root, opts.atime ?? MTIME, MTIME);
}

/** A stand-in kernel and initrd: their bytes only need to arrive on the ESP unchanged. */
export function writeBootFiles(dir: string): { kernel: string; initrd: string } {
  const kernel = join(dir, 'vmlinuz');
  const initrd = join(dir, 'initrd.img');
  writeFileSync(kernel, Buffer.from(Array.from({ length: 300_000 }, (_, i) => (i * 7) % 251)));
  writeFileSync(initrd, Buffer.from(Array.from({ length: 100_000 }, (_, i) => (i * 13) % 241)));
  return { kernel, initrd };
}

/** Runs a host tool; throws with what it said when it fails. */
export function tool(cmd: string, args: string[], env: Record<string, string> = {}): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', env: { ...process.env, ...env }, maxBuffer: 64 * 1024 * 1024 });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return r.stdout;
}

/** The bytes [offset, offset + size) of `disk` as their own sparse file, for tools that take no offset. */
export function extract(disk: string, offsetBytes: number, sizeBytes: number, out: string): string {
  const mib = 1024 * 1024;
  tool('dd', [`if=${disk}`, `of=${out}`, 'bs=1M', `skip=${offsetBytes / mib}`, `count=${sizeBytes / mib}`, 'conv=sparse', 'status=none']);
  return out;
}
