// The hostname step on temp trees: /etc/hostname written atomically, the kernel's name through a fixture /proc.

import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Mode, RunContext } from '../step';
import type { System } from '../../system/system';
import { fakeManifest, FACTS, SOURCE } from '../templates/test-fixtures';
import { hostnameStep } from './step';

let base: string;
let root: string;
let proc: string;

beforeEach(() => {
  base = mkdtempSync(join(tmpdir(), 'cloudlet-hostname-'));
  root = join(base, 'root');
  proc = join(base, 'proc');
  mkdirSync(join(root, 'etc'), { recursive: true });
  mkdirSync(join(proc, 'sys', 'kernel'), { recursive: true });
  writeFileSync(join(proc, 'sys/kernel/hostname'), 'localhost\n');
  writeFileSync(join(root, 'etc/hostname'), 'debian\n');
});

afterEach(() => rmSync(base, { recursive: true, force: true }));

const kernelName = () => readFileSync(join(proc, 'sys/kernel/hostname'), 'utf8');
const etcName = () => readFileSync(join(root, 'etc/hostname'), 'utf8');

function context(mode: Mode, hostname: string | undefined, sourceHostname: string | undefined = SOURCE.hostname, dryRun = false): RunContext {
  const system = { hostPaths: { proc, sys: '/sys', dev: '/dev', run: join(base, 'run') } } as unknown as System;
  return {
    system,
    // init mode: the root is this machine's, whatever its path in the test.
    options: { root, mode, entrypoint: 'init', dryRun },
    reporter: {} as RunContext['reporter'],
    state: {
      manifest: fakeManifest([]),
      facts: FACTS,
      source: { ...SOURCE, ...(sourceHostname === undefined ? { hostname: undefined } : { hostname: sourceHostname }) },
      userData: { config: {}, secrets: [], ...(hostname ? { hostname } : {}) },
    },
  };
}

async function boot(ctx: RunContext) {
  const plan = await hostnameStep.plan(ctx);
  return { plan, result: await hostnameStep.apply(plan, ctx) };
}

describe('hostname step', () => {
  it('in init mode sets the kernel hostname and /etc/hostname from user data, leaving no temp file', async () => {
    const { result } = await boot(context('init', 'web1'));
    expect(kernelName()).toBe('web1');
    expect(etcName()).toBe('web1\n');
    expect(readdirSync(join(root, 'etc'))).toEqual(['hostname']);
    expect(result).toEqual({ summary: 'Hostname web1 (from user data)', outcome: 'ok' });
  });

  it('takes the platform\'s hostname when user data has none', async () => {
    await boot(context('init', undefined, 'meta-host'));
    expect(kernelName()).toBe('meta-host');
    expect(etcName()).toBe('meta-host\n');
  });

  it('in run mode on an image root that is not / writes only the image\'s /etc/hostname', async () => {
    const { plan } = await boot(context('run', 'web1'));
    expect(plan.kernel.to).toBe('left');
    expect(kernelName()).toBe('localhost\n');
    expect(etcName()).toBe('web1\n');
  });

  it('does not run under chroot or render', () => {
    expect(hostnameStep.enabled?.(context('chroot', 'web1'))).toBe(false);
    expect(hostnameStep.enabled?.(context('render', 'web1'))).toBe(false);
    expect(hostnameStep.enabled?.(context('run', 'web1'))).toBe(true);
  });

  it('writes nothing for a platform name that is not a host name, and ends degraded with the reason', async () => {
    const { result } = await boot(context('init', undefined, 'bad_name'));
    expect(kernelName()).toBe('localhost\n');
    expect(etcName()).toBe('debian\n');
    expect(result.outcome).toBe('degraded');
    expect(result.summary).toMatch(/"bad_name" from platform nocloud is not a host name/);
  });

  it('a plan (dry run) shows what would change and changes nothing', async () => {
    const plan = await hostnameStep.plan(context('init', 'web1', undefined, true));
    expect(hostnameStep.describe(plan)).toEqual([
      'hostname web1 (from user data)',
      'kernel hostname: set to web1 (now localhost)',
      '/etc/hostname: set to web1 (now debian)',
    ]);
    expect(kernelName()).toBe('localhost\n');
    expect(etcName()).toBe('debian\n');
  });

  it('ends degraded, not failed, when the kernel refuses the name', async () => {
    rmSync(join(proc, 'sys'), { recursive: true });
    const { result } = await boot(context('init', 'web1'));
    expect(result.outcome).toBe('degraded');
    expect(result.summary).toMatch(/cannot set the kernel hostname/);
    expect(etcName()).toBe('web1\n');
  });
});
