import { describe, expect, it } from 'vitest';
import { mcopy, mkfsExt4, mkfsVfat, sfdiskScript, syslinuxInstall, type DiskPaths } from './commands';
import { MIB, planDisk } from './plan';

const plan = planDisk({
  seed: 'sha256:1234',
  epoch: 1_700_000_000,
  tree: { dataBlocks: 1000, inodes: 100, bytes: 3 * MIB },
  kernelBytes: 5 * MIB,
  initrdBytes: 2 * MIB,
  cmdline: [],
});
const paths: DiskPaths = { root: '/stage/root', disk: '/out/disk.raw', work: '/out/work', kernel: '/stage/root/boot/vmlinuz', initrd: '/stage/root/boot/initrd.img' };
const [esp, root] = plan.partitions;

describe('disk commands', () => {
  it('writes the GPT with every id, offset and attribute of the plan', () => {
    const lines = sfdiskScript(plan).trim().split('\n');
    expect(lines).toContain(`label-id: ${plan.diskGuid}`);
    expect(lines).toContain('label: gpt');
    expect(lines).toContain(`start=${esp?.startSector}, size=${esp?.sectors}, type=${esp?.typeGuid}, uuid=${esp?.uuid}, name="esp", attrs="LegacyBIOSBootable"`);
    expect(lines).toContain(`start=${root?.startSector}, size=${root?.sectors}, type=${root?.typeGuid}, uuid=${root?.uuid}, name="root"`);
  });

  it('makes the root in place at its offset with the planned uuid, hash seed, inodes and journal, its clock pinned', () => {
    const call = mkfsExt4(plan, paths);
    expect(call.args).toEqual(expect.arrayContaining(['-U', plan.root.uuid, '-N', String(plan.root.inodes), '-d', '/stage/root']));
    expect(call.args).toContain(`hash_seed=${plan.root.hashSeed},offset=${root?.offsetBytes}`);
    expect(call.args.slice(-2)).toEqual(['/out/disk.raw', String(plan.root.blocks)]);
    expect(call.env).toEqual({ MKE2FS_CONFIG: '/out/work/mke2fs.conf', E2FSPROGS_FAKE_TIME: '1700000000' });
  });

  it('makes the ESP in place with its volume id, the boot sector told where its partition starts', () => {
    const args = mkfsVfat(plan, paths).args;
    expect(args).toEqual(expect.arrayContaining(['--offset', '2048', '-h', '2048', '-i', plan.esp.volumeId, '--invariant']));
    expect(args.slice(-1)).toEqual([String((esp?.sizeBytes ?? 0) / 1024)]);
    expect(syslinuxInstall(plan, paths).args).toEqual(['--install', '--offset', String(MIB), '--directory', '/syslinux', '/out/disk.raw']);
  });

  it('copies each ESP file from where it comes from, with the FAT clock pinned', () => {
    const sources = plan.esp.files.map((f) => mcopy(plan, paths, f).args[2]);
    expect(sources).toEqual([paths.kernel, paths.initrd, '/usr/lib/systemd/boot/efi/systemd-bootx64.efi', '/out/work/esp/loader/loader.conf', '/out/work/esp/loader/entries/cloudlet.conf', '/out/work/esp/syslinux/syslinux.cfg']);
    expect(mcopy(plan, paths, plan.esp.files[0]!).env).toMatchObject({ SOURCE_DATE_EPOCH: '1700000000', MTOOLSRC: '/dev/null' });
  });
});
