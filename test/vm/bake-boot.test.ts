// Bakes the Debian test image with `cloudlet bake` into every bootable format and boots each under QEMU: the agent runs as
// init= from the baked disk, renders the NoCloud user data (or the baked preset) and hands over to systemd.

import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectNoSecret, SECRET, seedIso, statusOf, writeDebianTree } from './debian-fixture';
import { REPO, VM_CACHE } from './paths';
import { bootVm, markers, requireQemu, type Drive, type VmOptions, type VmResult } from './qemu';
import { agentBinary, debianBase, kernelVersion } from './setup-run';

let work: string;
let tree: string;
let kver: string;
let baked: { cmdline: string; files: Record<string, string> };

/** The fixture's manifest, made for a baked disk: a kernel entry point to boot, the preset as the fallback platform, no data disk. */
function bakeManifest(): Record<string, unknown> {
  return {
    cloudlet: '0.0.4',
    name: 'vmtest-baked',
    version: '1.0.0',
    platforms: ['nocloud', 'file'],
    config: {
      schema: {
        type: 'object',
        additionalProperties: false,
        properties: { greeting: { type: 'string', default: 'hello' }, db_password: { type: 'string', writeOnly: true } },
      },
    },
    templates: ['/etc/app/app.conf'],
    volatile: [{ path: '/var/cache/app', size: '16M' }],
    onError: 'continue',
    entrypoints: {
      kernel: { path: `/boot/vmlinuz-${kver}`, initrd: `/boot/initrd.img-${kver}`, cmdline: 'panic=-1 quiet', requires: { arch: 'amd64' } },
      init: { path: '/sbin/init', requires: { os: 'linux', kernel: '>=5.10' } },
    },
  };
}

function run(cmd: string, args: string[], timeout = 600_000): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout, maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
  return r.stdout;
}

beforeAll(() => {
  requireQemu();
  debianBase();
  kver = kernelVersion();
  work = mkdtempSync(join(tmpdir(), 'cloudlet-vm-bake-'));
  tree = join(work, 'rootfs');
  mkdirSync(tree);
  run('tar', ['--numeric-owner', '--xattrs', '--xattrs-include=*', '-xf', join(VM_CACHE, 'debian', kver, 'base.tar'), '-C', tree]);
  writeDebianTree(tree, false);
  mkdirSync(join(tree, '.cloudlet'), { recursive: true });
  writeFileSync(join(tree, '.cloudlet', 'manifest'), JSON.stringify(bakeManifest(), null, 2));
  // The baked root is partition 2, found by its label (the image's own fstab said /dev/vda).
  writeFileSync(join(tree, 'etc', 'fstab'), 'LABEL=cloudlet-root / ext4 rw,errors=remount-ro 0 1\n');
  const preset = join(work, 'preset.json');
  writeFileSync(preset, JSON.stringify({ config: { greeting: 'from-the-preset', db_password: SECRET } }));
  const out = run(join(REPO, 'dist', 'cloudlet'), [
    'bake', tree, '--target', 'raw,qcow2,vmdk,vhd,vhdx', '--out', join(work, 'out'), '--cache', join(work, 'cache'),
    '--agent', agentBinary(), '--preset', preset, '--json',
  ], 900_000);
  const report = JSON.parse(out) as { disk: { plan: { cmdline: string } }; outputs: { target: string; files: { path: string }[] }[] };
  baked = { cmdline: report.disk.plan.cmdline, files: Object.fromEntries(report.outputs.map((o) => [o.target, (o.files[0] as { path: string }).path])) };
}, 1_500_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

/** Boots one baked disk (writes go to a temporary overlay) until the guest's report is done. */
function boot(name: string, disk: Drive, extra: Partial<VmOptions>, seed?: string): Promise<VmResult> {
  return bootVm({
    name,
    drives: [{ ...disk, snapshot: true }, ...(seed ? [{ file: seedIso(work, name, seed), readonly: true }] : [])],
    timeoutMs: 420_000,
    stopWhen: /VMTEST-DONE/,
    ...extra,
  });
}

/** The agent ran as init from the disk (its lines on the console), rendered `greeting`, and systemd reached multi-user. */
function expectAgentRun(result: VmResult, greeting: string, platform: string): void {
  expect(result.timedOut, `timed out: ${result.logFile}`).toBe(false);
  expect(result.console, result.logFile).toMatch(/\[ {2}OK {2}\] Rendered 1 template/);
  expect(markers(result.console, 'VMTEST file /etc/app/app.conf:')).toEqual([`greeting=${greeting}`, `platform=${platform}`, expect.stringMatching(/^instance=/)]);
  const status = statusOf(result.console, result.logFile);
  expect(status.state).toBe('done');
  expect(status.platform).toBe(platform);
  expect(markers(result.console, 'VMTEST multi-user-us')[0]).toMatch(/^[1-9]\d*$/);
  expectNoSecret(result.console);
}

describe('baked disks boot (QEMU TCG)', () => {
  it.concurrent('raw through SeaBIOS: syslinux from the ESP, the agent as init=, NoCloud user data rendered, systemd up', async () => {
    expectAgentRun(await boot('bake-raw-seabios', { file: baked.files.raw as string, format: 'raw' }, { firmware: 'seabios' }, 'raw-bios'), 'raw-bios', 'nocloud');
  });

  it.concurrent('qcow2 through OVMF: systemd-boot from the ESP, the agent as init=, NoCloud user data rendered, systemd up', async () => {
    expectAgentRun(await boot('bake-qcow2-ovmf', { file: baked.files.qcow2 as string, format: 'qcow2' }, { firmware: 'ovmf' }, 'qcow2-uefi'), 'qcow2-uefi', 'nocloud');
  });

  // The firmware paths are proven above; these prove each format's own driver reads a disk that boots, with a direct kernel boot.
  for (const [target, format] of [['vmdk', 'vmdk'], ['vhd', 'vpc'], ['vhdx', 'vhdx']] as const) {
    it.concurrent(`${target} as a ${format} drive: the agent as init=, ${target === 'vhd' ? 'the baked preset' : 'NoCloud user data'} rendered, systemd up`, async () => {
      const kernel = { kernel: join(tree, 'boot', `vmlinuz-${kver}`), initrd: join(tree, 'boot', `initrd.img-${kver}`), append: baked.cmdline };
      // vhd boots without a seed: the preset baked into the image (platform "file") is what renders.
      const seed = target === 'vhd' ? undefined : `${target}-drive`;
      expectAgentRun(await boot(`bake-${target}`, { file: baked.files[target] as string, format }, kernel, seed), seed ?? 'from-the-preset', seed ? 'nocloud' : 'file');
    });
  }
});
