// Facts about a machine that requirements are checked against (`cloudlet-agent facts --json` prints them).

export interface Facts {
  /** normalized: x86_64, aarch64, armv7l, riscv64, ... */
  arch: string;
  os: string;
  /** as `uname -r` prints it, e.g. 6.1.0-13-amd64 */
  kernelRelease: string;
  hostname: string;
  cpus: number;
  memoryBytes: number;
  cpuFlags: string[];
  /** kvm, xen, vmware, hyperv, qemu, ... or "none" on bare metal; "unknown" when it cannot be told */
  hypervisor: string;
}
