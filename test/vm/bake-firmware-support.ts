// Boots a baked disk through its firmware (SeaBIOS or OVMF), no -kernel: the disk's own boot loaders must do it. Plus its tiny root.

import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bootVm, type VmResult } from './qemu';

export type Firmware = 'seabios' | 'ovmf';

const BUSYBOX = '/bin/busybox';
const APPLETS = ['sh', 'mount', 'echo', 'cat', 'awk', 'poweroff'];

/**
 * The "agent" of this root prints what the test checks and powers off: the firmware it came through,
 * the command line its boot loader passed, and which partition the kernel mounted as root.
 */
const INIT = `#!/bin/sh
mount -t proc proc /proc
mount -t sysfs sys /sys
if [ -d /sys/firmware/efi ]; then echo "BAKETEST firmware=uefi"; else echo "BAKETEST firmware=bios"; fi
echo "BAKETEST cmdline=$(cat /proc/cmdline)"
dev=$(awk '$5 == "/" { print $3 }' /proc/self/mountinfo)
echo "BAKETEST root-partition=$(cat /sys/dev/block/$dev/partition)"
echo "BAKETEST done"
poweroff -f
`;

/** A busybox root whose /usr/lib/cloudlet/cloudlet-agent is the script above; /dev/console for a kernel without devtmpfs mounting. */
export function writeBootRoot(root: string): void {
  for (const d of ['usr/bin', 'usr/lib/cloudlet', 'dev', 'proc', 'sys']) mkdirSync(join(root, d), { recursive: true });
  symlinkSync('usr/bin', join(root, 'bin'));
  symlinkSync('usr/bin', join(root, 'sbin'));
  copyFileSync(BUSYBOX, join(root, 'usr/bin/busybox'));
  chmodSync(join(root, 'usr/bin/busybox'), 0o755);
  for (const a of APPLETS) symlinkSync('busybox', join(root, 'usr/bin', a));
  writeFileSync(join(root, 'usr/lib/cloudlet/cloudlet-agent'), INIT, { mode: 0o755 });
  const r = spawnSync('mknod', ['-m', '600', join(root, 'dev/console'), 'c', '5', '1'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`mknod: ${r.stderr}`);
}

/**
 * An initramfs with one file and no /init: the kernel unpacks it ("Freeing initrd memory") and, finding
 * nothing to run, mounts root= itself. It proves the boot loader handed over the ESP's initrd.
 */
export function writeMarkerInitrd(dir: string): string {
  const src = join(dir, 'initrd-src');
  mkdirSync(src, { recursive: true });
  writeFileSync(join(src, 'marker'), 'baked initrd\n');
  const out = join(dir, 'initrd.cpio');
  const r = spawnSync('sh', ['-c', `cd "${src}" && echo marker | cpio -o -H newc --quiet > "${out}"`], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`cpio: ${r.stderr}`);
  return out;
}

/** Boots `disk` from NVMe through `firmware` (writes go to a temporary overlay) until the guest powers off or the guard stops it. */
export function bootDisk(name: string, disk: string, firmware: Firmware, timeoutMs: number): Promise<VmResult> {
  return bootVm({ name, firmware, drives: [{ file: disk, bus: 'nvme', snapshot: true }], memoryMb: 512, timeoutMs });
}
