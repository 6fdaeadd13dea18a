// The text files of a plan: OVF, manifest, xl config and AMI files from plan and measurements.

import { describe, expect, it } from 'vitest';
import { planTarget } from './plan';
import { recipe, testContext } from './test-fixtures';
import { renderText } from './texts';

const MiB = 1024 * 1024;

function plan(name: string, settings: string[] = [], cmdline?: string) {
  return planTarget(recipe(name), { rawPath: '/in/disk.raw', rawSize: 8 * MiB, outDir: '/out', workDir: '/out/.w', ctx: testContext(settings, cmdline ? { cmdline } : {}) });
}

describe('renderText', () => {
  it('fills the OVF from the options and the measured disk', () => {
    const ovf = renderText('ovf', plan('ova', ['vm.cpus=4', 'ova.controller=pvscsi']), { diskBytes: 1234 });
    expect(ovf).toContain('ovf:size="1234"');
    expect(ovf).toContain(`ovf:capacity="${8 * MiB}"`);
    expect(ovf).toContain('<rasd:VirtualQuantity>4</rasd:VirtualQuantity>');
    expect(ovf).toContain('VirtualSCSI');
  });

  it('refuses to write the OVF or the manifest before the disk is measured', () => {
    expect(() => renderText('ovf', plan('ova'), {})).toThrow(/measured/);
    expect(() => renderText('mf', plan('ova'), { sha256: { 'hello-1.2.0.ovf': 'a'.repeat(64) } })).toThrow(/hello-1.2.0-disk1.vmdk/);
  });

  it('lists the descriptor and the disk in the manifest, in archive order', () => {
    const mf = renderText('mf', plan('ova'), { sha256: { 'hello-1.2.0.ovf': 'a'.repeat(64), 'hello-1.2.0-disk1.vmdk': 'b'.repeat(64) } });
    expect(mf.split('\n').map((l) => l.slice(0, l.indexOf(')') + 1))).toEqual(['SHA256(hello-1.2.0.ovf)', 'SHA256(hello-1.2.0-disk1.vmdk)', '']);
  });

  it('points the xl config at the xen disk and the AMI files at the AMI disk', () => {
    expect(renderText('xl-config', plan('xen', ['xen.disk=qcow2']), {})).toContain('target=hello-1.2.0-xen.qcow2');
    expect(renderText('ami-containers', plan('ami'), {})).toContain('"S3Key": "hello-1.2.0-ami.vmdk"');
    expect(renderText('ami-script', plan('ami'), {})).toContain('file://hello-1.2.0-ami-containers.json');
  });

  it('gives a PVH domain the boot loader\'s command line on hvc0', () => {
    const cfg = renderText('xl-config', plan('xen', ['xen.type=pvh', 'xen.kernel=/boot/vmlinuz'], 'root=PARTUUID=1 ro console=ttyS0'), {});
    expect(cfg).toContain('cmdline = "root=PARTUUID=1 ro console=hvc0"');
  });
});
