// What PID 1 must do before anything else: the pseudo filesystems, and signals it must survive.

import { constants } from 'node:fs';
import { access, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { mountedAt, readMountinfo } from '../mounts/mountinfo';
import { runTool } from '../../system/tools';
import type { System } from '../../system/system';

interface PseudoFs {
  path: string;
  type: string;
  options: string;
}

/** The kernel mounts only the root (and /dev with CONFIG_DEVTMPFS_MOUNT); the rest is init's job. */
const PSEUDO: readonly PseudoFs[] = [
  { path: '/proc', type: 'proc', options: 'nosuid,nodev,noexec' },
  { path: '/sys', type: 'sysfs', options: 'nosuid,nodev,noexec' },
  { path: '/dev', type: 'devtmpfs', options: 'nosuid,mode=0755' },
  { path: '/run', type: 'tmpfs', options: 'nosuid,nodev,mode=0755' },
];

/**
 * Mounts /proc, /sys, /dev and /run where nothing is mounted yet; returns what it mounted. The real
 * init finds them mounted and keeps them (systemd and busybox init both do).
 */
export async function mountPseudoFilesystems(system: System): Promise<string[]> {
  const done: string[] = [];
  const [proc, ...rest] = PSEUDO as [PseudoFs, ...PseudoFs[]];
  const procReady = await access(join(system.hostPaths.proc, 'self', 'mountinfo'), constants.R_OK).then(() => true, () => false);
  if (!procReady) {
    await mountPseudo(system, proc);
    done.push(proc.path);
  }
  // Read once /proc is there: without an initramfs the kernel may have mounted /dev already
  // (CONFIG_DEVTMPFS_MOUNT), and a second devtmpfs must not be stacked on it.
  const mounts = await readMountinfo(system);
  for (const fs of rest) {
    if (mountedAt(mounts, fs.path)) continue;
    await mountPseudo(system, fs);
    done.push(fs.path);
  }
  return done;
}

async function mountPseudo(system: System, fs: PseudoFs): Promise<void> {
  await mkdir(fs.path, { recursive: true }).catch(() => undefined);
  await runTool(system, 'mount', ['-t', fs.type, '-o', fs.options, fs.type, fs.path], 'E_MOUNT', `the kernel needs ${fs.type} support, and the image a ${fs.path} directory`);
}

/**
 * The kernel already drops signals PID 1 has no handler for; explicit no-op handlers make that hold
 * when the agent is not PID 1 in its namespace too, and keep a stray Ctrl-C on the console from
 * killing the boot. SIGUSR1 is listed because Node would otherwise treat it as "start the inspector".
 */
export function ignorePid1Signals(): void {
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGUSR1'] as const) process.on(signal, () => undefined);
}
