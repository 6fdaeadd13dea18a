// The disk planner's input and its plan: plain data, so --dry-run --json prints it as it is.

/** What a staged root tree takes in ext4 (measureTree). */
export interface TreeUsage {
  /** 4 KiB blocks of file data, directories and long symlink targets */
  dataBlocks: number;
  /** inodes, hard links counted once, the root directory included */
  inodes: number;
  /** bytes of regular files, for reports */
  bytes: number;
}

export interface DiskInput {
  /** the input's digest ("sha256:<hex>"): every UUID, the hash seed and the volume id derive from it */
  seed: string;
  /** SOURCE_DATE_EPOCH or the input's newest mtime (seconds): every time the tools would take from the clock */
  epoch: number;
  tree: TreeUsage;
  kernelBytes: number;
  /** absent when the image boots without an initrd */
  initrdBytes?: number;
  /** kernel arguments after bake's own (root=, ro, rootwait, consoles): the boot entry's, e.g. init= and the manifest's cmdline */
  cmdline: readonly string[];
  /** --size, bytes of the whole disk; absent: sized automatically */
  requestedBytes?: number;
  /** boot menu title, e.g. "hello 1.2.0" */
  title?: string;
  /** ext4 label (at most 16 bytes) and FAT label (at most 11 characters) */
  labels?: { root?: string; esp?: string };
}

export type PartitionRole = 'esp' | 'root';

export interface PartitionPlan {
  number: number;
  role: PartitionRole;
  /** GPT partition name */
  name: string;
  typeGuid: string;
  uuid: string;
  startSector: number;
  sectors: number;
  offsetBytes: number;
  sizeBytes: number;
  /** GPT attribute names as sfdisk spells them */
  attributes: string[];
}

/** How the disk got its size: every figure a dry run reports. */
export interface DiskSizing {
  mode: 'automatic' | 'requested';
  requestedBytes?: number;
  /** the smallest disk these files fit on */
  minimumBytes: number;
  /** what the files need in ext4 (data, directories, links) */
  contentBytes: number;
  /** what ext4 keeps for itself at the planned size (inode tables, journal, superblock copies, bitmaps) */
  overheadBytes: number;
  /** reserved for root (mke2fs -m) */
  reservedBytes: number;
  /** free for everyone once the image boots */
  freeBytes: number;
}

export interface RootFsPlan {
  uuid: string;
  hashSeed: string;
  label: string;
  blockSize: number;
  blocks: number;
  inodes: number;
  journalBlocks: number;
  reservedPercent: number;
  features: string[];
}

export interface EspFile {
  /** path on the ESP */
  path: string;
  /** where the bytes come from: the image's kernel or initrd, a Debian boot loader file, or text in this plan */
  source: { kind: 'kernel' } | { kind: 'initrd' } | { kind: 'host'; path: string } | { kind: 'text'; text: string };
}

export interface EspPlan {
  volumeId: string;
  label: string;
  fatBits: 32;
  sectorsPerCluster: number;
  /** directories to make, parents first */
  directories: string[];
  files: EspFile[];
  /** where syslinux installs ldlinux.sys and ldlinux.c32 */
  syslinuxDirectory: string;
  /** the time mtools writes into every directory entry (the epoch, no earlier than 1980 for FAT) */
  timestamp: number;
  /** bytes of kernel and initrd the ESP was sized for */
  contentBytes: number;
}

export interface DiskPlan {
  sectorSize: 512;
  totalBytes: number;
  diskGuid: string;
  sizing: DiskSizing;
  partitions: PartitionPlan[];
  root: RootFsPlan;
  esp: EspPlan;
  /** the whole kernel command line both boot loaders pass */
  cmdline: string;
  /** BIOS: MBR boot code from this file into the first 440 bytes */
  mbrCode: string;
  epoch: number;
}
