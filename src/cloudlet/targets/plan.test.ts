// Plans of the targets from the recipe rows: commands, padding, bundles, outputs, validation.

import { describe, expect, it } from 'vitest';
import { plannedOutputs, planTarget, type Step } from './plan';
import { recipe, testContext } from './test-fixtures';
import { agentErrorOf as failure } from '../../test-support';

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

function plan(name: string, settings: string[] = [], rawSize = 8 * MiB, ctx = testContext(settings)) {
  return planTarget(recipe(name), { rawPath: '/in/disk.raw', rawSize, outDir: '/out', workDir: '/out/.w', ctx });
}

const runs = (steps: Step[]) => steps.flatMap((s) => (s.op === 'run' ? [[s.tool, ...s.args].join(' ')] : []));
const ops = (steps: Step[]) => steps.map((s) => s.op);

describe('planTarget', () => {
  it('converts, pins, checks and publishes a vmdk', () => {
    const p = plan('vmdk');
    expect(runs(p.steps)).toEqual(['qemu-img convert -f raw -O vmdk -o adapter_type=lsilogic,subformat=streamOptimized,compat6 /in/disk.raw /out/.w/hello-1.2.0.vmdk']);
    expect(ops(p.steps)).toEqual(['run', 'pin', 'check', 'publish']);
    expect(plannedOutputs(p)).toEqual([{ role: 'disk', path: '/out/hello-1.2.0.vmdk' }]);
  });

  it('compresses qcow2 clusters only when asked', () => {
    expect(runs(plan('qcow2').steps)[0]).not.toContain(' -c ');
    expect(runs(plan('qcow2', ['qcow2.compress=true']).steps)[0]).toContain(' -c /in/disk.raw');
  });

  it('pads a raw that is not a whole MiB before making the fixed VHD, and not otherwise', () => {
    const odd = plan('vhd', [], 8 * MiB + 512);
    expect(odd.virtualSize).toBe(9 * MiB);
    expect(runs(odd.steps)).toEqual([
      'qemu-img convert -f raw -O raw /in/disk.raw /out/.w/hello-1.2.0.padded.raw',
      `qemu-img resize -f raw /out/.w/hello-1.2.0.padded.raw ${9 * MiB}`,
      'qemu-img convert -f raw -O vpc -o subformat=fixed,force_size /out/.w/hello-1.2.0.padded.raw /out/.w/hello-1.2.0.vhd',
    ]);
    expect(odd.steps).toContainEqual({ op: 'remove', file: '/out/.w/hello-1.2.0.padded.raw' });
    expect(runs(plan('vhd').steps)).toEqual(['qemu-img convert -f raw -O vpc -o subformat=fixed,force_size /in/disk.raw /out/.w/hello-1.2.0.vhd']);
  });

  it('pads the GCE disk.raw to whole GiB in place, tars it sparse and gzips it without name or time', () => {
    const p = plan('gce');
    expect(p.virtualSize).toBe(GiB);
    expect(runs(p.steps)).toEqual([
      'qemu-img convert -f raw -O raw /in/disk.raw /out/.w/disk.raw',
      `qemu-img resize -f raw /out/.w/disk.raw ${GiB}`,
      'gzip -n -6 -f /out/.w/hello-1.2.0-gce.tar',
    ]);
    expect(p.steps).toContainEqual({ op: 'sparse-tar', file: '/out/.w/hello-1.2.0-gce.tar', member: { name: 'disk.raw', from: '/out/.w/disk.raw' } });
    expect(plannedOutputs(p)).toEqual([{ role: 'gce', path: '/out/hello-1.2.0-gce.tar.gz' }]);
  });

  it('tars the OVA descriptor first, then the manifest, then the disk', () => {
    const p = plan('ova');
    expect(p.ovaMembers).toEqual(['hello-1.2.0.ovf', 'hello-1.2.0.mf', 'hello-1.2.0-disk1.vmdk']);
    const tar = p.steps.find((s) => s.op === 'tar');
    expect(tar?.op === 'tar' && tar.members.map((m) => m.name)).toEqual(p.ovaMembers);
    expect(plan('ova', ['ova.manifest=false']).ovaMembers).toEqual(['hello-1.2.0.ovf', 'hello-1.2.0-disk1.vmdk']);
  });

  it('ships the AMI disk in the chosen format with its side files, the disk published last', () => {
    const p = plan('ami', ['ami.disk=raw']);
    expect(p.disk.id).toBe('raw');
    expect(plannedOutputs(p)).toEqual([
      { role: 'ami-containers', path: '/out/hello-1.2.0-ami-containers.json' },
      { role: 'ami-script', path: '/out/hello-1.2.0-ami-import.sh' },
      { role: 'disk', path: '/out/hello-1.2.0-ami.raw' },
    ]);
  });

  it('gives the xen target a config beside its disk', () => {
    expect(plannedOutputs(plan('xen', ['xen.disk=qcow2'])).map((o) => o.path)).toEqual(['/out/hello-1.2.0-xen.cfg', '/out/hello-1.2.0-xen.qcow2']);
  });

  it('derives the ids it pins from the digest and the raw size', () => {
    const a = plan('vmdk').pins;
    expect(plan('vmdk').pins).toEqual(a);
    expect(plan('vmdk', [], 16 * MiB).pins.vmdkCid).not.toBe(a.vmdkCid);
    expect(plan('vmdk', [], 8 * MiB, testContext([], { digest: `sha256:${'cd'.repeat(32)}` })).pins.vmdkCid).not.toBe(a.vmdkCid);
    expect(a.vmdkCid).toMatch(/^[0-9a-f]{8}$/);
    expect(a.vhdTimestamp).toBe(1_700_000_000 - 946_684_800);
  });
});

describe('validation', () => {
  it('refuses a raw that is not whole sectors', () => {
    expect(failure(() => plan('raw', [], 1000)).code).toBe('E_BAKE_TARGET');
  });

  it('refuses PVH without a kernel or a command line', () => {
    expect(failure(() => plan('xen', ['xen.type=pvh'])).message).toMatch(/needs xen.kernel/);
    expect(failure(() => plan('xen', ['xen.type=pvh', 'xen.kernel=/boot/vmlinuz'])).message).toMatch(/command line/);
    expect(plan('xen', ['xen.type=pvh', 'xen.kernel=/boot/vmlinuz'], 8 * MiB, testContext(['xen.type=pvh', 'xen.kernel=/boot/vmlinuz'], { cmdline: 'root=PARTUUID=x ro' })).steps.length).toBeGreaterThan(0);
  });

  it('takes a boot loader command line with quotes everywhere but in a PVH config, which cannot hold it', () => {
    const quoted = 'root=PARTUUID=1 ro app.motd="hi"';
    expect(plan('raw', [], 8 * MiB, testContext([], { cmdline: quoted })).steps.length).toBeGreaterThan(0);
    const pvh = ['xen.type=pvh', 'xen.kernel=/boot/vmlinuz'];
    expect(failure(() => plan('xen', pvh, 8 * MiB, testContext(pvh, { cmdline: quoted }))).message).toMatch(/quotes or backslashes/);
    expect(plan('xen', [...pvh, 'xen.cmdline=root=PARTUUID=1 ro'], 8 * MiB, testContext([...pvh, 'xen.cmdline=root=PARTUUID=1 ro'], { cmdline: quoted })).steps.length).toBeGreaterThan(0);
  });

  it('refuses legacy BIOS for an arm64 AMI', () => {
    expect(failure(() => plan('ami', [], 8 * MiB, testContext(['ami.boot-mode=legacy-bios'], { arch: 'aarch64' }))).message).toMatch(/UEFI only/);
  });

  it('reports every bad context field at once', () => {
    const err = failure(() => plan('raw', [], 8 * MiB, testContext([], { name: '../x', digest: 'abc', mtime: -1, description: 'it\'s "quoted"' })));
    expect(err.problems.map((p) => p.path)).toEqual(['name', 'digest', 'mtime', 'description']);
  });
});
