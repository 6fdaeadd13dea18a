// Facts about a machine that requirements are checked against (`cloudlet-agent facts --json` prints them).

export interface Facts {
  /** normalized: x86_64, aarch64, armv7l, riscv64, ... */
  arch: string;
  os: string;
  /** as `uname -r` prints it, e.g. 6.1.0-13-amd64 */
  kernelRelease: string;
  hostname: string;
  /** online CPUs */
  cpus: number;
  /** MemTotal of /proc/meminfo: below the RAM the machine was given (docs/requirements.md) */
  memoryBytes: number;
  /** x86 `flags` or arm64 `Features` of /proc/cpuinfo */
  cpuFlags: string[];
  /** kvm, xen, vmware, hyperv, qemu, ... or "none" on bare metal; "unknown" when it cannot be told */
  hypervisor: string;
}
