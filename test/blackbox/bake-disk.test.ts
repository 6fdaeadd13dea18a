// Blackbox: the raw master disk from a small staged tree, checked with the tools that read disks: sfdisk, e2fsck, debugfs, mtools.

import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AgentError } from '../../src/errors';
import { bootFileSizes, buildDisk, measureTree, planDisk, type BootFiles, type DiskInput, type DiskPlan } from '../../src/cloudlet/disk';
import { realSystem } from '../../src/system/real-system';
import { EPOCH, extract, MTIME, SEED, tool, writeBootFiles, writeStagedTree } from './bake-disk-support';
import { tempDir } from './harness';

const system = realSystem();
let work = '';
let cleanup = () => {};
let boot: BootFiles;

beforeAll(() => {
  ({ dir: work, cleanup } = tempDir('cloudlet-bake-disk-'));
  boot = writeBootFiles(work);
});
afterAll(() => cleanup());

async function input(root: string, extra: Partial<DiskInput> = {}): Promise<DiskInput> {
  return { seed: SEED, epoch: EPOCH, tree: await measureTree(root), ...(await bootFileSizes(boot)), cmdline: ['init=/usr/lib/cloudlet/cloudlet-agent', 'quiet'], title: 'bake test 1.0', ...extra };
}

async function bake(root: string, out: string, extra: Partial<DiskInput> = {}): Promise<DiskPlan> {
  const plan = planDisk(await input(root, extra));
  await buildDisk(plan, root, boot, out, system);
  return plan;
}

const sha256 = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');
const part = (plan: DiskPlan, role: 'esp' | 'root') => plan.partitions.find((p) => p.role === role) as DiskPlan['partitions'][number];

describe('bake disk', () => {
  let root = '';
  let disk = '';
  let plan: DiskPlan;

  beforeAll(async () => {
    root = join(work, 'tree-a');
    writeStagedTree(root);
    disk = join(work, 'disk-a.raw');
    plan = await bake(root, disk);
  });

  it('writes the GPT as planned: aligned partitions, their types, uuids, the ESP legacy-BIOS bootable, gptmbr.bin as MBR code', () => {
    expect(statSync(disk).size).toBe(plan.totalBytes);
    // Sparse: far fewer blocks allocated than the disk's size.
    expect(statSync(disk).blocks * 512).toBeLessThan(plan.totalBytes / 2);
    const table = (JSON.parse(tool('sfdisk', ['--json', disk])) as { partitiontable: { label: string; id: string; sectorsize: number; partitions: Array<Record<string, string | number>> } }).partitiontable;
    expect(table.label).toBe('gpt');
    expect(table.id.toLowerCase()).toBe(plan.diskGuid);
    expect(table.partitions).toHaveLength(2);
    for (const [i, p] of plan.partitions.entries()) {
      const got = table.partitions[i] ?? {};
      expect(Number(got.start) % 2048).toBe(0);
      expect({ start: got.start, size: got.size, type: String(got.type).toUpperCase(), uuid: String(got.uuid).toLowerCase(), name: got.name }).toEqual({
        start: p.startSector,
        size: p.sectors,
        type: p.typeGuid,
        uuid: p.uuid,
        name: p.name,
      });
    }
    expect(table.partitions[0]?.attrs).toBe('LegacyBIOSBootable');
    expect(table.partitions[1]?.attrs).toBeUndefined();
    const head = readFileSync(disk).subarray(0, 512);
    expect(head.subarray(0, 440).equals(readFileSync('/usr/lib/syslinux/mbr/gptmbr.bin'))).toBe(true);
    expect(head.readUInt16LE(510)).toBe(0xaa55);
  });

  it('makes the root a clean ext4 with the planned uuid and hash seed, and the tree\'s files with their owners, modes and links', () => {
    const r = part(plan, 'root');
    const img = extract(disk, r.offsetBytes, r.sizeBytes, join(work, 'root-a.ext4'));
    tool('fsck.ext4', ['-fn', img]);
    const header = tool('dumpe2fs', ['-h', img]);
    expect(header).toMatch(new RegExp(`Filesystem UUID:\\s+${plan.root.uuid}`));
    expect(header).toMatch(new RegExp(`Directory Hash Seed:\\s+${plan.root.hashSeed}`));
    expect(header).toMatch(/Filesystem volume name:\s+cloudlet-root/);
    const ls = (dir: string) => tool('debugfs', ['-R', `ls -l ${dir}`, img]);
    const rootLs = ls('/');
    for (const name of ['etc', 'home', 'usr', 'bin', 'dev', 'lost+found']) expect(rootLs).toMatch(new RegExp(`\\s${name.replace('+', '\\+')}\\s*$`, 'm'));
    const stat = (path: string) => tool('debugfs', ['-R', `stat ${path}`, img]);
    expect(stat('/')).toMatch(/Mode:\s+0755/);
    expect(stat('/etc/shadow')).toMatch(/User:\s+0\s+Group:\s+42\s/);
    expect(stat('/etc/shadow')).toMatch(/Mode:\s+0640/);
    expect(stat('/home/user')).toMatch(/User:\s+1000\s+Group:\s+1000/);
    expect(stat('/home/user')).toMatch(/Mode:\s+0750/);
    expect(stat('/home/user/note.txt')).toMatch(/Mode:\s+0600/);
    expect(stat('/usr/bin/tool')).toMatch(/Mode:\s+04755/);
    expect(stat('/usr/bin/tool')).toMatch(/Links: 2/);
    expect(stat('/dev/console')).toMatch(/Type: character special/);
    expect(stat('/bin')).toMatch(/Fast link dest: "usr\/bin"/);
    expect(tool('debugfs', ['-R', 'cat /etc/hostname', img])).toBe('bake-test\n');
    const xattrs = tool('debugfs', ['-R', 'ea_list /etc/hostname', img]);
    expect(xattrs).toContain('user.bake-a (5) = "first"');
    expect(xattrs).toContain('user.bake-b (6) = "second"');
    // Times: mtime as staged; access and change times pinned to the epoch.
    const times = stat('/etc/hostname');
    expect(times).toContain(`mtime: 0x${MTIME.toString(16)}:`);
    expect(times).toContain(`ctime: 0x${EPOCH.toString(16)}:`);
    expect(times).toContain(`atime: 0x${EPOCH.toString(16)}:`);
    const ids = (path: string) => /Inode: (\d+)/.exec(stat(path))?.[1];
    expect(ids('/usr/bin/tool-link')).toBe(ids('/usr/bin/tool'));
  });

  it('puts loaders, kernel, initrd and the boot entries on the ESP, with the planned volume id', () => {
    const e = part(plan, 'esp');
    const image = `${disk}@@${e.offsetBytes}`;
    const env = { MTOOLS_SKIP_CHECK: '1' };
    const listing = tool('mdir', ['-i', image, '-/', '-a', '-b', '::'], env);
    const files = listing.split('\n').map((l) => l.trim().replace(/^::/, '')).filter(Boolean);
    for (const f of ['/vmlinuz', '/initrd.img', '/EFI/BOOT/BOOTX64.EFI', '/loader/loader.conf', '/loader/entries/cloudlet.conf', '/syslinux/syslinux.cfg', '/syslinux/ldlinux.sys', '/syslinux/ldlinux.c32']) {
      expect(files).toContain(f);
    }
    expect(tool('mdir', ['-i', image, '::'], env)).toContain(`Volume Serial Number is ${plan.esp.volumeId.slice(0, 4)}-${plan.esp.volumeId.slice(4)}`);
    const entry = tool('mtype', ['-i', image, '::/loader/entries/cloudlet.conf'], env);
    expect(entry).toContain(`options ${plan.cmdline}`);
    expect(entry).toContain('initrd /initrd.img');
    expect(tool('mtype', ['-i', image, '::/syslinux/syslinux.cfg'], env)).toContain(`APPEND ${plan.cmdline}`);
    const copied = join(work, 'vmlinuz-from-esp');
    tool('mcopy', ['-n', '-i', image, '::/vmlinuz', copied], env);
    expect(readFileSync(copied).equals(readFileSync(boot.kernel))).toBe(true);
    expect(tool('mcopy', ['-n', '-i', image, '::/EFI/BOOT/BOOTX64.EFI', '-'], env).length).toBeGreaterThan(0);
    tool('fsck.vfat', ['-n', extract(disk, e.offsetBytes, e.sizeBytes, join(work, 'esp-a.vfat'))]);
    expect(plan.cmdline).toMatch(new RegExp(`^root=PARTUUID=${part(plan, 'root').uuid} ro rootwait console=tty0 console=ttyS0 init=/usr/lib/cloudlet/cloudlet-agent quiet$`));
  });

  it('gives byte-identical disks for the same inputs, staged again later in another order with other access times', async () => {
    // The second staging must fall in a later second, or its change times could not differ from the first's.
    const staged = Math.floor(statSync(join(root, 'etc/hostname')).ctimeMs / 1000);
    while (Math.floor(Date.now() / 1000) <= staged) await new Promise((r) => setTimeout(r, 50));
    const again = join(work, 'tree-b');
    writeStagedTree(again, { reverse: true, atime: MTIME + 12345 });
    expect(Math.floor(statSync(join(again, 'etc/hostname')).ctimeMs / 1000)).not.toBe(staged);
    const second = join(work, 'disk-b.raw');
    expect(await bake(again, second)).toEqual(plan);
    expect(sha256(second)).toBe(sha256(disk));
  });

  it('refuses a --size the files do not fit in with E_BAKE_SIZE and the size needed, and that size builds', async () => {
    // The ESP takes 64 MiB and the GPT 2: a 68 MiB disk leaves 2 MiB for the root.
    const err = await bake(root, join(work, 'too-small.raw'), { requestedBytes: 68 * 1024 * 1024 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AgentError);
    expect((err as AgentError).code).toBe('E_BAKE_SIZE');
    const needed = /at least (\d+) MiB/.exec((err as AgentError).message)?.[1];
    expect((err as AgentError).fix).toContain(`--size ${needed}M`);
    expect(existsSync(join(work, 'too-small.raw'))).toBe(false);
    const exact = join(work, 'exact.raw');
    const fitted = await bake(root, exact, { requestedBytes: Number(needed) * 1024 * 1024 });
    expect(statSync(exact).size).toBe(Number(needed) * 1024 * 1024);
    const r = part(fitted, 'root');
    tool('fsck.ext4', ['-fn', extract(exact, r.offsetBytes, r.sizeBytes, join(work, 'root-exact.ext4'))]);
  });
});

describe('bake disk sizes', () => {
  it('the minimum it plans holds a tree of many small files and deep directories, with inodes to spare', async () => {
    const root = join(work, 'tree-many');
    writeStagedTree(root);
    for (let d = 0; d < 16; d++) {
      const files = Object.fromEntries(Array.from({ length: 60 }, (_, i) => [`f-${d}-${i}-${'n'.repeat(i % 40)}`, String(i).repeat(i * 30)]));
      const dir = join(root, 'data', ...Array.from({ length: (d % 8) + 1 }, (_, k) => `level-${d}-${k}`));
      mkdirSync(dir, { recursive: true });
      for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
    }
    const minimum = planDisk(await input(root)).sizing.minimumBytes;
    const out = join(work, 'many.raw');
    const plan = await bake(root, out, { requestedBytes: Math.ceil(minimum / (1024 * 1024)) * 1024 * 1024 });
    const r = part(plan, 'root');
    const img = extract(out, r.offsetBytes, r.sizeBytes, join(work, 'root-many.ext4'));
    tool('fsck.ext4', ['-fn', img]);
    // Even the smallest disk leaves the booted system inodes to create files with.
    expect(Number(/Free inodes:\s+(\d+)/.exec(tool('dumpe2fs', ['-h', img]))?.[1])).toBeGreaterThanOrEqual(1024);
  });

  it('files that outgrow the plan fail with E_BAKE_SIZE and leave no disk and no scratch files', async () => {
    const root = join(work, 'tree-grown');
    writeStagedTree(root);
    const plan = planDisk(await input(root, { requestedBytes: planDisk(await input(root)).sizing.minimumBytes }));
    writeFileSync(join(root, 'grown.bin'), Buffer.alloc(2 * plan.partitions[1]!.sizeBytes, 0x5a));
    const out = join(work, 'grown.raw');
    const err = await buildDisk(plan, root, boot, out, system).catch((e: unknown) => e);
    expect((err as AgentError).code).toBe('E_BAKE_SIZE');
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(work).filter((f) => f.includes('grown.raw'))).toEqual([]);
  });

  it('a missing kernel is E_BAKE_INPUT naming it, and nothing is written', async () => {
    const root = join(work, 'tree-a');
    const plan = planDisk(await input(root));
    const out = join(work, 'no-kernel.raw');
    const err = await buildDisk(plan, root, { ...boot, kernel: join(work, 'missing-vmlinuz') }, out, system).catch((e: unknown) => e);
    expect((err as AgentError).code).toBe('E_BAKE_INPUT');
    expect((err as AgentError).message).toContain('missing-vmlinuz');
    expect(existsSync(out)).toBe(false);
  });
});
