// Proves superblock probing and label/UUID lookup on real filesystem images made by the usual mkfs tools.

import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync, truncateSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findDevice, hasAnySignature, listFilesystems, looksBlank, probeDevice, signatureOf } from './block-devices';
import type { System } from './system';

let dir: string;

function tool(name: string): string {
  for (const d of ['/usr/sbin', '/sbin', '/usr/bin', '/bin']) {
    try {
      execFileSync('test', ['-x', join(d, name)]);
      return join(d, name);
    } catch {
      // keep looking
    }
  }
  throw new Error(`${name} is missing: apt-get install -y --no-install-recommends e2fsprogs dosfstools genisoimage xfsprogs btrfs-progs cryptsetup-bin fdisk`);
}

function run(name: string, args: string[]): void {
  execFileSync(tool(name), args, { stdio: 'pipe' });
}

function image(name: string, sizeMiB: number): string {
  const path = join(dir, name);
  writeFileSync(path, '');
  truncateSync(path, sizeMiB << 20);
  return path;
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'cloudlet-blk-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('probeDevice', () => {
  it('reads label, UUID and type of ext4, ext2 and ext3', async () => {
    const e4 = image('e4.img', 8);
    run('mkfs.ext4', ['-q', '-F', '-L', 'cloudlet-data', '-U', '0b3c6a56-22b5-4b2f-9d3e-3f6f4b7f1a01', e4]);
    expect(await probeDevice(e4)).toEqual({ fstype: 'ext4', label: 'cloudlet-data', uuid: '0b3c6a56-22b5-4b2f-9d3e-3f6f4b7f1a01' });
    const e2 = image('e2.img', 8);
    run('mkfs.ext2', ['-q', '-F', '-L', 'old', e2]);
    expect(await probeDevice(e2)).toMatchObject({ fstype: 'ext2', label: 'old' });
    const e3 = image('e3.img', 8);
    run('mkfs.ext3', ['-q', '-F', e3]);
    const p3 = await probeDevice(e3);
    expect(p3?.fstype).toBe('ext3');
    expect(p3?.label).toBeUndefined();
  });

  it('reads the volume id of an ISO9660 image as its label', async () => {
    const src = join(dir, 'iso-src');
    mkdirSync(src);
    writeFileSync(join(src, 'user-data'), '{}');
    const iso = join(dir, 'seed.iso');
    run('genisoimage', ['-quiet', '-output', iso, '-volid', 'cidata', '-joliet', '-rock', src]);
    const p = await probeDevice(iso);
    expect(p?.fstype).toBe('iso9660');
    expect(p?.label).toBe('cidata');
    expect(p?.uuid).toMatch(/^\d{4}-\d\d-\d\d-\d\d-\d\d-\d\d-\d\d$/);
  });

  it('reads the label and serial of FAT12 and FAT32 filesystems', async () => {
    const f12 = image('f12.img', 2);
    run('mkfs.vfat', ['-n', 'CIDATA', '-i', '1234abcd', f12]);
    expect(await probeDevice(f12)).toEqual({ fstype: 'vfat', label: 'CIDATA', uuid: '1234-ABCD' });
    const f32 = image('f32.img', 40);
    run('mkfs.vfat', ['-F', '32', '-n', 'CONFIG-2', '-i', '00ff0001', f32]);
    expect(await probeDevice(f32)).toEqual({ fstype: 'vfat', label: 'CONFIG-2', uuid: '00FF-0001' });
  });

  it('prefers the root-directory label entry over the boot sector one (what fatlabel changes)', async () => {
    const f = image('relabel.img', 2);
    run('mkfs.vfat', ['-n', 'FIRST', f]);
    run('fatlabel', [f, 'SECOND']);
    // Make the boot sector disagree, as some tools leave it.
    execFileSync('dd', [`of=${f}`, 'bs=1', 'seek=43', 'conv=notrunc'], { input: 'BOOTSECTOR ', stdio: ['pipe', 'pipe', 'pipe'] });
    expect((await probeDevice(f))?.label).toBe('SECOND');
  });

  it('recognizes xfs, btrfs, swap and LUKS', async () => {
    const x = image('x.img', 300);
    run('mkfs.xfs', ['-q', '-f', '-L', 'xdata', '-m', 'uuid=11111111-2222-3333-4444-555555555555', x]);
    expect(await probeDevice(x)).toEqual({ fstype: 'xfs', label: 'xdata', uuid: '11111111-2222-3333-4444-555555555555' });
    const b = image('b.img', 120);
    run('mkfs.btrfs', ['-q', '-f', '-L', 'bdata', '-U', '66666666-2222-3333-4444-555555555555', b]);
    expect(await probeDevice(b)).toEqual({ fstype: 'btrfs', label: 'bdata', uuid: '66666666-2222-3333-4444-555555555555' });
    const s = image('s.img', 4);
    run('mkswap', ['-L', 'swp', '-U', '77777777-2222-3333-4444-555555555555', s]);
    expect(await probeDevice(s)).toEqual({ fstype: 'swap', label: 'swp', uuid: '77777777-2222-3333-4444-555555555555' });
    const l = image('l.img', 20);
    const key = join(dir, 'key');
    writeFileSync(key, 'not-a-real-secret');
    run('cryptsetup', ['luksFormat', '--batch-mode', '--type', 'luks2', '--pbkdf', 'pbkdf2', '--pbkdf-force-iterations', '1000',
      '--label', 'vault', '--uuid', '88888888-2222-3333-4444-555555555555', '--key-file', key, l]);
    expect(await probeDevice(l)).toEqual({ fstype: 'crypto_LUKS', label: 'vault', uuid: '88888888-2222-3333-4444-555555555555' });
  });

  it('returns null for a zeroed image and for random non-filesystem bytes', async () => {
    expect(await probeDevice(image('zero.img', 1))).toBeNull();
    const junk = join(dir, 'junk.img');
    writeFileSync(junk, Buffer.alloc(70000, 0x41));
    expect(await probeDevice(junk)).toBeNull();
  });
});

describe('blank and signature checks', () => {
  it('calls only an all-zero image without any signature blank', async () => {
    const zero = image('blank.img', 8);
    expect(await hasAnySignature(zero)).toBe(false);
    expect(await looksBlank(zero)).toBe(true);

    const data = image('data.img', 8);
    writeFileSync(data, Buffer.from('some bytes'), { flag: 'r+' });
    expect(await hasAnySignature(data)).toBe(false);
    expect(await looksBlank(data)).toBe(false);

    const deep = image('deep.img', 8);
    execFileSync('dd', ['if=/dev/urandom', `of=${deep}`, 'bs=1', 'count=16', 'seek=3000000', 'conv=notrunc'], { stdio: 'pipe' });
    expect(await looksBlank(deep)).toBe(false);
    expect(await looksBlank(deep, 1 << 20)).toBe(true);
  });

  it('sees data in the last MiB (a GPT backup header, an md superblock) as data, whatever the head holds', async () => {
    const gpt = image('gpt-tail.img', 16);
    execFileSync(tool('sfdisk'), ['--quiet', gpt], { input: 'label: gpt\n,\n', stdio: ['pipe', 'pipe', 'pipe'] });
    // Wipe the primary table and everything before 4 MiB: only the backup at the end is left.
    execFileSync('dd', ['if=/dev/zero', `of=${gpt}`, 'bs=1M', 'count=4', 'conv=notrunc'], { stdio: 'pipe' });
    expect(await signatureOf(gpt)).toBeNull();
    expect(await looksBlank(gpt)).toBe(false);
    const tail = image('tail.img', 16);
    execFileSync('dd', ['if=/dev/urandom', `of=${tail}`, 'bs=1', 'count=16', `seek=${(16 << 20) - 100}`, 'conv=notrunc'], { stdio: 'pipe' });
    expect(await looksBlank(tail)).toBe(false);
    expect(await looksBlank(image('small.img', 2))).toBe(true);
  });

  it('sees a GPT and an MBR partition table as data even without a filesystem', async () => {
    const gpt = image('gpt.img', 8);
    execFileSync(tool('sfdisk'), ['--quiet', gpt], { input: 'label: gpt\n,\n', stdio: ['pipe', 'pipe', 'pipe'] });
    expect(await signatureOf(gpt)).toBe('gpt');
    expect(await looksBlank(gpt)).toBe(false);
    const mbr = image('mbr.img', 8);
    execFileSync(tool('sfdisk'), ['--quiet', mbr], { input: 'label: dos\n,\n', stdio: ['pipe', 'pipe', 'pipe'] });
    expect(await signatureOf(mbr)).toBe('dos');
  });

  it('sees a filesystem as a signature', async () => {
    const e = image('sig.img', 8);
    run('mkfs.ext4', ['-q', '-F', e]);
    expect(await signatureOf(e)).toBe('ext4');
    expect(await looksBlank(e)).toBe(false);
  });
});

describe('findDevice over a fixture /sys and /dev', () => {
  function fixture(): System {
    const root = join(dir, 'hw');
    const sys = join(root, 'sys');
    const dev = join(root, 'dev');
    mkdirSync(dev, { recursive: true });
    const add = (name: string, file: string | null) => {
      mkdirSync(join(sys, 'class', 'block', name), { recursive: true });
      writeFileSync(join(sys, 'class', 'block', name, 'size'), file === null ? '0\n' : '16384\n');
      if (file) copyFileSync(file, join(dev, name));
    };
    const e4 = image('fd-e4.img', 8);
    run('mkfs.ext4', ['-q', '-F', '-L', 'cloudlet-data', '-U', 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee', e4]);
    const v = image('fd-v.img', 2);
    run('mkfs.vfat', ['-n', 'CIDATA', v]);
    add('loop0', null);
    add('vda', image('fd-blank.img', 1));
    add('vdb', e4);
    add('vdc', v);
    return { hostPaths: { proc: join(root, 'proc'), sys, dev, run: join(root, 'run') } } as unknown as System;
  }

  it('finds by label (exact), by UUID (any case), by path and by udev link name', async () => {
    const system = fixture();
    const dev = system.hostPaths.dev;
    expect(await findDevice(system, 'LABEL=cloudlet-data')).toBe(join(dev, 'vdb'));
    expect(await findDevice(system, 'LABEL=CIDATA')).toBe(join(dev, 'vdc'));
    expect(await findDevice(system, 'LABEL=cidata')).toBeNull();
    expect(await findDevice(system, 'UUID=AAAAAAAA-BBBB-CCCC-DDDD-EEEEEEEEEEEE')).toBe(join(dev, 'vdb'));
    expect(await findDevice(system, '/dev/vda')).toBe(join(dev, 'vda'));
    expect(await findDevice(system, '/dev/vdz')).toBeNull();
    expect(await findDevice(system, '/dev/disk/by-label/cloudlet-data')).toBe(join(dev, 'vdb'));
    expect(await findDevice(system, 'LABEL=nothing')).toBeNull();
    await expect(findDevice(system, 'PARTLABEL=x')).rejects.toMatchObject({ code: 'E_STORAGE' });
    expect((await listFilesystems(system)).map((d) => d.name)).toEqual(['vdb', 'vdc']);
  });
});
