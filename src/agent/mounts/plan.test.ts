// Unit tests of the pure mount planner against fake probes.

import { describe, expect, it } from 'vitest';
import type { StorageSpec } from '../../manifest/types';
import { describeAction, planMounts } from './plan';
import { effectiveStorage } from './storage-spec';
import type { DeviceProbe, MountInput, MountProbes, PathProbe } from './types';

const STORAGE = { device: 'LABEL=data', fstype: 'ext4', format: 'if-blank' as const };
const EXT4: DeviceProbe = { path: '/dev/vdb', majorMinor: '254:16', filesystem: 'ext4', zeroed: false };
const BLANK: DeviceProbe = { path: '/dev/vdb', majorMinor: '254:16', zeroed: true };

/** What the mounts step hands the planner: the manifest's paths and the storage of the manifest, user data and kernel command line merged. */
function input(over: Partial<Omit<MountInput, 'storage'>> & { storage?: StorageSpec; userStorage?: Partial<StorageSpec>; cmdline?: string } = {}): MountInput {
  const { storage, userStorage, cmdline, ...rest } = over;
  const merged = effectiveStorage('storage' in over ? storage : STORAGE, userStorage, cmdline);
  return { persistent: [{ path: '/var/lib/app' }], volatile: [], onError: 'halt', ...rest, ...(merged ? { storage: merged } : {}) };
}

function dir(path: string, over: Partial<PathProbe> = {}): PathProbe {
  return { path, image: 'dir', imageHasContent: true, volume: 'unknown', ...over };
}

function probes(device: DeviceProbe | undefined, paths: PathProbe[] = [dir('/var/lib/app')], over: Partial<MountProbes> = {}): MountProbes {
  return { paths, ...(device ? { device } : {}), ...over };
}

const kinds = (p: ReturnType<typeof planMounts>) => p.actions.map((a) => a.kind);

describe('planMounts: storage never formatted unless provably blank', () => {
  it('mounts a device that holds a filesystem without mkfs', () => {
    const plan = planMounts(input(), probes(EXT4));
    expect(kinds(plan)).toEqual(['mount-storage', 'seed', 'bind']);
    expect(plan.storageProblem).toBeUndefined();
  });

  it('formats a blank device when format is if-blank, labelling it so the spec finds it next boot', () => {
    const plan = planMounts(input(), probes(BLANK));
    expect(plan.actions[0]).toEqual({ kind: 'mkfs', device: '/dev/vdb', fstype: 'ext4', label: 'data' });
    expect(kinds(plan)).toEqual(['mkfs', 'mount-storage', 'seed', 'bind']);
  });

  it('refuses a device with a partition table and no filesystem', () => {
    const plan = planMounts(input(), probes({ path: '/dev/vdb', otherSignature: 'dos', zeroed: false }));
    expect(kinds(plan)).not.toContain('mkfs');
    expect(plan.storageProblem?.message).toMatch(/dos signature.*never formatted/);
  });

  it('refuses a device with data but no signature', () => {
    const plan = planMounts(input(), probes({ path: '/dev/vdb', zeroed: false }));
    expect(kinds(plan)).toEqual([]);
    expect(plan.storageProblem?.message).toMatch(/holds data/);
    expect(plan.degradedPaths).toEqual(['/var/lib/app']);
  });

  it('does not format a blank device when format is never', () => {
    const plan = planMounts(input({ storage: { ...STORAGE, format: 'never' } }), probes(BLANK));
    expect(kinds(plan)).not.toContain('mkfs');
    expect(plan.storageProblem?.message).toMatch(/blank and storage.format is "never"/);
  });

  it('refuses a filesystem of another type than the spec, without formatting it', () => {
    const plan = planMounts(input(), probes({ ...EXT4, filesystem: 'xfs' }));
    expect(kinds(plan)).toEqual([]);
    expect(plan.storageProblem?.message).toMatch(/xfs filesystem, but storage.fstype is ext4/);
  });

  it('accepts ext3 for an ext4 spec (one driver)', () => {
    const plan = planMounts(input(), probes({ ...EXT4, filesystem: 'ext3' }));
    expect(plan.actions[0]).toMatchObject({ kind: 'mount-storage', fstype: 'ext4' });
  });

  it('reports a missing device as a storage problem', () => {
    const plan = planMounts(input(), probes({ zeroed: false }));
    expect(plan.storageProblem?.message).toBe('no block device matches LABEL=data');
    expect(plan.storageProblem?.where).toBe('LABEL=data (from manifest)');
  });

  it('reports persistent paths without any storage as a problem, but still mounts volatile paths', () => {
    const plan = planMounts(input({ storage: undefined, volatile: [{ path: '/tmp' }] }), probes(undefined, [dir('/var/lib/app'), dir('/tmp', { imageHasContent: false })]));
    expect(plan.storageProblem?.message).toMatch(/no storage device/);
    expect(kinds(plan)).toEqual(['tmpfs']);
  });
});

describe('planMounts: where the device spec comes from', () => {
  it('lets user data override the manifest and the kernel command line override both', () => {
    const user = planMounts(input({ userStorage: { device: '/dev/vdc' } }), probes(EXT4));
    expect(user.storage).toMatchObject({ device: '/dev/vdc', from: 'user-data', format: 'if-blank' });
    const cmd = planMounts(input({ userStorage: { device: '/dev/vdc' }, cmdline: 'ro quiet cloudlet.storage=UUID=1234-abcd' }), probes(EXT4));
    expect(cmd.storage).toMatchObject({ device: 'UUID=1234-abcd', from: 'cmdline' });
  });

  it('uses the UUID for a new filesystem named by UUID', () => {
    const plan = planMounts(input({ cmdline: 'cloudlet.storage=UUID=0f0e0d0c-1111-2222-3333-444455556666' }), probes(BLANK));
    expect(plan.actions[0]).toMatchObject({ kind: 'mkfs', uuid: '0f0e0d0c-1111-2222-3333-444455556666' });
  });

  it('refuses a device spec that is not LABEL=, UUID= or /dev/', () => {
    expect(() => planMounts(input({ userStorage: { device: 'vdb' } }), probes(EXT4))).toThrow(/not LABEL=/);
    expect(() => planMounts(input({ userStorage: { device: '/dev/../etc/passwd' } }), probes(EXT4))).toThrow(/not LABEL=/);
  });
});

describe('planMounts: seeding and order', () => {
  it('seeds only when the volume lacks the path, and decides at apply time when the volume is not mounted yet', () => {
    const present = planMounts(input(), probes(EXT4, [dir('/var/lib/app', { volume: 'present' })]));
    expect(kinds(present)).toEqual(['mount-storage', 'bind']);
    const absent = planMounts(input(), probes(EXT4, [dir('/var/lib/app', { volume: 'absent' })]));
    expect(absent.actions[1]).toMatchObject({ kind: 'seed', ifAbsent: false, from: 'dir', volumePath: '/.cloudlet/storage/var/lib/app' });
    const unknown = planMounts(input(), probes(EXT4));
    expect(unknown.actions[1]).toMatchObject({ kind: 'seed', ifAbsent: true });
  });

  it('seeds an empty directory for a path the image lacks, and a file for a file', () => {
    const plan = planMounts(
      input({ persistent: [{ path: '/srv/new' }, { path: '/etc/machine-id' }] }),
      probes(EXT4, [{ path: '/srv/new', image: 'absent', imageHasContent: false, volume: 'unknown' }, { path: '/etc/machine-id', image: 'file', imageHasContent: false, volume: 'unknown' }]),
    );
    expect(plan.actions.filter((a) => a.kind === 'seed').map((a) => (a.kind === 'seed' ? a.from : ''))).toEqual(['empty-dir', 'file']);
  });

  it('mounts parents before children, whatever the manifest order', () => {
    const plan = planMounts(
      input({
        persistent: [{ path: '/var/lib/app/data' }, { path: '/var/lib/app' }],
        volatile: [{ path: '/var/cache/app/tmp' }, { path: '/var', size: '64M' }],
      }),
      probes(EXT4, [dir('/var/lib/app/data', { volume: 'present' }), dir('/var/lib/app', { volume: 'present' }), dir('/var/cache/app/tmp', { imageHasContent: false }), dir('/var')]),
    );
    expect(plan.actions.map(describeAction)).toEqual([
      'mount /dev/vdb -> /.cloudlet/storage (ext4)',
      'tmpfs /var size=64M (seeded from the image)',
      'bind /.cloudlet/storage/var/lib/app -> /var/lib/app',
      'bind /.cloudlet/storage/var/lib/app/data -> /var/lib/app/data',
      'tmpfs /var/cache/app/tmp',
    ]);
  });
});

describe('planMounts: a second run changes nothing', () => {
  it('skips what is already mounted: the volume, its binds and the tmpfs', () => {
    const mountedBind = { fstype: 'ext4', majorMinor: '254:16', fsRoot: '/var/lib/app' };
    const plan = planMounts(
      input({ volatile: [{ path: '/tmp' }] }),
      probes(EXT4, [dir('/var/lib/app', { volume: 'present', mounted: mountedBind }), dir('/tmp', { mounted: { fstype: 'tmpfs', majorMinor: '0:40', fsRoot: '/' } })], {
        storageMounted: { fstype: 'ext4', majorMinor: '254:16', fsRoot: '/' },
      }),
    );
    expect(kinds(plan)).toEqual(['skip', 'skip', 'skip']);
  });

  it('does not take a bind of some other filesystem for its own', () => {
    const plan = planMounts(
      input(),
      probes(EXT4, [dir('/var/lib/app', { volume: 'present', mounted: { fstype: 'ext4', majorMinor: '8:1', fsRoot: '/var/lib/app' } })], {
        storageMounted: { fstype: 'ext4', majorMinor: '254:16', fsRoot: '/' },
      }),
    );
    expect(kinds(plan)).toEqual(['skip', 'bind']);
  });

  it('refuses when another filesystem sits on the storage mountpoint', () => {
    const plan = planMounts(input(), probes(EXT4, undefined, { storageMounted: { fstype: 'xfs', majorMinor: '8:1', fsRoot: '/' } }));
    expect(plan.storageProblem?.message).toMatch(/another filesystem/);
  });
});

describe('planMounts: identity of a new filesystem', () => {
  it('labels a disk named by path on its first boot with the manifest\'s LABEL, so later boots find it by label', () => {
    const plan = planMounts(input({ userStorage: { device: '/dev/vdc' } }), probes(BLANK));
    expect(plan.actions[0]).toEqual({ kind: 'mkfs', device: '/dev/vdb', fstype: 'ext4', label: 'data' });
  });
});

describe('planMounts: a new disk has no label yet', () => {
  it('formats the only blank disk when no volume carries the label and format is if-blank, giving it the label', () => {
    const plan = planMounts(input(), probes({ ...BLANK, matchedBy: 'only-blank-disk' }));
    expect(plan.actions[0]).toEqual({ kind: 'mkfs', device: '/dev/vdb', fstype: 'ext4', label: 'data', onlyBlankDisk: true });
    expect(describeAction(plan.actions[0] as never)).toBe('mkfs.ext4 /dev/vdb (blank, the only blank disk) label=data');
  });

  it('does not guess between several blank disks', () => {
    const plan = planMounts(input(), probes({ zeroed: false, ambiguous: ['/dev/vdb', '/dev/vdc'] }));
    expect(kinds(plan)).toEqual([]);
    expect(plan.storageProblem?.message).toMatch(/2 blank disks \(\/dev\/vdb, \/dev\/vdc\)/);
  });
});

describe('planMounts: a root read-only only for the early boot', () => {
  it('remounts it read-write before anything else when its fstab mounts "/" rw', () => {
    const plan = planMounts(input(), probes(EXT4, [dir('/var/lib/app')], { root: { readOnly: true, fstabOptions: ['errors=remount-ro'] } }));
    expect(plan.actions[0]).toEqual({ kind: 'remount-root', path: '/' });
    expect(plan.actions.filter((a) => a.kind === 'remount-root')).toHaveLength(1);
    expect(describeAction(plan.actions[0] as never)).toMatch(/^remount \/ read-write for this run/);
  });

  it('even when nothing else is to be mounted, as templates and the boot record still write to it', () => {
    const plan = planMounts(input({ storage: undefined, persistent: [] }), { paths: [], root: { readOnly: true, fstabOptions: ['defaults'] } });
    expect(plan.actions).toEqual([{ kind: 'remount-root', path: '/' }]);
  });

  it('leaves a root alone that fstab mounts ro, that is read-write already, or that is not a mount point', () => {
    for (const root of [{ readOnly: true, fstabOptions: ['ro'] }, { readOnly: true }, { readOnly: false, fstabOptions: ['defaults'] }, undefined]) {
      const plan = planMounts(input(), probes(EXT4, [dir('/var/lib/app')], root ? { root } : {}));
      expect(plan.actions.some((a) => a.kind === 'remount-root'), JSON.stringify(root)).toBe(false);
    }
  });
});

