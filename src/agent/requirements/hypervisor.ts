// Tells the hypervisor a machine runs under from what /proc and /sys show, without running any program.

/** What the guest can see of its host; every field is what the file holds, or undefined when it is absent. */
export interface HypervisorClues {
  /** <sys>/hypervisor/type: "xen" in Xen guests (PV and HVM) */
  hypervisorType?: string;
  /** the `flags` line of /proc/cpuinfo exists (x86), so the absence of the `hypervisor` flag means something */
  x86: boolean;
  /** the x86 `hypervisor` CPUID bit, set by every hypervisor that does not hide itself */
  hypervisorFlag: boolean;
  /** <sys>/class/dmi/id/sys_vendor and product_name */
  sysVendor?: string;
  productName?: string;
  /** <sys>/devices/system/clocksource/clocksource0/available_clocksource, split */
  clocksources: readonly string[];
}

/**
 * kvm, qemu, xen, vmware, hyperv, virtualbox, none or unknown. The order matters:
 * 1. <sys>/hypervisor/type "xen" -> xen (PV guests have no DMI at all);
 * 2. x86 without the `hypervisor` flag -> none (bare metal, including EC2 *.metal);
 * 3. DMI vendor and product -> the product's hypervisor; QEMU machines are kvm when the kvm-clock
 *    clocksource is offered (KVM acceleration) and qemu when not (TCG emulation);
 * 4. paravirtual clocksources: kvm-clock -> kvm, xen -> xen, hyperv_clocksource_* -> hyperv
 *    (Firecracker, cloud-hypervisor and clouds that rename their DMI vendor);
 * 5. otherwise: unknown on x86 (the flag says "virtual" but not which), none when DMI names a
 *    hardware vendor on other architectures, unknown when there is nothing to go on.
 */
export function detectHypervisor(clues: HypervisorClues): string {
  if (clues.hypervisorType?.trim().toLowerCase() === 'xen') return 'xen';
  if (clues.x86 && !clues.hypervisorFlag) return 'none';
  const kvmClock = clues.clocksources.includes('kvm-clock');
  const fromDmi = dmiHypervisor(clues.sysVendor ?? '', clues.productName ?? '', kvmClock);
  if (fromDmi) return fromDmi;
  if (kvmClock) return 'kvm';
  if (clues.clocksources.includes('xen')) return 'xen';
  if (clues.clocksources.some((c) => c.startsWith('hyperv_clocksource'))) return 'hyperv';
  if (clues.x86) return 'unknown';
  return clues.sysVendor?.trim() ? 'none' : 'unknown';
}

function dmiHypervisor(sysVendorRaw: string, productRaw: string, kvmClock: boolean): string | undefined {
  const vendor = sysVendorRaw.trim().toLowerCase();
  const product = productRaw.trim().toLowerCase();
  if (vendor === 'qemu' || vendor.startsWith('bochs') || product.startsWith('bochs')) return kvmClock ? 'kvm' : 'qemu';
  // Nitro instances are KVM guests; *.metal instances of the same vendor are bare metal.
  if (vendor === 'amazon ec2') return product.endsWith('.metal') ? 'none' : 'kvm';
  if (vendor === 'xen' || product === 'hvm domu') return 'xen';
  if (vendor.startsWith('vmware') || product.startsWith('vmware')) return 'vmware';
  if (vendor === 'microsoft corporation' && product === 'virtual machine') return 'hyperv';
  if (vendor === 'google' || product === 'google compute engine') return 'kvm';
  if (vendor === 'innotek gmbh' || product === 'virtualbox') return 'virtualbox';
  if (product === 'kvm' || product.startsWith('kvm ')) return 'kvm';
  return undefined;
}
