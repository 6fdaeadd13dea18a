// Pure mount planner: the manifest's paths, this boot's storage and the probes -> the ordered mount actions.

import { AgentError } from '../../errors';
import { isWithin, normalizeImagePath } from '../../system/image-path';
import { rootReadOnlyForNow } from './fstab';
import {
  STORAGE_MOUNTPOINT,
  type DeviceProbe,
  type EffectiveStorage,
  type MountAction,
  type MountInput,
  type MountPlan,
  type MountProbes,
  type PathProbe,
} from './types';

const DEFAULT_FSTYPE = 'ext4';

type Entry = { kind: 'persistent'; path: string } | { kind: 'volatile'; path: string; size?: string; mode?: string };

export function planMounts(input: MountInput, probes: MountProbes): MountPlan {
  const { storage } = input;
  const entries = orderedEntries(input);
  // First: the volume's mountpoint, seeds, binds, templates and the boot record may then go on the disk.
  const actions: MountAction[] = rootReadOnlyForNow(probes.root) ? [{ kind: 'remount-root', path: '/' }] : [];
  const degradedPaths: string[] = [];
  const persistentPaths = entries.filter((e) => e.kind === 'persistent').map((e) => e.path);

  let problem: MountPlan['storageProblem'];
  let storageId: string | undefined;
  if (storage) {
    const decided = storageActions(storage, probes);
    if ('problem' in decided) problem = decided.problem;
    else {
      actions.push(...decided.actions);
      storageId = decided.majorMinor;
    }
  } else if (persistentPaths.length > 0) {
    problem = {
      message: `persistent paths are declared (${persistentPaths.join(', ')}) but no storage device is given`,
      where: 'manifest storage',
      fix: 'add "storage": { "device": "LABEL=cloudlet-data", "format": "if-blank" } to the manifest, pass it in user data, or boot with cloudlet.storage=/dev/vdb',
    };
  }

  for (const entry of entries) {
    const probe = probeOf(probes, entry.path);
    if (entry.kind === 'volatile') {
      actions.push(...volatileActions(entry, probe));
    } else if (problem) {
      degradedPaths.push(entry.path);
    } else {
      actions.push(...persistentActions(entry.path, probe, storageId));
    }
  }
  return {
    actions,
    degradedPaths,
    ...(probes.storageHost && !problem ? { storageHost: probes.storageHost } : {}),
    ...(storage ? { storage } : {}),
    ...(problem ? { storageProblem: problem } : {}),
  };
}

/**
 * Persistent and volatile paths, parents before children; manifest order among equals. The manifest
 * loader has normalized the paths and checked sizes, modes and /.cloudlet (src/manifest/semantic.ts).
 */
function orderedEntries(input: MountInput): Entry[] {
  const entries: Entry[] = [
    ...input.persistent.map((p): Entry => ({ kind: 'persistent', path: p.path })),
    ...input.volatile.map((v): Entry => ({ kind: 'volatile', path: v.path, ...(v.size ? { size: v.size } : {}), ...(v.mode ? { mode: v.mode } : {}) })),
  ];
  const depth = (p: string) => p.split('/').length;
  // Array sort is stable: equals keep the manifest's order.
  return entries.sort((a, b) => depth(a.path) - depth(b.path));
}

type StorageDecision = { actions: MountAction[]; majorMinor?: string } | { problem: NonNullable<MountPlan['storageProblem']> };

/** mkfs (only for a provably blank device) and the mount of the volume, or why the volume is unusable. */
function storageActions(storage: EffectiveStorage, probes: MountProbes): StorageDecision {
  const device: DeviceProbe | undefined = probes.device;
  const where = `${storage.device} (from ${storage.from})`;
  const mounted = probes.storageMounted;
  if (mounted && (!device?.path || device.majorMinor === mounted.majorMinor)) {
    return { actions: [{ kind: 'skip', path: STORAGE_MOUNTPOINT, reason: `already mounted (${mounted.fstype})` }], majorMinor: mounted.majorMinor };
  }
  if (mounted) {
    return refuse(`another filesystem (${mounted.fstype}, ${mounted.majorMinor}) is already mounted at ${STORAGE_MOUNTPOINT}`, where, `unmount it, or point storage.device at it`);
  }
  if (device?.ambiguous) {
    return refuse(`no volume is labelled ${storage.device} yet, and there are ${device.ambiguous.length} blank disks (${device.ambiguous.join(', ')})`, where, 'name the disk to format on the kernel command line (cloudlet.storage=/dev/vdb) or in user data storage.device; it gets the label');
  }
  if (device?.matchedBy === 'only-blank-disk' && storage.format !== 'if-blank') {
    return refuse(`no block device matches ${storage.device}`, where, 'attach the volume, or correct storage.device (LABEL=, UUID= or /dev/ path)');
  }
  if (!device?.path) {
    return refuse(`no block device matches ${storage.device}`, where, 'attach the volume, or correct storage.device (LABEL=, UUID= or /dev/ path)');
  }
  const path = device.path;
  const mount: MountAction = {
    kind: 'mount-storage',
    device: path,
    target: STORAGE_MOUNTPOINT,
    ...(storage.options ? { options: storage.options } : {}),
  };
  if (device.filesystem) {
    if (storage.fstype && family(storage.fstype) !== family(device.filesystem)) {
      return refuse(`${path} holds a ${device.filesystem} filesystem, but storage.fstype is ${storage.fstype}`, where, `set storage.fstype to "${device.filesystem}", or attach the right volume; the agent never reformats a filesystem`);
    }
    return { actions: [{ ...mount, fstype: storage.fstype ?? device.filesystem }], ...(device.majorMinor ? { majorMinor: device.majorMinor } : {}) };
  }
  if (device.otherSignature) {
    return refuse(`${path} holds a ${device.otherSignature} signature and no filesystem; it is never formatted`, where, 'make a filesystem on it yourself (or on its partition and point storage.device there)');
  }
  if (!device.zeroed) {
    return refuse(`${path} has no filesystem signature but holds data (its first 4 MiB or its last MiB are not all zero); it is never formatted`, where, 'if the data is expendable, wipe it (blkdiscard or dd from /dev/zero) and boot again, or make a filesystem on it yourself');
  }
  if (storage.format !== 'if-blank') {
    return refuse(`${path} is blank and storage.format is "never"`, where, 'set storage.format to "if-blank" to let the agent make a filesystem on a blank device, or run mkfs yourself');
  }
  const fstype = storage.fstype ?? DEFAULT_FSTYPE;
  const mkfs: MountAction = { kind: 'mkfs', device: path, fstype, ...storage.identity, ...(device.matchedBy === 'only-blank-disk' ? { onlyBlankDisk: true } : {}) };
  return { actions: [mkfs, { ...mount, fstype }], ...(device.majorMinor ? { majorMinor: device.majorMinor } : {}) };
}

function refuse(message: string, where: string, fix: string): StorageDecision {
  return { problem: { message, where, fix } };
}

/** ext2, ext3 and ext4 are mounted by one driver: a spec of ext4 accepts an ext3 volume. */
function family(fstype: string): string {
  return /^ext[234]$/.test(fstype) ? 'ext' : fstype;
}

function persistentActions(path: string, probe: PathProbe, storageId: string | undefined): MountAction[] {
  const volumePath = STORAGE_MOUNTPOINT + path;
  const m = probe.mounted;
  if (m && storageId !== undefined && m.majorMinor === storageId && m.fsRoot === path) {
    return [{ kind: 'skip', path, reason: 'already bound from the volume' }];
  }
  if (probe.image === 'other') {
    throw new AgentError('E_MOUNT', `persistent path ${path} is neither a directory nor a regular file in the image`, {
      where: path,
      fix: 'persist a directory or a regular file',
    });
  }
  const actions: MountAction[] = [];
  if (probe.volume !== 'present') {
    const from = probe.image === 'absent' ? 'empty-dir' : probe.image;
    actions.push({ kind: 'seed', path, volumePath, from, ifAbsent: probe.volume === 'unknown' });
  }
  actions.push({ kind: 'bind', source: volumePath, target: path, makeTarget: probe.image });
  return actions;
}

function volatileActions(entry: Extract<Entry, { kind: 'volatile' }>, probe: PathProbe): MountAction[] {
  if (probe.mounted?.fstype === 'tmpfs') return [{ kind: 'skip', path: entry.path, reason: 'tmpfs already mounted' }];
  if (probe.image === 'file' || probe.image === 'other') {
    throw new AgentError('E_MOUNT', `volatile path ${entry.path} is not a directory in the image`, {
      where: entry.path,
      fix: 'volatile paths are directories: a tmpfs is mounted on them',
    });
  }
  return [
    {
      kind: 'tmpfs',
      path: entry.path,
      ...(entry.size ? { size: entry.size } : {}),
      ...(entry.mode ? { mode: entry.mode } : {}),
      seed: probe.image === 'dir' && probe.imageHasContent,
      makeTarget: probe.image === 'absent',
    },
  ];
}

function probeOf(probes: MountProbes, path: string): PathProbe {
  return probes.paths.find((p) => p.path === path) ?? { path, image: 'absent', imageHasContent: false, volume: 'unknown' };
}

/** One line per action, as --dry-run and the describe of the step print them. */
export function describeAction(a: MountAction): string {
  switch (a.kind) {
    case 'remount-root':
      return 'remount / read-write for this run (read-only for now, its /etc/fstab mounts it rw), read-only again after';
    case 'mkfs':
      return `mkfs.${a.fstype} ${a.device} (blank${a.onlyBlankDisk ? ', the only blank disk' : ''})${a.label ? ` label=${a.label}` : ''}${a.uuid ? ` uuid=${a.uuid}` : ''}`;
    case 'mount-storage':
      return `mount ${a.device} -> ${a.target}${a.fstype ? ` (${a.fstype}${a.options ? `, ${a.options}` : ''})` : ''}`;
    case 'seed':
      return `seed ${a.path}${a.ifAbsent ? ' (if the volume lacks it)' : ''}${a.from === 'empty-dir' ? ' (empty: not in the image)' : ''}`;
    case 'bind':
      return `bind ${a.source} -> ${a.target}`;
    case 'tmpfs':
      return `tmpfs ${a.path}${a.size ? ` size=${a.size}` : ''}${a.mode ? ` mode=${a.mode}` : ''}${a.seed ? ' (seeded from the image)' : ''}`;
    case 'skip':
      return `skip ${a.path}: ${a.reason}`;
  }
}
