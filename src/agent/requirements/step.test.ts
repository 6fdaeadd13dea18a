import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AgentError } from '../../errors';
import { helloManifest } from '../../manifest/test-fixtures';
import type { NormalizedManifest } from '../../manifest/types';
import type { Mode, RunContext } from '../step';
import type { ItemEvent, Reporter } from '../status/reporter';
import type { System } from '../../system/system';
import { requirementsStep } from './step';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tree(files: Record<string, string | { content: string; mode: number }>): string {
  const dir = mkdtempSync(join(tmpdir(), 'cloudlet-req-step-'));
  dirs.push(dir);
  for (const [path, entry] of Object.entries(files)) {
    const host = join(dir, path);
    mkdirSync(dirname(host), { recursive: true });
    writeFileSync(host, typeof entry === 'string' ? entry : entry.content);
    if (typeof entry !== 'string') chmodSync(host, entry.mode);
  }
  return dir;
}

// A 2-cpu KVM guest with 1.9 GiB MemTotal running Debian's 6.1 kernel.
function kvmGuest(): System {
  const host = tree({
    'proc/sys/kernel/osrelease': '6.1.0-13-amd64\n',
    'proc/sys/kernel/hostname': 'web-1\n',
    'proc/meminfo': 'MemTotal:        2014580 kB\n',
    'proc/cpuinfo': 'processor\t: 0\nflags\t\t: fpu sse2 avx2 hypervisor\n',
    'sys/devices/system/cpu/online': '0-1\n',
    'sys/class/dmi/id/sys_vendor': 'QEMU\n',
    'sys/devices/system/clocksource/clocksource0/available_clocksource': 'kvm-clock tsc\n',
  });
  return { hostPaths: { proc: join(host, 'proc'), sys: join(host, 'sys'), dev: join(host, 'dev'), run: join(host, 'run') }, monotonicMs: () => 1000 } as System;
}

function manifest(entrypoints: NormalizedManifest['entrypoints']): NormalizedManifest {
  return helloManifest({ entrypoints });
}

function context(mode: Mode, m: NormalizedManifest | undefined, items: ItemEvent[] = []): RunContext {
  const root = tree({ 'usr/bin/app': { content: '#!/bin/sh\n', mode: 0o755 }, 'etc/app.conf': '' });
  const reporter = { item: (_step: string, e: ItemEvent) => void items.push(e) } as unknown as Reporter;
  return { system: kvmGuest(), options: { root, mode, entrypoint: 'chroot', dryRun: false }, reporter, state: m ? { manifest: m } : {} };
}

async function planError(ctx: RunContext): Promise<AgentError> {
  try {
    await requirementsStep.plan(ctx);
  } catch (err) {
    if (err instanceof AgentError) return err;
    throw err;
  }
  throw new Error('expected the plan to fail');
}

const met = { os: 'linux', kernel: '>=4.19', memory: '2G', cpus: 2, hypervisor: ['kvm', 'xen'], commands: ['app'], files: ['/etc/app.conf'] };

describe('requirementsStep', () => {
  it('collects facts, checks every requirement, reports each as an item and sums up', async () => {
    const items: ItemEvent[] = [];
    const ctx = context('chroot', manifest({ chroot: { command: ['/usr/bin/app'], requires: met } }), items);
    const plan = await requirementsStep.plan(ctx);
    expect(ctx.state.facts).toMatchObject({ kernelRelease: '6.1.0-13-amd64', cpus: 2, hypervisor: 'kvm' });
    expect(plan.rows?.map((r) => [r.key, r.ok])).toEqual([
      ['os', true],
      ['kernel', true],
      ['memory', true],
      ['cpus', true],
      ['hypervisor', true],
      ['commands', true],
      ['files', true],
    ]);
    const result = await requirementsStep.apply(plan, ctx);
    expect(result.summary).toBe('Requirements of chroot met (7 checks)');
    expect(items.map((i) => i.name)).toContain('commands app');
    expect(items.every((i) => i.kind === 'requirement' && i.outcome === 'ok')).toBe(true);
  });

  it('stops with E_REQUIREMENTS_UNMET naming each unmet requirement, what it needs and what it found', async () => {
    const requires = { ...met, kernel: '>=6.2', cpus: 4, commands: ['app', 'ghost'] };
    const error = await planError(context('chroot', manifest({ chroot: { command: ['/usr/bin/app'], requires } })));
    expect(error.code).toBe('E_REQUIREMENTS_UNMET');
    expect(error.exitCode).toBe(3);
    expect(error.problems).toEqual([
      { path: '/entrypoints/chroot/requires/kernel', message: 'requires >=6.2, detected 6.1.0-13-amd64 (6.1.0)' },
      { path: '/entrypoints/chroot/requires/cpus', message: 'requires at least 4, detected 2' },
      { path: '/entrypoints/chroot/requires/commands/1', message: 'requires ghost, detected not found on the image PATH' },
    ]);
  });

  it('refuses an entry point the manifest does not offer', async () => {
    const error = await planError(context('chroot', manifest({ init: {} })));
    expect(error.code).toBe('E_ENTRYPOINT_MISSING');
    expect(error.fix).toContain('init');
  });

  it('still collects facts when rendering, but checks nothing and needs no entry point', async () => {
    const ctx = context('render', manifest({ init: { requires: { cpus: 64 } } }));
    const plan = await requirementsStep.plan(ctx);
    expect(plan.rows).toBeUndefined();
    expect(ctx.state.facts?.hostname).toBe('web-1');
    expect((await requirementsStep.apply(plan, ctx)).summary).toMatch(/not checked when rendering/);
  });

  it('describes the plan for --dry-run', async () => {
    const ctx = context('chroot', manifest({ chroot: { command: ['/usr/bin/app'], requires: { cpus: 1 } } }));
    const lines = requirementsStep.describe(await requirementsStep.plan(ctx));
    expect(lines[1]).toBe('met cpus: at least 1 (detected 2)');
  });
});
