// The names a manifest may list in `platforms`, and the default list when it lists none.

/**
 * Every platform the agent knows. Kept out of the frozen schema so new platforms need no schema version.
 * The agent's registry (src/agent/platforms/registry.ts) is keyed by this type: a name here without a
 * platform there, or the reverse, does not compile.
 */
export const KNOWN_PLATFORMS = [
  'cmdline',
  'nocloud',
  'configdrive',
  'fwcfg',
  'smbios',
  'xen',
  'file',
  'ec2',
  'openstack',
  'gce',
  'azure',
] as const;

export type PlatformName = (typeof KNOWN_PLATFORMS)[number];

/**
 * Channels that stay on this machine. Network metadata services are never probed unless listed,
 * because 169.254.169.254 can be answered by anyone on a foreign network.
 */
export const DEFAULT_PLATFORMS: readonly PlatformName[] = ['cmdline', 'nocloud', 'configdrive', 'fwcfg', 'smbios', 'file'];

export function isKnownPlatform(name: string): name is PlatformName {
  return (KNOWN_PLATFORMS as readonly string[]).includes(name);
}
