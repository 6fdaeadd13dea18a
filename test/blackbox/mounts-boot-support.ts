// A tiny bootable image for the boot-mode tests: busybox, the host's C libraries and the agent under test.

import { copyFileSync, mkdirSync, readFileSync, symlinkSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { agentCommand, makeImage, REPO, writeTree, type Tree } from './harness';

const BUSYBOX = '/bin/busybox';
const APPLETS = ['sh', 'mount', 'umount', 'cp', 'sync', 'cat', 'chroot', 'sleep', 'grep', 'mkdir', 'ls', 'stat', 'echo', 'true'];
const LIB_DIR = '/usr/lib/x86_64-linux-gnu';
const LIBS = ['libdl.so.2', 'libstdc++.so.6', 'libm.so.6', 'libgcc_s.so.1', 'libpthread.so.0', 'libc.so.6'];

export interface BootImage {
  root: string;
  cleanup: () => void;
  /** shell lines that make the agent appear at /usr/lib/cloudlet/cloudlet-agent (bind mounts, in the test's namespace) */
  agentSetup: string;
}

/**
 * A merged-/usr image with busybox applets, the C libraries the agent needs and empty mountpoints
 * for the pseudo filesystems. The agent is bound in (not copied: it is 100 MB) by `agentSetup`.
 */
export function bootImage(manifest: unknown, tree: Tree = {}): BootImage {
  const { root, cleanup } = makeImage(manifest, {
    '/dev': { dir: true },
    '/proc': { dir: true },
    '/sys': { dir: true },
    '/run': { dir: true },
    '/tmp': { dir: true, mode: 0o1777 },
    '/.cloudlet/storage': { dir: true },
    '/usr/sbin': { dir: true },
    '/usr/lib64': { dir: true },
    '/usr/lib/cloudlet/cloudlet-agent': { content: '', mode: 0o755 },
  });
  mkdirSync(join(root, 'usr/bin'), { recursive: true });
  mkdirSync(join(root, LIB_DIR), { recursive: true });
  for (const [link, target] of [['bin', 'usr/bin'], ['sbin', 'usr/sbin'], ['lib', 'usr/lib'], ['lib64', 'usr/lib64']] as const) {
    symlinkSync(target, join(root, link));
  }
  copyFileSync(BUSYBOX, join(root, 'usr/bin/busybox'));
  for (const applet of APPLETS) symlinkSync('busybox', join(root, 'usr/bin', applet));
  for (const lib of LIBS) copyFileSync(join(LIB_DIR, lib), join(root, LIB_DIR, lib));
  copyFileSync('/lib64/ld-linux-x86-64.so.2', join(root, 'usr/lib64/ld-linux-x86-64.so.2'));
  // After the /bin, /sbin, /lib links: "/sbin/init" lands in /usr/sbin as in a merged-/usr image.
  writeTree(root, tree);
  return { root, cleanup, agentSetup: agentSetup(root) };
}

function agentSetup(root: string): string {
  const cmd = agentCommand();
  const agent = join(root, 'usr/lib/cloudlet/cloudlet-agent');
  if (cmd.length === 1) return `mount --bind ${resolve(cmd[0] as string)} ${agent}`;
  // The fast bundle: Node and the bundle bound in, and a wrapper that execs them (PID stays the same).
  const node = resolve(REPO, cmd[0] as string);
  const bundle = resolve(REPO, cmd[cmd.length - 1] as string);
  return [
    `: > ${root}/usr/lib/cloudlet/node; : > ${root}/usr/lib/cloudlet/agent.cjs`,
    `mount --bind $(readlink -f ${node}) ${root}/usr/lib/cloudlet/node`,
    `mount --bind ${bundle} ${root}/usr/lib/cloudlet/agent.cjs`,
    `printf '#!/bin/sh\\nexec /usr/lib/cloudlet/node /usr/lib/cloudlet/agent.cjs "$@"\\n' > ${root}/.agent-wrapper; chmod 755 ${root}/.agent-wrapper`,
    `mount --bind ${root}/.agent-wrapper ${agent}`,
  ].join('\n');
}

/** The repository's copy of a boot file. */
export function repoFile(path: string): string {
  return readFileSync(join(REPO, path), 'utf8');
}
