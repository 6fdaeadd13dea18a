// PID 1 mode: an ephemeral link-local address so metadata services at 169.254.169.254 are reachable, torn down after.

import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { System } from '../../system/system';
import { findTool } from '../../system/tools';

/** 169.254.169.254 as /proc/net/route prints addresses: a little-endian u32 in hex. */
const METADATA_LE = 0xfea9fea9;
const IP_TIMEOUT_MS = 3000;

export interface EphemeralLink {
  iface: string;
  /** address with prefix, e.g. 169.254.23.41/16 */
  address: string;
  /** removes the address (and downs the interface if it was down); never throws */
  teardown(): Promise<void>;
}

/** Whether some interface already has a route covering 169.254.169.254 (a default route counts). */
export async function metadataRouted(system: System): Promise<boolean> {
  let text: string;
  try {
    text = await readFile(join(system.hostPaths.proc, 'net', 'route'), 'utf8');
  } catch {
    return false;
  }
  for (const line of text.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 8 || f[0] === 'lo') continue;
    const dest = parseInt(f[1] as string, 16);
    const flags = parseInt(f[3] as string, 16);
    const mask = parseInt(f[7] as string, 16);
    if ((flags & 0x1) !== 0 && ((METADATA_LE & mask) >>> 0) === ((dest & mask) >>> 0)) return true;
  }
  return false;
}

/**
 * Brings lo and the first ethernet interface up with a link-local address derived from its MAC
 * (RFC 3927 range 169.254.1.0-169.254.254.255), using the image's `ip` (iproute2 or busybox).
 * Null when the route exists already, or there is no `ip` or no ethernet interface.
 */
export async function bringUpLinkLocal(system: System): Promise<EphemeralLink | null> {
  if (await metadataRouted(system)) return null;
  const ip = await findTool(system, 'ip');
  if (!ip) return null;
  const iface = await firstEthernet(system);
  if (!iface) return null;
  const base = join(system.hostPaths.sys, 'class', 'net', iface);
  const mac = (await readFile(join(base, 'address'), 'utf8').catch(() => '')).trim();
  const wasUp = (parseInt((await readFile(join(base, 'flags'), 'utf8').catch(() => '0x0')).trim(), 16) & 0x1) !== 0;
  const address = `${linkLocalFor(mac)}/16`;
  const run = (args: string[]) => system.exec(ip, args, { timeoutMs: IP_TIMEOUT_MS }).catch(() => ({ code: 1 }));
  await run(['link', 'set', 'lo', 'up']);
  await run(['link', 'set', 'dev', iface, 'up']);
  const added = await run(['addr', 'add', address, 'dev', iface]);
  if (added.code !== 0) {
    if (!wasUp) await run(['link', 'set', 'dev', iface, 'down']);
    return null;
  }
  return {
    iface,
    address,
    async teardown() {
      await run(['addr', 'del', address, 'dev', iface]);
      if (!wasUp) await run(['link', 'set', 'dev', iface, 'down']);
    },
  };
}

/** A stable address per MAC, so two machines on one link rarely collide and reboots reuse it. */
export function linkLocalFor(mac: string): string {
  let h = 2166136261;
  for (const c of mac.toLowerCase()) h = Math.imul(h ^ c.charCodeAt(0), 16777619) >>> 0;
  const third = 1 + (h % 254);
  let fourth = (h >>> 8) % 256;
  if (third === 169 && fourth === 254) fourth = 253;
  return `169.254.${third}.${fourth}`;
}

async function firstEthernet(system: System): Promise<string | null> {
  const dir = join(system.hostPaths.sys, 'class', 'net');
  let names: string[];
  try {
    names = (await readdir(dir)).sort();
  } catch {
    return null;
  }
  for (const name of names) {
    if (name === 'lo') continue;
    const type = (await readFile(join(dir, name, 'type'), 'utf8').catch(() => '')).trim();
    // ARPHRD_ETHER with a backing device: a NIC, not a bridge, veth or tunnel.
    const hasDevice = await readdir(join(dir, name, 'device')).then(() => true, () => false);
    if (type === '1' && hasDevice) return name;
  }
  return null;
}
