// Canonical names of architectures and hypervisors, so that the spellings operators use compare equal.

// Each group is one architecture; the first name is the canonical one (what `uname -m` prints on Linux).
const ARCH_GROUPS: readonly (readonly string[])[] = [
  ['x86_64', 'amd64', 'x64', 'x86-64'],
  ['aarch64', 'arm64'],
  ['i686', 'i386', 'i486', 'i586', 'x86', 'ia32'],
  ['armv7l', 'armv7', 'armhf'],
  ['ppc64le', 'ppc64el'],
  ['riscv64'],
  ['s390x'],
  ['loongarch64', 'loong64'],
];

const HYPERVISOR_ALIASES: Readonly<Record<string, string>> = {
  kvm: 'kvm',
  nitro: 'kvm',
  qemu: 'qemu',
  tcg: 'qemu',
  xen: 'xen',
  vmware: 'vmware',
  hyperv: 'hyperv',
  'hyper-v': 'hyperv',
  virtualbox: 'virtualbox',
  none: 'none',
  'bare-metal': 'none',
  metal: 'none',
  unknown: 'unknown',
};

/** The canonical architecture name; names outside every group come back lower-cased as they are. */
export function canonicalArch(name: string): string {
  const n = name.trim().toLowerCase();
  const group = ARCH_GROUPS.find((g) => g.includes(n));
  return group?.[0] ?? n;
}

/** Whether `name` is a hypervisor the requirement readers can detect (any spelling of one). */
export function isKnownHypervisor(name: string): boolean {
  return Object.hasOwn(HYPERVISOR_ALIASES, name.trim().toLowerCase());
}

/** The names a manifest may write, for messages. */
export const HYPERVISOR_NAMES: readonly string[] = Object.keys(HYPERVISOR_ALIASES);

/** The canonical hypervisor name; unknown spellings come back lower-cased as they are. */
export function canonicalHypervisor(name: string): string {
  const n = name.trim().toLowerCase();
  return HYPERVISOR_ALIASES[n] ?? n;
}
