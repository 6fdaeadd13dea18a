import { describe, expect, it } from 'vitest';
import { detectHypervisor, type HypervisorClues } from './hypervisor';

const x86Guest: HypervisorClues = { x86: true, hypervisorFlag: true, clocksources: ['tsc'] };

// Each row is a machine as seen from inside: the DMI strings and clocksources its platform really shows.
const CASES: Array<[string, Partial<HypervisorClues>, string]> = [
  ['QEMU with KVM acceleration', { sysVendor: 'QEMU', productName: 'Standard PC (Q35 + ICH9, 2009)', clocksources: ['kvm-clock', 'tsc'] }, 'kvm'],
  ['QEMU under TCG', { sysVendor: 'QEMU', productName: 'Standard PC (i440FX + PIIX, 1996)' }, 'qemu'],
  ['old Bochs-branded QEMU with KVM', { sysVendor: 'Bochs', productName: 'Bochs', clocksources: ['kvm-clock'] }, 'kvm'],
  ['EC2 Nitro instance', { sysVendor: 'Amazon EC2', productName: 't3.micro', clocksources: ['kvm-clock', 'tsc'] }, 'kvm'],
  ['EC2 Xen instance', { hypervisorType: 'xen', sysVendor: 'Xen', productName: 'HVM domU', clocksources: ['xen', 'tsc'] }, 'xen'],
  ['Xen HVM guest whose /sys/hypervisor is missing', { sysVendor: 'Xen', productName: 'HVM domU' }, 'xen'],
  ['Xen PV guest (no DMI)', { hypervisorType: 'xen\n' }, 'xen'],
  ['VMware', { sysVendor: 'VMware, Inc.', productName: 'VMware7,1' }, 'vmware'],
  ['Hyper-V / Azure', { sysVendor: 'Microsoft Corporation', productName: 'Virtual Machine', clocksources: ['hyperv_clocksource_tsc_page', 'tsc'] }, 'hyperv'],
  ['Google Compute Engine', { sysVendor: 'Google', productName: 'Google Compute Engine', clocksources: ['kvm-clock', 'tsc'] }, 'kvm'],
  ['VirtualBox', { sysVendor: 'innotek GmbH', productName: 'VirtualBox' }, 'virtualbox'],
  ['OpenStack Nova on KVM (vendor renamed)', { sysVendor: 'OpenStack Foundation', productName: 'OpenStack Nova', clocksources: ['kvm-clock', 'tsc'] }, 'kvm'],
  ['Firecracker (no DMI)', { clocksources: ['tsc', 'kvm-clock'] }, 'kvm'],
  ['Hyper-V without DMI', { clocksources: ['hyperv_clocksource_tsc_page'] }, 'hyperv'],
  ['a hypervisor that names nothing', {}, 'unknown'],
  ['EC2 bare metal (no hypervisor flag)', { hypervisorFlag: false, sysVendor: 'Amazon EC2', productName: 'm5.metal' }, 'none'],
  ['a Surface laptop is not Hyper-V', { hypervisorFlag: false, sysVendor: 'Microsoft Corporation', productName: 'Surface Laptop 5' }, 'none'],
  ['arm64 QEMU virt (KVM cannot be told from TCG here)', { x86: false, hypervisorFlag: false, sysVendor: 'QEMU', productName: 'KVM Virtual Machine', clocksources: ['arch_sys_counter'] }, 'qemu'],
  ['arm64 Graviton metal', { x86: false, hypervisorFlag: false, sysVendor: 'Amazon EC2', productName: 'm6g.metal', clocksources: ['arch_sys_counter'] }, 'none'],
  ['arm64 server with a hardware vendor', { x86: false, hypervisorFlag: false, sysVendor: 'Ampere(TM)', clocksources: ['arch_sys_counter'] }, 'none'],
  ['arm64 board without DMI', { x86: false, hypervisorFlag: false, clocksources: ['arch_sys_counter'] }, 'unknown'],
];

describe('detectHypervisor', () => {
  it.each(CASES)('%s -> %s', (_name, clues, expected) => {
    expect(detectHypervisor({ ...x86Guest, ...clues })).toBe(expected);
  });
});
