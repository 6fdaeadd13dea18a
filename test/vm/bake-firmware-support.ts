// Boots a baked disk through its firmware (SeaBIOS or OVMF), no -kernel: the disk's own boot loaders must do it. Plus its tiny root.

import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { VM_CACHE } from './paths';
import { accelerator } from './qemu';

export type Firmware = 'seabios' | 'ovmf';

export const OVMF_CODE = '/usr/share/OVMF/OVMF_CODE.fd';
export const OVMF_VARS = '/usr/share/OVMF/OVMF_VARS.fd';
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

export interface FirmwareBoot {
  console: string;
  logFile: string;
  code: number | null;
  timedOut: boolean;
}

/** Boots `disk` (NVMe, writes to a temporary overlay) and resolves when the guest powers off or the guard kills it. */
export function bootDisk(name: string, disk: string, firmware: Firmware, work: string, timeoutMs: number): Promise<FirmwareBoot> {
  const accel = accelerator();
  const args = ['-accel', accel, '-cpu', accel === 'kvm' ? 'host' : 'max', '-m', '512', '-smp', '1'];
  args.push('-display', 'none', '-serial', 'stdio', '-monitor', 'none', '-no-reboot', '-nodefaults', '-nic', 'none');
  if (firmware === 'ovmf') {
    const vars = join(work, `${name}-vars.fd`);
    copyFileSync(OVMF_VARS, vars);
    args.push('-drive', `if=pflash,format=raw,unit=0,file=${OVMF_CODE},readonly=on`, '-drive', `if=pflash,format=raw,unit=1,file=${vars}`);
  }
  args.push('-drive', `file=${disk},if=none,id=disk0,format=raw,snapshot=on`, '-device', 'nvme,drive=disk0,serial=baked0');
  const logDir = join(VM_CACHE, 'logs');
  mkdirSync(logDir, { recursive: true });
  const logFile = join(logDir, `${name}.log`);
  const secs = Math.ceil(timeoutMs / 1000);
  const child = spawn('timeout', ['--kill-after=5', String(secs), 'qemu-system-x86_64', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const chunks: Buffer[] = [];
  child.stdout.on('data', (b: Buffer) => chunks.push(b));
  child.stderr.on('data', (b: Buffer) => chunks.push(b));
  return new Promise((resolve) => {
    child.on('close', (code) => {
      const text = Buffer.concat(chunks).toString('utf8').replace(/\r\n/g, '\n');
      writeFileSync(logFile, text);
      // timeout(1) exits 124 when it had to stop QEMU, 137 when it killed it.
      resolve({ console: text, logFile, code, timedOut: code === 124 || code === 137 });
    });
  });
}
