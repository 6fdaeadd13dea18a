// VM: a baked disk boots through real firmware, no -kernel: SeaBIOS -> gptmbr.bin -> syslinux, and OVMF -> systemd-boot,
// each loading the kernel and initrd from the ESP and the kernel finding its root by PARTUUID.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootFileSizes, buildDisk, measureTree, planDisk, type DiskPlan } from '../../src/cloudlet/disk';
import { realSystem } from '../../src/system/real-system';
import { bootDisk, writeBootRoot, writeMarkerInitrd } from './bake-firmware-support';
import { VM_CACHE } from './paths';
import { markers, requireQemu } from './qemu';
import { kernelVersion, runSetup } from './setup-run';

/** A guard, not a measure: TCG on a busy machine is slow, and a guest that hangs must not hang the tier. */
const BOOT_TIMEOUT_MS = 600_000;

let work = '';
let disk = '';
let plan: DiskPlan;

beforeAll(async () => {
  requireQemu();
  runSetup('kernel');
  const kernel = join(VM_CACHE, 'kernel', kernelVersion(), 'vmlinuz');
  work = mkdtempSync(join(tmpdir(), 'cloudlet-bake-firmware-'));
  const root = join(work, 'root');
  writeBootRoot(root);
  const boot = { kernel, initrd: writeMarkerInitrd(work) };
  plan = planDisk({
    seed: 'sha256:6261b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f',
    epoch: 1_700_000_000,
    tree: await measureTree(root),
    ...(await bootFileSizes(boot)),
    cmdline: ['init=/usr/lib/cloudlet/cloudlet-agent', 'panic=-1'],
    title: 'bake firmware test',
  });
  disk = join(work, 'disk.raw');
  await buildDisk(plan, root, boot, disk, realSystem());
});

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

function expectBooted(text: string, logFile: string, firmware: 'bios' | 'uefi'): string {
  const lines = markers(text, 'BAKETEST');
  expect(lines, `console: ${logFile}`).toContain('done');
  expect(lines).toContain(`firmware=${firmware}`);
  // The kernel mounted partition 2, found by the PARTUUID on the command line the boot loader passed.
  expect(lines).toContain('root-partition=2');
  const cmdline = lines.find((l) => l.startsWith('cmdline='))?.slice('cmdline='.length) ?? '';
  expect(cmdline).toContain(plan.cmdline);
  expect(plan.cmdline).toContain(`root=PARTUUID=${plan.partitions[1]?.uuid}`);
  // The initrd from the ESP reached the kernel.
  expect(text).toMatch(/Freeing initrd memory: \d+K/);
  return cmdline;
}

describe('baked disk under firmware', () => {
  it('SeaBIOS boots it: gptmbr.bin, syslinux on the ESP, kernel and initrd, root by PARTUUID, the init= path', async () => {
    const boot = await bootDisk('bake-seabios', disk, 'seabios', BOOT_TIMEOUT_MS);
    expect(boot.timedOut, `guest did not power off; console: ${boot.logFile}`).toBe(false);
    expect(boot.code).toBe(0);
    const cmdline = expectBooted(boot.console, boot.logFile, 'bios');
    // syslinux names the image it loaded first on the command line.
    expect(cmdline.startsWith('BOOT_IMAGE=/vmlinuz ')).toBe(true);
    expect(boot.console).toContain('Loading /initrd.img...ok');
  });

  it('OVMF boots it: systemd-boot as \\EFI\\BOOT\\BOOTX64.EFI, its entry\'s kernel and initrd, root by PARTUUID', async () => {
    const boot = await bootDisk('bake-ovmf', disk, 'ovmf', BOOT_TIMEOUT_MS);
    expect(boot.timedOut, `guest did not power off; console: ${boot.logFile}`).toBe(false);
    expect(boot.code).toBe(0);
    const cmdline = expectBooted(boot.console, boot.logFile, 'uefi');
    // systemd-boot names the entry's initrd on the command line and hands it over by the initrd media device path.
    expect(cmdline.startsWith('initrd=\\initrd.img ')).toBe(true);
    expect(boot.console).toContain('Loaded initrd from LINUX_EFI_INITRD_MEDIA_GUID device path');
  });
});
