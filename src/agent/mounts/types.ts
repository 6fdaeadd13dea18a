// Types shared by the mount planner and its apply side: what the probes found and what to do.

import type { OnError, StorageSpec } from '../../manifest/types';

/** Where the volume is mounted inside the image root. */
export const STORAGE_MOUNTPOINT = '/.cloudlet/storage';

/** The storage spec after manifest, user data and kernel command line are merged. */
export interface EffectiveStorage {
  device: string;
  fstype?: string;
  format: 'never' | 'if-blank';
  options?: string;
  /** label or UUID a new filesystem gets: from the first LABEL=/UUID= spec among the layers */
  identity: { label?: string; uuid?: string };
  /** which layer chose the device: for messages */
  from: 'manifest' | 'user-data' | 'cmdline';
}

/** What was found about the storage device, before anything was changed. */
export interface DeviceProbe {
  /** host path of the block device (or image file); absent when nothing matched the spec */
  path?: string;
  /** "major:minor" of the device, to recognise it in mountinfo */
  majorMinor?: string;
  /** filesystem type found by its signature (ext4, xfs, vfat, iso9660, ...) */
  filesystem?: string;
  /** any other signature: partition table (dos, gpt), LVM, LUKS, RAID ... */
  otherSignature?: string;
  /** true only when every byte of the regions read was zero */
  zeroed: boolean;
  /**
   * "only-blank-disk": nothing carries the LABEL=/UUID= yet (a new disk has no label), and this is
   * the one whole disk of the machine that is blank. Looked for only with format "if-blank".
   */
  matchedBy?: 'spec' | 'only-blank-disk';
  /** several blank disks and none carries the label: the agent will not guess */
  ambiguous?: string[];
}

/** What is mounted at a path now (from mountinfo), so a second run changes nothing. */
export interface MountedProbe {
  fstype: string;
  majorMinor: string;
  /** path inside the mounted filesystem ("/" for a whole filesystem, "/var/lib/app" for a bind) */
  fsRoot: string;
}

export type PathKind = 'dir' | 'file' | 'absent' | 'other';

export interface PathProbe {
  path: string;
  /** what the image has at the path */
  image: PathKind;
  /** the image's directory has entries (worth copying into a tmpfs) */
  imageHasContent: boolean;
  /** whether the mounted volume already has the path; unknown while the volume is not mounted */
  volume: 'present' | 'absent' | 'unknown';
  mounted?: MountedProbe;
}

/** The image root as mounted now, when it is a mount point of its own (init=, the initramfs hooks). */
export interface RootProbe {
  readOnly: boolean;
  /** options of the image's /etc/fstab entry for "/", when it has one */
  fstabOptions?: string[];
}

export interface MountProbes {
  /** asked only where the run is the boot's (modes init and run) */
  root?: RootProbe;
  device?: DeviceProbe;
  /** what is mounted at STORAGE_MOUNTPOINT (or its read-only-root fallback) now */
  storageMounted?: MountedProbe;
  /** host path where the volume is mounted now, when it is */
  storageHost?: string;
  paths: PathProbe[];
}

export interface MountInput {
  /** the storage of this boot: manifest, user data and kernel command line merged (effectiveStorage) */
  storage?: EffectiveStorage;
  persistent: Array<{ path: string }>;
  volatile: Array<{ path: string; size?: string; mode?: string }>;
  onError: OnError;
}

export type MountAction =
  | { kind: 'remount-root'; path: '/' }
  | { kind: 'mkfs'; device: string; fstype: string; label?: string; uuid?: string; onlyBlankDisk?: boolean }
  | { kind: 'mount-storage'; device: string; fstype?: string; options?: string; target: string }
  | { kind: 'seed'; path: string; volumePath: string; from: 'file' | 'dir' | 'empty-dir'; ifAbsent: boolean }
  | { kind: 'bind'; source: string; target: string; makeTarget: PathKind }
  | { kind: 'tmpfs'; path: string; size?: string; mode?: string; seed: boolean; makeTarget: boolean }
  | { kind: 'skip'; path: string; reason: string };

export interface MountPlan {
  storage?: EffectiveStorage;
  actions: MountAction[];
  /** why the volume cannot be used; with onError "continue" the step ends degraded instead of failing */
  storageProblem?: { message: string; fix: string; where: string };
  /** persistent paths left on the image because the volume is unusable */
  degradedPaths: string[];
  /** host path where the volume is already mounted (from the probes), for apply */
  storageHost?: string;
}
