// The OVF descriptor and manifest text, and the checks of a shipped descriptor.

import { describe, expect, it } from 'vitest';
import { ovfProblems, parseManifest, renderManifest, renderOvf, type OvfInput } from './ovf';

const INPUT: OvfInput = {
  name: 'hello-1.2.0',
  description: 'hello <1.2.0> & co',
  diskFile: 'hello-1.2.0-disk1.vmdk',
  diskBytes: 395776,
  capacity: 5242880,
  version: '1.0',
  controller: 'nvme',
  firmware: 'bios',
  memoryMiB: 2048,
  cpus: 2,
};

const STREAM = 'http://www.vmware.com/interfaces/specifications/vmdk.html#streamOptimized';

describe('renderOvf', () => {
  it('names the disk it ships, its size and capacity', () => {
    const ovf = renderOvf(INPUT);
    expect(ovf).toContain('<File ovf:href="hello-1.2.0-disk1.vmdk" ovf:id="file1" ovf:size="395776"/>');
    expect(ovf).toContain('ovf:capacity="5242880"');
    expect(ovf).toContain(`ovf:format="${STREAM}"`);
    expect(ovf).toContain('<rasd:VirtualQuantity>2048</rasd:VirtualQuantity>');
  });

  it('puts the disk on an NVMe controller by default and on PVSCSI when asked', () => {
    expect(renderOvf(INPUT)).toContain('<rasd:ResourceSubType>vmware.nvme.controller</rasd:ResourceSubType>');
    expect(renderOvf(INPUT)).toContain('<vssd:VirtualSystemType>vmx-13</vssd:VirtualSystemType>');
    const scsi = renderOvf({ ...INPUT, controller: 'pvscsi' });
    expect(scsi).toContain('<rasd:ResourceSubType>VirtualSCSI</rasd:ResourceSubType>');
    expect(scsi).not.toContain('nvme');
  });

  it('writes the OVF 2.0 envelope when asked, and EFI firmware', () => {
    const ovf = renderOvf({ ...INPUT, version: '2.0', firmware: 'efi' });
    expect(ovf).toContain('<Envelope ovf:version="2.0" xmlns="http://schemas.dmtf.org/ovf/envelope/2"');
    expect(ovf).toContain('vmw:key="firmware" vmw:value="efi"');
    expect(renderOvf(INPUT)).not.toContain('firmware');
  });

  it('escapes the description', () => {
    expect(renderOvf(INPUT)).toContain('<Info>hello &lt;1.2.0&gt; &amp; co</Info>');
  });

  it('keeps each Item\'s elements in alphabetical order, as the CIM schema sequences them', () => {
    const items = renderOvf(INPUT).split('<Item>').slice(1).map((i) => [...i.matchAll(/<rasd:(\w+)>/g)].map((m) => m[1] ?? ''));
    expect(items.length).toBe(5);
    for (const names of items) expect(names).toEqual([...names].sort());
  });
});

describe('manifest', () => {
  it('reads back what it writes', () => {
    const files = [
      { name: 'a.ovf', sha256: 'a'.repeat(64) },
      { name: 'a-disk1.vmdk', sha256: 'b'.repeat(64) },
    ];
    const text = renderManifest(files);
    expect(text).toBe(`SHA256(a.ovf)= ${'a'.repeat(64)}\nSHA256(a-disk1.vmdk)= ${'b'.repeat(64)}\n`);
    expect(parseManifest(text)).toEqual(new Map(files.map((f) => [f.name, f.sha256])));
  });

  it('refuses a line that is not SHA256(file)= hex', () => {
    expect(parseManifest('SHA1(a.ovf)= 00\n')).toMatch(/is not SHA256/);
  });
});

describe('ovfProblems', () => {
  const facts = { href: 'd.vmdk', size: '10', capacity: '1048576', format: STREAM, controller: 'vmware.nvme.controller' };
  const expectation = { diskFile: 'd.vmdk', diskBytes: 10, capacity: 1048576, controller: 'nvme' as const };

  it('accepts a descriptor that matches the shipped disk', () => {
    expect(ovfProblems(facts, expectation)).toEqual([]);
  });

  it('names each mismatch', () => {
    expect(ovfProblems({ ...facts, href: 'other.vmdk', size: '11', controller: 'lsilogic' }, expectation)).toEqual([
      'names disk file "other.vmdk", the OVA ships d.vmdk',
      'gives the disk file 11 bytes, it has 10',
      'puts the disk on controller "lsilogic", not vmware.nvme.controller',
    ]);
  });
});
