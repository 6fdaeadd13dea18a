import { describe, expect, it } from 'vitest';
import { describeDisk } from './describe';
import { BLOCK_SIZE, ext4Geometry } from './ext4-layout';
import { ESP_TYPE, MIB, planDisk, ROOT_TYPE_X86_64 } from './plan';
import type { DiskInput, DiskPlan } from './types';
import { agentErrorOf as fail } from '../../test-support';

const base: DiskInput = {
  seed: 'sha256:0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0',
  epoch: 1_700_000_000,
  tree: { dataBlocks: 100_000, inodes: 12_000, bytes: 380 * MIB },
  kernelBytes: 7 * MIB,
  initrdBytes: 30 * MIB,
  cmdline: ['init=/usr/lib/cloudlet/cloudlet-agent', 'quiet'],
  title: 'hello 1.2.0',
};

function layoutInvariants(plan: DiskPlan): void {
  const [esp, root] = plan.partitions;
  expect(esp && root).toBeTruthy();
  if (!esp || !root) return;
  for (const p of plan.partitions) {
    expect(p.offsetBytes % MIB).toBe(0);
    expect(p.sizeBytes % MIB).toBe(0);
    expect(p.startSector * plan.sectorSize).toBe(p.offsetBytes);
    expect(p.sectors * plan.sectorSize).toBe(p.sizeBytes);
  }
  expect(esp.offsetBytes).toBe(MIB);
  expect(root.offsetBytes).toBe(esp.offsetBytes + esp.sizeBytes);
  // The backup GPT (33 sectors) fits after the root, and the whole disk is whole MiB.
  expect(plan.totalBytes - (root.offsetBytes + root.sizeBytes)).toBe(MIB);
  expect(plan.totalBytes % MIB).toBe(0);
  expect(plan.root.blocks * plan.root.blockSize).toBe(root.sizeBytes);
}

describe('planDisk', () => {
  it('lays out an ESP and an ext4 root at 1 MiB aligned offsets, the ESP legacy-BIOS bootable', () => {
    const plan = planDisk(base);
    layoutInvariants(plan);
    expect(plan.partitions.map((p) => [p.role, p.typeGuid, p.attributes])).toEqual([
      ['esp', ESP_TYPE, ['LegacyBIOSBootable']],
      ['root', ROOT_TYPE_X86_64, []],
    ]);
  });

  it('sizes the ESP for kernel and initrd with room to spare, never below what FAT32 needs', () => {
    const plan = planDisk(base);
    const esp = plan.partitions[0];
    expect(esp?.sizeBytes).toBeGreaterThanOrEqual(1.25 * (base.kernelBytes + (base.initrdBytes ?? 0)));
    const tiny = planDisk({ ...base, kernelBytes: 1000, initrdBytes: undefined });
    expect(tiny.partitions[0]?.sizeBytes).toBe(64 * MIB);
    const big = planDisk({ ...base, initrdBytes: 600 * MIB });
    expect(big.esp.sectorsPerCluster).toBe(8);
    expect(big.partitions[0]?.sizeBytes).toBeGreaterThan(750 * MIB);
  });

  it('sizes the root automatically: the files, what ext4 keeps, the reserve and free room, all reported', () => {
    const plan = planDisk(base);
    const s = plan.sizing;
    expect(s.mode).toBe('automatic');
    expect(s.contentBytes).toBeGreaterThanOrEqual(base.tree.dataBlocks * BLOCK_SIZE);
    expect(s.freeBytes).toBeGreaterThanOrEqual(0.25 * base.tree.bytes);
    expect(s.contentBytes + s.overheadBytes + s.reservedBytes + s.freeBytes).toBe(plan.root.blocks * BLOCK_SIZE);
    expect(s.overheadBytes).toBe(ext4Geometry(plan.root.blocks, plan.root.inodes).overheadBlocks * BLOCK_SIZE);
    expect(plan.root.inodes).toBeGreaterThanOrEqual(base.tree.inodes + 11 + 1024);
    expect(s.minimumBytes).toBeLessThan(plan.totalBytes);
    const small = planDisk({ ...base, tree: { dataBlocks: 10, inodes: 20, bytes: 4000 } });
    expect(small.sizing.freeBytes).toBeGreaterThanOrEqual(64 * MIB);
  });

  it('gives more inodes than the size alone would when the tree has many small files, a tenth more than it has', () => {
    const tree = { dataBlocks: 50_000, inodes: 400_000, bytes: 100 * MIB };
    expect(planDisk({ ...base, tree }).root.inodes).toBeGreaterThanOrEqual(440_011);
    const smallest = planDisk({ ...base, tree, requestedBytes: planDisk({ ...base, tree }).sizing.minimumBytes });
    expect(smallest.root.inodes).toBeGreaterThanOrEqual(440_011);
  });

  it('takes --size as the whole disk, rounded down to whole MiB, the root getting what the ESP leaves', () => {
    const plan = planDisk({ ...base, requestedBytes: 2 * 1024 * MIB + 123 });
    layoutInvariants(plan);
    expect(plan.totalBytes).toBe(2 * 1024 * MIB);
    expect(plan.sizing).toMatchObject({ mode: 'requested', requestedBytes: 2 * 1024 * MIB + 123 });
  });

  it('refuses a --size the files do not fit in with E_BAKE_SIZE naming the size needed, and that size fits', () => {
    const auto = planDisk(base);
    const err = fail(() => planDisk({ ...base, requestedBytes: 200 * MIB }));
    expect(err.code).toBe('E_BAKE_SIZE');
    const needed = Math.ceil(auto.sizing.minimumBytes / MIB);
    expect(err.message).toContain(`at least ${needed} MiB`);
    expect(err.fix).toContain(`--size ${needed}M`);
    const exact = planDisk({ ...base, requestedBytes: needed * MIB });
    expect(exact.totalBytes).toBe(needed * MIB);
    expect(exact.sizing.freeBytes).toBeGreaterThanOrEqual(0);
    expect(fail(() => planDisk({ ...base, requestedBytes: (needed - 1) * MIB })).code).toBe('E_BAKE_SIZE');
  });

  it('refuses a --size beyond 16 TiB or not a whole number', () => {
    expect(fail(() => planDisk({ ...base, requestedBytes: 17 * 1024 * 1024 * MIB })).code).toBe('E_BAKE_SIZE');
    expect(fail(() => planDisk({ ...base, requestedBytes: 1.5e9 + 0.5 })).code).toBe('E_BAKE_SIZE');
  });

  it('derives every id from the seed: the same input plans the same disk, another seed another one', () => {
    const a = planDisk(base);
    expect(planDisk({ ...base })).toEqual(a);
    const b = planDisk({ ...base, seed: 'sha256:ffff' });
    const ids = (p: DiskPlan) => [p.diskGuid, ...p.partitions.map((x) => x.uuid), p.root.uuid, p.root.hashSeed, p.esp.volumeId];
    const idsA = ids(a);
    expect(new Set(idsA).size).toBe(idsA.length);
    for (const [i, id] of ids(b).entries()) expect(id).not.toBe(idsA[i]);
  });

  it('boots root=PARTUUID of the root partition, with the caller\'s arguments after bake\'s', () => {
    const plan = planDisk(base);
    expect(plan.cmdline).toBe(`root=PARTUUID=${plan.partitions[1]?.uuid} ro rootwait console=tty0 console=ttyS0 init=/usr/lib/cloudlet/cloudlet-agent quiet`);
    const texts = plan.esp.files.flatMap((f) => (f.source.kind === 'text' ? [f.source.text] : []));
    expect(texts.filter((t) => t.includes(plan.cmdline))).toHaveLength(2);
  });

  it('copies the initrd only when there is one', () => {
    const withInitrd = planDisk(base).esp.files.map((f) => f.path);
    expect(withInitrd).toEqual(expect.arrayContaining(['/vmlinuz', '/initrd.img', '/EFI/BOOT/BOOTX64.EFI', '/loader/loader.conf', '/loader/entries/cloudlet.conf', '/syslinux/syslinux.cfg']));
    const without = planDisk({ ...base, initrdBytes: undefined });
    expect(without.esp.files.map((f) => f.path)).not.toContain('/initrd.img');
    expect(JSON.stringify(without)).not.toMatch(/initrd/i);
  });

  it('keeps FAT times at 1980 or later when the epoch is earlier (SOURCE_DATE_EPOCH=0)', () => {
    expect(planDisk({ ...base, epoch: 0 }).esp.timestamp).toBe(315_532_800);
    expect(planDisk(base).esp.timestamp).toBe(base.epoch);
  });

  it('refuses labels ext4 or FAT cannot hold', () => {
    expect(fail(() => planDisk({ ...base, labels: { root: 'a-label-far-too-long' } })).code).toBe('E_USAGE');
    expect(fail(() => planDisk({ ...base, labels: { esp: 'lower' } })).code).toBe('E_USAGE');
    expect(planDisk({ ...base, labels: { root: 'r', esp: 'BOOT' } }).esp.label).toBe('BOOT');
  });

  it('is plain data: JSON gives the same plan back', () => {
    const plan = planDisk(base);
    expect(JSON.parse(JSON.stringify(plan))).toEqual(plan);
  });

  it('describes partitions, sizes, boot loaders and the commands it will run', () => {
    const plan = planDisk(base);
    const text = describeDisk(plan).join('\n');
    for (const p of plan.partitions) expect(text).toContain(p.uuid);
    expect(text).toContain(plan.cmdline);
    expect(text).toContain(`mkfs.ext4 -q -F -t ext4`);
    expect(text).toContain(`-U ${plan.root.uuid}`);
    expect(text).toContain(`syslinux --install --offset ${MIB}`);
    expect(text).toContain(`label-id: ${plan.diskGuid}`);
  });
});
