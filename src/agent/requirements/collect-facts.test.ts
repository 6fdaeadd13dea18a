import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { System } from '../../system/system';
import { collectFacts, countCpuList, memTotal, parseCpuinfo, type OsProbe } from './collect-facts';

// Fixture machines: a temp dir holding proc/ and sys/ trees as the kernel would show them.
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function machine(files: Record<string, string>): System {
  const dir = mkdtempSync(join(tmpdir(), 'cloudlet-facts-'));
  dirs.push(dir);
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  mkdirSync(join(dir, 'proc'), { recursive: true });
  mkdirSync(join(dir, 'sys'), { recursive: true });
  return { hostPaths: { proc: join(dir, 'proc'), sys: join(dir, 'sys'), dev: join(dir, 'dev'), run: join(dir, 'run') } } as System;
}

// What node:os would say on the fixture machine; the "fallback-" values show when a fallback was taken.
function osOf(machineName: string): OsProbe {
  return {
    machine: () => machineName,
    platform: () => 'linux',
    release: () => 'fallback-release',
    hostname: () => 'fallback-host',
    cpuCount: () => 64,
    totalmem: () => 42,
  };
}

const X86_FLAGS = 'fpu vme de pse tsc msr pae mce cx8 apic sep mtrr pge mca cmov pat sse sse2 ht syscall nx lm constant_tsc sse4_1 sse4_2 popcnt aes avx avx2';
const x86Cpuinfo = (flags: string) =>
  ['processor\t: 0', 'vendor_id\t: GenuineIntel', 'model name\t: Intel Xeon', `flags\t\t: ${flags}`, '', 'processor\t: 1', `flags\t\t: ${flags}`, ''].join('\n');
const meminfo = (kb: number) => `MemTotal:       ${kb} kB\nMemFree:        1000 kB\n`;

describe('collectFacts', () => {
  it('reads an x86_64 KVM guest (QEMU DMI, kvm-clock offered)', async () => {
    const system = machine({
      'proc/sys/kernel/osrelease': '6.1.0-13-amd64\n',
      'proc/sys/kernel/hostname': 'web-1\n',
      'proc/meminfo': meminfo(2014580),
      'proc/cpuinfo': x86Cpuinfo(`${X86_FLAGS} hypervisor`),
      'sys/devices/system/cpu/online': '0-1\n',
      'sys/class/dmi/id/sys_vendor': 'QEMU\n',
      'sys/class/dmi/id/product_name': 'Standard PC (i440FX + PIIX, 1996)\n',
      'sys/devices/system/clocksource/clocksource0/available_clocksource': 'kvm-clock tsc acpi_pm \n',
    });
    const facts = await collectFacts(system, osOf('x86_64'));
    expect(facts).toEqual({
      arch: 'x86_64',
      os: 'linux',
      kernelRelease: '6.1.0-13-amd64',
      hostname: 'web-1',
      cpus: 2,
      memoryBytes: 2014580 * 1024,
      cpuFlags: [...X86_FLAGS.split(' '), 'hypervisor'],
      hypervisor: 'kvm',
    });
  });

  it('tells a QEMU guest under TCG emulation (no kvm-clock) from a KVM one', async () => {
    const system = machine({
      'proc/cpuinfo': x86Cpuinfo(`${X86_FLAGS} hypervisor`),
      'sys/class/dmi/id/sys_vendor': 'QEMU\n',
      'sys/devices/system/clocksource/clocksource0/available_clocksource': 'tsc acpi_pm \n',
    });
    expect((await collectFacts(system, osOf('x86_64'))).hypervisor).toBe('qemu');
  });

  it('reads a Xen HVM guest', async () => {
    const system = machine({
      'proc/sys/kernel/osrelease': '4.14.336-257.562.amzn2.x86_64\n',
      'proc/meminfo': meminfo(3980000),
      'proc/cpuinfo': x86Cpuinfo(`${X86_FLAGS} hypervisor`),
      'sys/devices/system/cpu/online': '0-3\n',
      'sys/hypervisor/type': 'xen\n',
      'sys/class/dmi/id/sys_vendor': 'Xen\n',
      'sys/class/dmi/id/product_name': 'HVM domU\n',
      'sys/devices/system/clocksource/clocksource0/available_clocksource': 'xen tsc hpet acpi_pm \n',
    });
    const facts = await collectFacts(system, osOf('x86_64'));
    expect(facts).toMatchObject({ hypervisor: 'xen', cpus: 4, kernelRelease: '4.14.336-257.562.amzn2.x86_64', memoryBytes: 3980000 * 1024 });
  });

  it('reads an aarch64 EC2 (Nitro) guest: arm64 Features are its flags', async () => {
    const system = machine({
      'proc/sys/kernel/osrelease': '6.1.0-13-cloud-arm64\n',
      'proc/meminfo': meminfo(3943000),
      'proc/cpuinfo': 'processor\t: 0\nBogoMIPS\t: 243.75\nFeatures\t: fp asimd evtstrm aes pmull sha1 sha2 crc32 atomics fphp asimdhp cpuid asimdrdm lrcpc dcpop asimddp ssbs\nCPU implementer\t: 0x41\n',
      'sys/devices/system/cpu/online': '0-1,3\n',
      'sys/class/dmi/id/sys_vendor': 'Amazon EC2\n',
      'sys/class/dmi/id/product_name': 'm6g.large\n',
      'sys/devices/system/clocksource/clocksource0/available_clocksource': 'arch_sys_counter \n',
    });
    const facts = await collectFacts(system, osOf('aarch64'));
    expect(facts).toMatchObject({ arch: 'aarch64', cpus: 3, hypervisor: 'kvm', kernelRelease: '6.1.0-13-cloud-arm64' });
    expect(facts.cpuFlags).toContain('atomics');
    expect(facts.cpuFlags).toHaveLength(17);
  });

  it('reads a real QEMU TCG guest (files captured from a Debian 6.1 cloud kernel booted with -m 512 -smp 2)', async () => {
    const fixture = join(__dirname, 'testdata', 'qemu-tcg-512m');
    const system = { hostPaths: { proc: join(fixture, 'proc'), sys: join(fixture, 'sys'), dev: '/nonexistent', run: '/nonexistent' } } as System;
    const facts = await collectFacts(system, osOf('x86_64'));
    expect(facts).toMatchObject({ kernelRelease: '6.1.0-56-cloud-amd64', cpus: 2, memoryBytes: 481052 * 1024, hypervisor: 'qemu' });
    expect(facts.cpuFlags).toEqual(expect.arrayContaining(['hypervisor', 'sse2', 'lm']));
  });

  it('reads bare-metal x86: no hypervisor flag means none, whatever the vendor', async () => {
    const system = machine({
      'proc/cpuinfo': x86Cpuinfo(X86_FLAGS),
      'sys/devices/system/cpu/online': '0-15\n',
      'sys/class/dmi/id/sys_vendor': 'Dell Inc.\n',
      'sys/class/dmi/id/product_name': 'PowerEdge R640\n',
      'sys/devices/system/clocksource/clocksource0/available_clocksource': 'tsc hpet acpi_pm \n',
    });
    expect(await collectFacts(system, osOf('x86_64'))).toMatchObject({ hypervisor: 'none', cpus: 16 });
  });

  it('falls back on node:os when /proc and /sys show nothing, and then cannot name a hypervisor', async () => {
    const facts = await collectFacts(machine({}), osOf('amd64'));
    expect(facts).toEqual({
      arch: 'x86_64',
      os: 'linux',
      kernelRelease: 'fallback-release',
      hostname: 'fallback-host',
      cpus: 64,
      memoryBytes: 42,
      cpuFlags: [],
      hypervisor: 'unknown',
    });
  });

  it('reads this machine without failing (the real /proc and /sys)', async () => {
    const facts = await collectFacts({ hostPaths: { proc: '/proc', sys: '/sys', dev: '/dev', run: '/run' } } as System);
    expect(facts.os).toBe('linux');
    expect(facts.cpus).toBeGreaterThan(0);
    expect(facts.memoryBytes).toBeGreaterThan(0);
  });
});

describe('parsers', () => {
  it.each([
    ['0', 1],
    ['0-3', 4],
    ['0-3,5,7-8\n', 7],
  ])('counts CPU list %j as %i', (list, n) => expect(countCpuList(list)).toBe(n));

  it.each(['', 'x', '3-1', '0-'])('refuses CPU list %j', (list) => expect(countCpuList(list)).toBeUndefined());

  it('reads MemTotal in bytes, and nothing from a meminfo without it', () => {
    expect(memTotal(meminfo(1024))).toBe(1024 * 1024);
    expect(memTotal('MemFree: 10 kB\n')).toBeUndefined();
  });

  it('marks cpuinfo without a flags line as not x86', () => {
    expect(parseCpuinfo('processor : 0\nisa : rv64imafdc\n')).toEqual({ flags: [], x86: false });
  });
});
