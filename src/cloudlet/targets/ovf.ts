// The OVF descriptor and .mf manifest of an OVA, as text, and what a shipped descriptor must say.

/**
 * Disk controllers an OVF may declare, limited to ones a cloud kernel drives: Debian's cloud kernel
 * builds NVMe in and ships vmw_pvscsi as a module, but has no AHCI and no LSI Logic (mptspi)
 * driver, and ata_piix only as a module, so IDE, SATA and LSI Logic controllers are not offered.
 */
export const OVF_CONTROLLERS = {
  // NVMe arrived with hardware version 13 (ESXi 6.5); VirtualBox reads this subtype as NVMe too.
  nvme: { resourceType: 20, subType: 'vmware.nvme.controller', element: 'nvme0', description: 'NVMe Controller', hardware: 'vmx-13' },
  pvscsi: { resourceType: 6, subType: 'VirtualSCSI', element: 'scsi0', description: 'SCSI Controller', hardware: 'vmx-10' },
} as const;

export type OvfController = keyof typeof OVF_CONTROLLERS;

export interface OvfInput {
  name: string;
  description: string;
  /** the disk's name inside the OVA and its size in bytes */
  diskFile: string;
  diskBytes: number;
  /** the disk's virtual size in bytes */
  capacity: number;
  version: '1.0' | '2.0';
  controller: OvfController;
  firmware: 'bios' | 'efi';
  memoryMiB: number;
  cpus: number;
}

const STREAM_OPTIMIZED = 'http://www.vmware.com/interfaces/specifications/vmdk.html#streamOptimized';
const NETWORK = 'VM Network';

export function xmlEscape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

/** An Item of the hardware section; CIM keeps its rasd elements in alphabetical order. */
function item(fields: Record<string, string | number>): string {
  const lines = Object.keys(fields)
    .sort()
    .map((k) => `        <rasd:${k}>${xmlEscape(String(fields[k]))}</rasd:${k}>`);
  return ['      <Item>', ...lines, '      </Item>'].join('\n');
}

export function renderOvf(o: OvfInput): string {
  const envelope = `http://schemas.dmtf.org/ovf/envelope/${o.version === '2.0' ? 2 : 1}`;
  const c = OVF_CONTROLLERS[o.controller];
  const name = xmlEscape(o.name);
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<Envelope ovf:version="${o.version}" xmlns="${envelope}" xmlns:ovf="${envelope}"`,
    '    xmlns:rasd="http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_ResourceAllocationSettingData"',
    '    xmlns:vssd="http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_VirtualSystemSettingData"',
    '    xmlns:vmw="http://www.vmware.com/schema/ovf">',
    '  <References>',
    `    <File ovf:href="${xmlEscape(o.diskFile)}" ovf:id="file1" ovf:size="${o.diskBytes}"/>`,
    '  </References>',
    '  <DiskSection>',
    '    <Info>Virtual disk information</Info>',
    `    <Disk ovf:capacity="${o.capacity}" ovf:capacityAllocationUnits="byte" ovf:diskId="vmdisk1" ovf:fileRef="file1" ovf:format="${STREAM_OPTIMIZED}"/>`,
    '  </DiskSection>',
    '  <NetworkSection>',
    '    <Info>The logical networks</Info>',
    `    <Network ovf:name="${NETWORK}">`,
    `      <Description>The ${NETWORK} network</Description>`,
    '    </Network>',
    '  </NetworkSection>',
    `  <VirtualSystem ovf:id="${name}">`,
    `    <Info>${xmlEscape(o.description)}</Info>`,
    `    <Name>${name}</Name>`,
    '    <OperatingSystemSection ovf:id="101" vmw:osType="otherLinux64Guest">',
    '      <Info>The guest operating system</Info>',
    '      <Description>Linux 64-bit</Description>',
    '    </OperatingSystemSection>',
    '    <VirtualHardwareSection>',
    '      <Info>Virtual hardware requirements</Info>',
    '      <System>',
    '        <vssd:ElementName>Virtual Hardware Family</vssd:ElementName>',
    '        <vssd:InstanceID>0</vssd:InstanceID>',
    `        <vssd:VirtualSystemIdentifier>${name}</vssd:VirtualSystemIdentifier>`,
    `        <vssd:VirtualSystemType>${c.hardware}</vssd:VirtualSystemType>`,
    '      </System>',
    item({ AllocationUnits: 'hertz * 10^6', Description: 'Number of virtual CPUs', ElementName: `${o.cpus} virtual CPU(s)`, InstanceID: 1, ResourceType: 3, VirtualQuantity: o.cpus }),
    item({ AllocationUnits: 'byte * 2^20', Description: 'Memory size', ElementName: `${o.memoryMiB} MB of memory`, InstanceID: 2, ResourceType: 4, VirtualQuantity: o.memoryMiB }),
    item({ Address: 0, Description: c.description, ElementName: c.element, InstanceID: 3, ResourceSubType: c.subType, ResourceType: c.resourceType }),
    item({ AddressOnParent: 0, ElementName: 'disk0', HostResource: 'ovf:/disk/vmdisk1', InstanceID: 4, Parent: 3, ResourceType: 17 }),
    item({
      AddressOnParent: 0,
      AutomaticAllocation: 'true',
      Connection: NETWORK,
      Description: 'VMXNET3 network adapter',
      ElementName: 'ethernet0',
      InstanceID: 5,
      ResourceSubType: 'VmxNet3',
      ResourceType: 10,
    }),
    ...(o.firmware === 'efi' ? ['      <vmw:Config ovf:required="false" vmw:key="firmware" vmw:value="efi"/>'] : []),
    '    </VirtualHardwareSection>',
    '  </VirtualSystem>',
    '</Envelope>',
    '',
  ].join('\n');
}

/** The OVA manifest: one `SHA256(file)= hex` line per file it covers. */
export function renderManifest(files: readonly { name: string; sha256: string }[]): string {
  return files.map((f) => `SHA256(${f.name})= ${f.sha256}\n`).join('');
}

export function parseManifest(text: string): Map<string, string> | string {
  const entries = new Map<string, string>();
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const m = /^SHA256\(([^()]+)\)= ([0-9a-f]{64})$/.exec(line);
    if (!m) return `manifest line ${JSON.stringify(line.slice(0, 80))} is not SHA256(file)= hex`;
    entries.set(m[1] ?? '', m[2] ?? '');
  }
  return entries;
}

/** XPath queries (namespace-agnostic) for what a shipped descriptor must say, read with `xmllint --xpath`. */
const ANY = (name: string) => `*[local-name()='${name}']`;
const DISK_ITEM = `//${ANY('Item')}[${ANY('ResourceType')}='17']`;
export const OVF_QUERIES = {
  href: `string(//${ANY('References')}/${ANY('File')}/@*[local-name()='href'])`,
  size: `string(//${ANY('References')}/${ANY('File')}/@*[local-name()='size'])`,
  capacity: `string(//${ANY('DiskSection')}/${ANY('Disk')}/@*[local-name()='capacity'])`,
  format: `string(//${ANY('DiskSection')}/${ANY('Disk')}/@*[local-name()='format'])`,
  controller: `string(//${ANY('Item')}[${ANY('InstanceID')}=string(${DISK_ITEM}/${ANY('Parent')})]/${ANY('ResourceSubType')})`,
} as const;

export type OvfFacts = Record<keyof typeof OVF_QUERIES, string>;

/** What the descriptor says wrong about the disk it ships, or nothing. */
export function ovfProblems(facts: OvfFacts, expect: { diskFile: string; diskBytes: number; capacity: number; controller: OvfController }): string[] {
  const problems: string[] = [];
  if (facts.href !== expect.diskFile) problems.push(`names disk file ${JSON.stringify(facts.href)}, the OVA ships ${expect.diskFile}`);
  if (facts.size !== String(expect.diskBytes)) problems.push(`gives the disk file ${facts.size || 'no'} bytes, it has ${expect.diskBytes}`);
  if (facts.capacity !== String(expect.capacity)) problems.push(`gives the disk a capacity of ${facts.capacity || 'nothing'}, expected ${expect.capacity}`);
  if (facts.format !== STREAM_OPTIMIZED) problems.push(`disk format is ${JSON.stringify(facts.format)}, not streamOptimized VMDK`);
  const want = OVF_CONTROLLERS[expect.controller].subType;
  if (facts.controller !== want) problems.push(`puts the disk on controller ${JSON.stringify(facts.controller)}, not ${want}`);
  return problems;
}
