// Blackbox: `check` and `facts` of the built executable against temporary images and facts files.

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeImage, runAgent, tempDir } from './harness';

const cleanups: Array<() => void> = [];
afterAll(() => {
  for (const c of cleanups.splice(0)) c();
});

// A KVM guest with 2 cpus, 1.9 GiB MemTotal and Debian 12's kernel: the machine a deploy targets.
const TARGET = {
  arch: 'x86_64',
  os: 'linux',
  kernelRelease: '6.1.0-13-amd64',
  hostname: 'target-1',
  cpus: 2,
  memoryBytes: 2063130624,
  cpuFlags: ['sse4_2', 'aes', 'avx2', 'hypervisor'],
  hypervisor: 'kvm',
};

const REQUIRES = {
  arch: ['amd64', 'arm64'],
  os: 'linux',
  kernel: '>=4.19',
  memory: '2G',
  cpus: 2,
  cpuFlags: ['aes', 'avx2'],
  hypervisor: ['kvm', 'xen'],
  commands: ['app'],
  files: ['/etc/app.conf'],
};

function image(entrypoints: Record<string, unknown>, tree: Record<string, string | { content: string; mode: number }> = {}): string {
  const img = makeImage(
    { cloudlet: '0.0.4', name: 'shop', version: '2.0.0', entrypoints },
    { '/usr/bin/app': { content: '#!/bin/sh\n', mode: 0o755 }, '/etc/app.conf': 'x\n', ...tree },
  );
  cleanups.push(img.cleanup);
  return img.root;
}

function factsFile(content: unknown): string {
  const { dir, cleanup } = tempDir('cloudlet-facts-file-');
  cleanups.push(cleanup);
  const file = join(dir, 'facts.json');
  writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  return file;
}

describe('check --facts', () => {
  it('exits 0 and prints one met row per requirement when the machine meets them all', () => {
    const root = image({ init: { requires: REQUIRES } });
    const r = runAgent(['check', '--root', root, '--facts', factsFile(TARGET)]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Requirements of entry point init of image shop 2.0.0, against the facts in');
    expect(r.stdout).toMatch(/^\s+commands\s+app\s+\/usr\/bin\/app\s+yes$/m);
    expect(r.stdout).toMatch(/^\s+kernel\s+>=4\.19\s+6\.1\.0-13-amd64 \(6\.1\.0\)\s+yes$/m);
    expect(r.stdout).toContain('All 9 requirements met.');
  });

  it('exits 3 and marks the arch row when the machine is arm64', () => {
    const root = image({ init: { requires: { arch: 'x86_64', os: 'linux' } } });
    const r = runAgent(['check', '--root', root, '--facts', factsFile({ ...TARGET, arch: 'aarch64' })]);
    expect(r.code).toBe(3);
    expect(r.stdout).toMatch(/^\s+arch\s+x86_64\s+aarch64\s+NO$/m);
    expect(r.stdout).toMatch(/^\s+os\s+linux\s+linux\s+yes$/m);
    expect(r.stdout).toContain('1 of 2 requirements not met.');
  });

  it('exits 3 when the kernel is too old (WSL 1 reports 4.4.0-19041-Microsoft)', () => {
    const root = image({ init: { requires: { kernel: '>=4.19' } } });
    const r = runAgent(['check', '--root', root, '--facts', factsFile({ ...TARGET, kernelRelease: '4.4.0-19041-Microsoft' }), '--json']);
    expect(r.code).toBe(3);
    expect(JSON.parse(r.stdout).rows).toEqual([{ key: 'kernel', required: '>=4.19', detected: '4.4.0-19041-Microsoft (4.4.0)', ok: false }]);
  });

  it('still looks for commands and files in the image under --root', () => {
    const root = image({ chroot: { command: ['/usr/bin/app'], requires: { commands: ['app', 'ghost'], files: ['/etc/missing'] } } });
    const r = runAgent(['check', '--root', root, '--facts', factsFile(TARGET), '--json']);
    expect(r.code).toBe(3);
    expect(JSON.parse(r.stdout).rows.map((row: { required: string; ok: boolean }) => [row.required, row.ok])).toEqual([
      ['app', true],
      ['ghost', false],
      ['/etc/missing', false],
    ]);
  });

  it('prints the JSON shape scripts rely on', () => {
    const root = image({ init: { requires: { cpus: 1, memory: '512M' } } });
    const file = factsFile(TARGET);
    const r = runAgent(['check', '--root', root, '--facts', file, '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({
      entrypoint: 'init',
      image: { name: 'shop', version: '2.0.0' },
      factsFrom: file,
      met: true,
      rows: [
        { key: 'memory', required: '512M (MemTotal at least 448 MiB)', detected: '1.9 GiB MemTotal', ok: true },
        { key: 'cpus', required: 'at least 1', detected: '2', ok: true },
      ],
      facts: TARGET,
    });
  });
});

describe('check: invalid input exits 2', () => {
  it('names every problem of a facts file with its JSON path', () => {
    const root = image({ init: { requires: { os: 'linux' } } });
    const { hypervisor: _gone, ...rest } = TARGET;
    const r = runAgent(['check', '--root', root, '--facts', factsFile({ ...rest, cpus: 'two' })]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('error E_FACTS_INVALID: the facts file has 2 problems');
    expect(r.stderr).toContain('- /cpus: must be a whole number of at least 1');
    expect(r.stderr).toContain('- /hypervisor: is required');
    expect(r.stderr).toContain('cloudlet-agent facts --json');
  });

  it('refuses a facts file that is not JSON, and one that does not exist', () => {
    const root = image({ init: {} });
    const bad = runAgent(['check', '--root', root, '--facts', factsFile('{"arch": "x86_64",')]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('E_FACTS_INVALID');
    const gone = runAgent(['check', '--root', root, '--facts', '/nonexistent/facts.json']);
    expect(gone.code).toBe(2);
    expect(gone.stderr).toContain('cannot read the facts file');
  });

  it('refuses an invalid manifest, and reports it first when the facts file is bad too', () => {
    const root = image({ init: { requires: { kernal: '>=5' } } });
    const r = runAgent(['check', '--root', root, '--facts', factsFile(TARGET)]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('E_MANIFEST_INVALID');
    expect(r.stderr).toContain('/entrypoints/init/requires/kernal');
    const both = runAgent(['check', '--root', root, '--facts', factsFile('{}')]);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('E_MANIFEST_INVALID');
    expect(both.stderr).not.toContain('E_FACTS_INVALID');
  });

  it('refuses an entry point the image does not offer, and one that does not exist', () => {
    const root = image({ init: {} });
    const missing = runAgent(['check', '--root', root, '--entrypoint', 'kernel', '--facts', factsFile(TARGET)]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('E_ENTRYPOINT_MISSING');
    const unknown = runAgent(['check', '--root', root, '--entrypoint', 'bios']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('E_USAGE');
  });

  it('puts the error in JSON on stdout with --json', () => {
    const root = image({ init: {} });
    const r = runAgent(['check', '--root', root, '--facts', factsFile('[]'), '--json']);
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stdout).error.code).toBe('E_FACTS_INVALID');
  });
});

describe('check: entry points', () => {
  it('checks chroot when the image has no init, and says when there is nothing to check', () => {
    const root = image({ chroot: { command: ['/usr/bin/app'] }, kernel: { path: '/boot/vmlinuz', requires: { arch: 'riscv64' } } });
    const r = runAgent(['check', '--root', root, '--facts', factsFile(TARGET)]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('entry point chroot has no requirements');
  });

  it('checks the entry point named by --entrypoint', () => {
    const root = image({ chroot: { command: ['/usr/bin/app'] }, kernel: { path: '/boot/vmlinuz', requires: { arch: 'riscv64' } } });
    const r = runAgent(['check', '--root', root, '--entrypoint', 'kernel', '--facts', factsFile(TARGET)]);
    expect(r.code).toBe(3);
    expect(r.stdout).toMatch(/^\s+arch\s+riscv64\s+x86_64\s+NO$/m);
  });
});

describe('facts', () => {
  it('prints this machine\'s facts as JSON that check --facts accepts as they are', () => {
    const facts = runAgent(['facts', '--json']);
    expect(facts.code).toBe(0);
    const parsed = JSON.parse(facts.stdout);
    expect(Object.keys(parsed)).toEqual(['arch', 'os', 'kernelRelease', 'hostname', 'cpus', 'memoryBytes', 'cpuFlags', 'hypervisor']);
    expect(parsed.os).toBe('linux');
    const root = image({ init: { requires: { os: 'linux', cpus: 1 } } });
    const r = runAgent(['check', '--root', root, '--facts', factsFile(facts.stdout)]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });

  it('checks this machine itself when no facts file is given', () => {
    const root = image({ init: { requires: { os: 'linux', cpus: 1 } } });
    const r = runAgent(['check', '--root', root, '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ factsFrom: 'this machine', met: true });
  });

  it('prints a table with one fact a line', () => {
    const r = runAgent(['facts']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^os\s+linux$/m);
    expect(r.stdout).toMatch(/^memoryBytes\s+\d+ \(.* MemTotal\)$/m);
  });
});
