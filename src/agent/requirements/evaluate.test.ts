import { describe, expect, it } from 'vitest';
import { AgentError } from '../../errors';
import type { Requirements } from '../../manifest/types';
import { evaluateRequirements, requirementProblems } from './evaluate';
import type { Facts } from './facts-types';
import type { ImageProbes } from './probe-image';

const MiB = 1024 ** 2;
const facts: Facts = {
  arch: 'x86_64',
  os: 'linux',
  kernelRelease: '6.1.0-13-amd64',
  hostname: 'web-1',
  cpus: 2,
  memoryBytes: 478 * MiB,
  cpuFlags: ['sse4_2', 'aes', 'avx2', 'hypervisor'],
  hypervisor: 'kvm',
};
const noProbes: ImageProbes = { commands: {}, files: {} };

function one(requires: Requirements, f: Partial<Facts> = {}, probes = noProbes) {
  const rows = evaluateRequirements(requires, { ...facts, ...f }, probes);
  expect(rows).toHaveLength(1);
  return rows[0]!;
}

describe('arch', () => {
  it.each([
    ['amd64', 'x86_64'],
    ['x64', 'x86_64'],
    ['X86_64', 'x86_64'],
    ['arm64', 'aarch64'],
    ['aarch64', 'aarch64'],
    ['i386', 'i686'],
    ['x86', 'i686'],
  ])('accepts %s on a %s machine (one architecture, two spellings)', (wanted, arch) => {
    expect(one({ arch: wanted }, { arch }).ok).toBe(true);
  });

  it('refuses arm64 on x86_64 and says both', () => {
    expect(one({ arch: ['arm64', 'riscv64'] })).toEqual({ key: 'arch', required: 'arm64 or riscv64', detected: 'x86_64', ok: false });
  });

  it('accepts any one of a list', () => {
    expect(one({ arch: ['arm64', 'amd64'] }).ok).toBe(true);
  });
});

describe('kernel', () => {
  // [release, range, met]: the rule of docs/requirements.md, case by case.
  const CASES: Array<[string, string, boolean]> = [
    ['6.1.0-13-amd64', '>=4.19', true],
    ['6.1.0-13-amd64', '>=6.2', false],
    ['5.15.0-1051-aws', '^5.15', true],
    ['5.15.0-1051-aws', '5.15.x', true],
    ['2.6.32-754.el6.x86_64', '>=3.10', false],
    ['3.10.0-1160.el7.x86_64', '>=3.10 <4', true],
    ['4.19', '4.19', true],
    ['6.6.30-gentoo', '>=6.6.30', true],
    ['5.10.0+', '~5.10.0', true],
    ['4.4.0-19041-Microsoft', '>=5', false],
    // A release candidate of 6.8 is a pre-release of 6.8.0: ranges written as MAJOR.MINOR take it in,
    // ranges that spell out 6.8.0 ask for the final release.
    ['6.8.0-rc3', '>=6.7', true],
    ['6.8.0-rc3', '>=6.8', true],
    ['6.8.0-rc3', '6.8.x', true],
    ['6.8.0-rc3', '^6.8', true],
    ['6.8.0-rc3', '>=6.8.0', false],
    ['6.8.0-rc3', '~6.8.0', false],
    ['6.8.0-rc3', '<6.8.0', true],
    ['6.8.0-rc3', '<6.8', false],
    ['6.8.0-rc3', '>=6.8.0-rc.1', true],
    ['6.8.0-rc3', '>=6.8.0-rc.4', false],
    ['6.10.0-rc10', '>=6.10.0-rc.9', true],
    // Fedora numbers a candidate's package release 0.rcN: the same pre-release of 6.8.0.
    ['6.8.0-0.rc3.31.fc41.x86_64', '>=6.7', true],
    ['6.8.0-0.rc3.31.fc41.x86_64', '>=6.8.0', false],
    ['6.8.0-0.rc3.31.fc41.x86_64', '>=6.8', true],
    ['6.9.0-rc7+', '>=6.9.0', false],
    ['6.8.0-31-generic', '>=6.8.0', true],
    ['6.1.0-13-amd64', '>=6.1.0', true],
    ['6.8.9-arch1-1', '>=6.8.9', true],
    ['5.14.0-427.13.1.el9_4.x86_64', '>=5.14.0', true],
  ];
  it.each(CASES)('%s against %s -> %s', (kernelRelease, range, ok) => {
    expect(one({ kernel: range }, { kernelRelease }).ok).toBe(ok);
  });

  it('shows the release and the version it was read as', () => {
    expect(one({ kernel: '>=4.19' }).detected).toBe('6.1.0-13-amd64 (6.1.0)');
  });

  it('fails, and says why, on a release with no version in it', () => {
    expect(one({ kernel: '>=4.19' }, { kernelRelease: 'custom' })).toMatchObject({ ok: false, detected: 'custom (no MAJOR.MINOR version in it)' });
  });
});

describe('memory', () => {
  it.each([
    // a 512 MiB guest shows about 478 MiB MemTotal and must meet "512M"
    ['512M', 478, true],
    ['512M', 448, true],
    ['512M', 447, false],
    ['2G', 1950, true],
    ['2G', 1500, false],
    ['1.5G', 1400, true],
    ['8G', 7680, true], // an 8 GiB EC2 instance shows about 7.6 GiB
    ['4G', 2048, false],
    ['128M', 64, true],
    ['64M', 32, true],
    ['64M', 31, false], // never below half of the requirement
    ['1024K', 1, true], // 1024K is 1 MiB
    ['2M', 1, true],
    ['1073741824', 960, true],
  ])('"%s" with %i MiB MemTotal -> %s', (size, memMiB, ok) => {
    expect(one({ memory: size }, { memoryBytes: memMiB * MiB }).ok).toBe(ok);
  });

  it('states the threshold it applied and the MemTotal it saw', () => {
    expect(one({ memory: '512M' })).toEqual({ key: 'memory', required: '512M (MemTotal at least 448 MiB)', detected: '478 MiB MemTotal', ok: true });
  });
});

describe('the other keys', () => {
  it('compares os without regard to case', () => {
    expect(one({ os: 'Linux' }).ok).toBe(true);
    expect(one({ os: 'freebsd' }).ok).toBe(false);
  });

  it('needs at least the number of cpus', () => {
    expect(one({ cpus: 2 }).ok).toBe(true);
    expect(one({ cpus: 4 })).toEqual({ key: 'cpus', required: 'at least 4', detected: '2', ok: false });
  });

  it('needs every cpu flag and names the missing ones', () => {
    expect(one({ cpuFlags: ['aes', 'AVX2'] })).toMatchObject({ ok: true, detected: 'all present' });
    expect(one({ cpuFlags: ['aes', 'avx512f', 'sha_ni'] })).toMatchObject({ ok: false, detected: 'lacks avx512f sha_ni' });
  });

  it('accepts one hypervisor of a list, with aliases', () => {
    expect(one({ hypervisor: ['xen', 'kvm'] }).ok).toBe(true);
    expect(one({ hypervisor: 'nitro' }).ok).toBe(true);
    expect(one({ hypervisor: 'Hyper-V' }, { hypervisor: 'hyperv' }).ok).toBe(true);
    expect(one({ hypervisor: 'kvm' }, { hypervisor: 'qemu' }).ok).toBe(false);
    expect(one({ hypervisor: 'none' }, { hypervisor: 'unknown' }).ok).toBe(false);
  });

  it('makes one row per command and per file from the image probes', () => {
    const probes: ImageProbes = {
      commands: { app: { found: '/usr/bin/app' }, nope: { missing: true } },
      files: { '/etc/app.conf': { present: true }, '/etc/gone': { missing: true } },
    };
    const rows = evaluateRequirements({ commands: ['app', 'nope'], files: ['/etc/app.conf', '/etc/gone'] }, facts, probes);
    expect(rows).toEqual([
      { key: 'commands', required: 'app', detected: '/usr/bin/app', ok: true },
      { key: 'commands', required: 'nope', detected: 'not found on the image PATH', ok: false },
      { key: 'files', required: '/etc/app.conf', detected: 'present', ok: true },
      { key: 'files', required: '/etc/gone', detected: 'missing', ok: false },
    ]);
  });

  it('orders rows by key, whatever the order in the manifest', () => {
    const rows = evaluateRequirements({ hypervisor: 'kvm', cpus: 1, arch: 'amd64', kernel: '>=4', os: 'linux', memory: '256M' }, facts, noProbes);
    expect(rows.map((r) => r.key)).toEqual(['arch', 'os', 'kernel', 'memory', 'cpus', 'hypervisor']);
  });

  it('makes no rows for no requirements', () => {
    expect(evaluateRequirements({}, facts, noProbes)).toEqual([]);
  });
});

describe('values that cannot be checked', () => {
  it('refuses a kernel range semver cannot read and a memory size that is not one, all at once', () => {
    expect(requirementProblems({ kernel: 'newer than 5', memory: 'lots' }).map((p) => p.path)).toEqual(['/kernel', '/memory']);
    let error: unknown;
    try {
      evaluateRequirements({ kernel: 'newer than 5', memory: 'lots' }, facts, noProbes, '/entrypoints/init/requires');
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(AgentError);
    expect(error).toMatchObject({ code: 'E_MANIFEST_INVALID' });
    expect((error as AgentError).problems.map((p) => p.path)).toEqual(['/entrypoints/init/requires/kernel', '/entrypoints/init/requires/memory']);
  });
});
