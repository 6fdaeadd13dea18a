// The xl domain config for HVM and PVH, and the PVH command line.

import { describe, expect, it } from 'vitest';
import { pvhCmdline, renderXlConfig, xlDiskTarget, type XlInput } from './xl-config';

const HVM: XlInput = {
  name: 'hello',
  description: 'hello 1.2.0',
  configFile: 'hello-xen.cfg',
  diskFile: 'hello-xen.raw',
  diskDir: null,
  diskFormat: 'raw',
  type: 'hvm',
  firmware: 'seabios',
  memoryMiB: 512,
  cpus: 2,
  bridge: 'xenbr0',
  kernel: null,
  ramdisk: null,
  cmdline: null,
};

const lines = (text: string) => text.split('\n').filter((l) => !l.startsWith('#') && l !== '');

describe('renderXlConfig', () => {
  it('boots the disk\'s own loader as HVM', () => {
    expect(lines(renderXlConfig(HVM))).toEqual([
      'name = "hello"',
      'type = "hvm"',
      'bios = "seabios"',
      'serial = "pty"',
      'memory = 512',
      'vcpus = 2',
      'disk = [ "format=raw, vdev=xvda, access=rw, target=hello-xen.raw" ]',
      'vif = [ "bridge=xenbr0" ]',
      'on_poweroff = "destroy"',
      'on_reboot = "restart"',
      'on_crash = "destroy"',
    ]);
  });

  it('boots a host kernel as PVH, with a qcow2 disk in a given directory', () => {
    const text = renderXlConfig({ ...HVM, type: 'pvh', diskFormat: 'qcow2', diskFile: 'hello-xen.qcow2', diskDir: '/srv/xen/', kernel: '/boot/vmlinuz', ramdisk: '/boot/initrd.img', cmdline: 'root=PARTUUID=abc ro console=hvc0' });
    const l = lines(text);
    expect(l).toContain('type = "pvh"');
    expect(l).toContain('kernel = "/boot/vmlinuz"');
    expect(l).toContain('ramdisk = "/boot/initrd.img"');
    expect(l).toContain('cmdline = "root=PARTUUID=abc ro console=hvc0"');
    expect(l.some((x) => x.startsWith('bios'))).toBe(false);
    expect(xlDiskTarget(text)).toBe('/srv/xen/hello-xen.qcow2');
  });

  it('tells where to run xl when the disk path is relative', () => {
    expect(renderXlConfig(HVM)).toContain('`xl create hello-xen.cfg` from the directory that holds hello-xen.raw');
    expect(xlDiskTarget(renderXlConfig(HVM))).toBe('hello-xen.raw');
  });
});

describe('pvhCmdline', () => {
  it('moves the boot loader\'s consoles to hvc0 unless a command line is given', () => {
    expect(pvhCmdline(null, 'root=PARTUUID=abc ro console=ttyS0 console=tty0 init=/usr/lib/cloudlet/cloudlet-agent')).toBe('root=PARTUUID=abc ro init=/usr/lib/cloudlet/cloudlet-agent console=hvc0');
    expect(pvhCmdline('quiet', 'root=x')).toBe('quiet');
    expect(pvhCmdline(null, undefined)).toBeNull();
  });
});
