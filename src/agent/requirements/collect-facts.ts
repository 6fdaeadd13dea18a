// Collects the facts of this machine from /proc, /sys and node:os, in parallel and without running any program.

import { readFile } from 'node:fs/promises';
import * as nodeOs from 'node:os';
import { join } from 'node:path';
import type { System } from '../../system/system';
import type { Facts } from './facts-types';
import { detectHypervisor } from './hypervisor';
import { canonicalArch } from '../../manifest/requirement-names';

/** The part of node:os the facts fall back on; tests pass their own so fixtures stand for other machines. */
export interface OsProbe {
  machine(): string;
  platform(): string;
  release(): string;
  hostname(): string;
  cpuCount(): number;
  totalmem(): number;
}

export const NODE_OS: OsProbe = {
  machine: () => nodeOs.machine(),
  platform: () => nodeOs.platform(),
  release: () => nodeOs.release(),
  hostname: () => nodeOs.hostname(),
  cpuCount: () => nodeOs.cpus().length,
  totalmem: () => nodeOs.totalmem(),
};

/**
 * Facts of the machine whose /proc and /sys are at system.hostPaths. Costs a handful of small reads
 * (well under a millisecond); systeminformation is not used because it spawns shells for the same data.
 */
export async function collectFacts(system: System, os: OsProbe = NODE_OS): Promise<Facts> {
  const { proc, sys } = system.hostPaths;
  const [osrelease, hostname, online, meminfo, cpuinfo, hvType, sysVendor, productName, clocksources] = await Promise.all([
    readText(join(proc, 'sys/kernel/osrelease')),
    readText(join(proc, 'sys/kernel/hostname')),
    readText(join(sys, 'devices/system/cpu/online')),
    readText(join(proc, 'meminfo')),
    readText(join(proc, 'cpuinfo')),
    readText(join(sys, 'hypervisor/type')),
    readText(join(sys, 'class/dmi/id/sys_vendor')),
    readText(join(sys, 'class/dmi/id/product_name')),
    readText(join(sys, 'devices/system/clocksource/clocksource0/available_clocksource')),
  ]);
  const cpu = parseCpuinfo(cpuinfo ?? '');
  return {
    arch: canonicalArch(os.machine()),
    os: os.platform(),
    kernelRelease: nonEmpty(osrelease) ?? os.release(),
    hostname: nonEmpty(hostname) ?? os.hostname(),
    cpus: countCpuList(online ?? '') ?? Math.max(1, os.cpuCount()),
    memoryBytes: memTotal(meminfo ?? '') ?? os.totalmem(),
    cpuFlags: cpu.flags,
    hypervisor: detectHypervisor({
      ...(hvType !== undefined ? { hypervisorType: hvType } : {}),
      ...(sysVendor !== undefined ? { sysVendor } : {}),
      ...(productName !== undefined ? { productName } : {}),
      x86: cpu.x86,
      hypervisorFlag: cpu.flags.includes('hypervisor'),
      clocksources: (clocksources ?? '').split(/\s+/).filter(Boolean),
    }),
  };
}

/** Number of CPUs in a kernel CPU list such as "0-3,5,7-8"; undefined when the list is unreadable. */
export function countCpuList(list: string): number | undefined {
  const text = list.trim();
  if (!text) return undefined;
  let count = 0;
  for (const part of text.split(',')) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part.trim());
    if (!m) return undefined;
    const from = Number(m[1]);
    const to = m[2] === undefined ? from : Number(m[2]);
    if (to < from) return undefined;
    count += to - from + 1;
  }
  return count;
}

/** MemTotal of /proc/meminfo in bytes (the kernel writes it in KiB, labelled "kB"). */
export function memTotal(meminfo: string): number | undefined {
  const m = /^MemTotal:\s+(\d+)\s*kB/m.exec(meminfo);
  return m ? Number(m[1]) * 1024 : undefined;
}

/** CPU flags of the first CPU: x86 lists them on "flags", arm64 on "Features". */
export function parseCpuinfo(cpuinfo: string): { flags: string[]; x86: boolean } {
  const x86 = /^flags\s*:(.*)$/m.exec(cpuinfo);
  const arm = x86 ? null : /^Features\s*:(.*)$/m.exec(cpuinfo);
  const line = (x86 ?? arm)?.[1] ?? '';
  return { flags: [...new Set(line.trim().split(/\s+/).filter(Boolean))], x86: x86 !== null };
}

function nonEmpty(text: string | undefined): string | undefined {
  const t = text?.trim();
  return t ? t : undefined;
}

// A missing or unreadable file is a fact we do not have, not a failure: containers and odd kernels hide parts of /sys.
async function readText(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch {
    return undefined;
  }
}
