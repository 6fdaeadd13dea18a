// Proves the user-space ISO9660 and FAT readers return the same bytes the tools wrote, for every name style.

import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fatReadFile } from './fat';
import { isoReadFile } from './iso9660';
import { Volume } from './volume-io';

let dir: string;
let src: string;
const BIG = randomBytes(300_000);
const META = JSON.stringify({ uuid: 'u-1', hostname: 'h' });

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'cloudlet-readers-'));
  src = join(dir, 'src');
  mkdirSync(join(src, 'openstack', 'latest'), { recursive: true });
  writeFileSync(join(src, 'user-data'), '{"config":{"a":1}}');
  writeFileSync(join(src, 'meta-data'), 'instance-id: iid-1\n');
  writeFileSync(join(src, 'empty'), '');
  writeFileSync(join(src, 'a-rather-long-file-name.json'), BIG);
  writeFileSync(join(src, 'openstack', 'latest', 'meta_data.json'), META);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function tool(cmd: string, args: string[]): void {
  try {
    execFileSync(cmd, args, { stdio: 'pipe' });
  } catch (err) {
    throw new Error(`${cmd} failed or is missing (apt-get install genisoimage xorriso dosfstools mtools): ${(err as Error).message}`);
  }
}

async function withVolume<T>(path: string, fn: (v: Volume) => Promise<T>): Promise<T> {
  const fh = await open(path, 'r');
  try {
    return await fn(new Volume(fh, path));
  } finally {
    await fh.close();
  }
}

async function expectTree(path: string, read: typeof isoReadFile): Promise<void> {
  await withVolume(path, async (v) => {
    expect((await read(v, ['user-data'], 1 << 20))?.toString()).toBe('{"config":{"a":1}}');
    expect((await read(v, ['meta-data'], 1 << 20))?.toString()).toBe('instance-id: iid-1\n');
    expect((await read(v, ['openstack', 'latest', 'meta_data.json'], 1 << 20))?.toString()).toBe(META);
    expect((await read(v, ['empty'], 1 << 20))?.length).toBe(0);
    expect((await read(v, ['a-rather-long-file-name.json'], 1 << 20))?.equals(BIG)).toBe(true);
    // Capped reads stop at max + 1 bytes, so callers can tell "too large" without reading it all.
    expect((await read(v, ['a-rather-long-file-name.json'], 1000))?.length).toBe(1001);
    expect(await read(v, ['missing'], 1 << 20)).toBeNull();
    expect(await read(v, ['openstack'], 1 << 20)).toBeNull();
    expect(await read(v, ['user-data', 'x'], 1 << 20)).toBeNull();
  });
}

describe('isoReadFile', () => {
  it('reads Joliet names (genisoimage -joliet -rock, as cloud-localds makes it)', async () => {
    const iso = join(dir, 'jr.iso');
    tool('genisoimage', ['-quiet', '-output', iso, '-volid', 'cidata', '-joliet', '-rock', src]);
    await expectTree(iso, isoReadFile);
  });

  it('reads Rock Ridge names without Joliet', async () => {
    const iso = join(dir, 'r.iso');
    tool('genisoimage', ['-quiet', '-output', iso, '-volid', 'cidata', '-rock', src]);
    await expectTree(iso, isoReadFile);
  });

  it('reads an image made by xorriso', async () => {
    const iso = join(dir, 'x.iso');
    tool('xorriso', ['-as', 'mkisofs', '-quiet', '-o', iso, '-V', 'config-2', '-J', '-R', src]);
    await expectTree(iso, isoReadFile);
  });

  it('reads plain ISO9660 names (no extensions) case-insensitively', async () => {
    const plain = join(dir, 'plain-src');
    mkdirSync(plain);
    writeFileSync(join(plain, 'USERDATA'), '{}');
    const iso = join(dir, 'p.iso');
    tool('genisoimage', ['-quiet', '-output', iso, '-volid', 'cidata', plain]);
    await withVolume(iso, async (v) => expect((await isoReadFile(v, ['userdata'], 100))?.toString()).toBe('{}'));
  });

  it('refuses a file that is not ISO9660', async () => {
    const junk = join(dir, 'junk.img');
    writeFileSync(junk, Buffer.alloc(64 * 1024));
    await withVolume(junk, async (v) => expect(isoReadFile(v, ['user-data'], 100)).rejects.toThrow(/no ISO9660 volume descriptor/));
  });
});

describe('fatReadFile', () => {
  for (const [label, sizeMiB, args] of [
    ['FAT12', 2, []],
    ['FAT16', 20, ['-F', '16']],
    ['FAT32', 40, ['-F', '32']],
  ] as const) {
    it(`reads long names, subdirectories and multi-cluster files on ${label}`, async () => {
      const img = join(dir, `${label}.img`);
      writeFileSync(img, '');
      truncateSync(img, sizeMiB << 20);
      tool('mkfs.vfat', [...args, '-n', 'CIDATA', img]);
      tool('mcopy', ['-s', '-i', img, join(src, 'user-data'), join(src, 'meta-data'), join(src, 'empty'), join(src, 'a-rather-long-file-name.json'), join(src, 'openstack'), '::']);
      await expectTree(img, fatReadFile);
    });
  }

  it('reads short 8.3 names in any case', async () => {
    const img = join(dir, 'short.img');
    writeFileSync(img, '');
    truncateSync(img, 2 << 20);
    tool('mkfs.vfat', ['-n', 'CIDATA', img]);
    const f = join(dir, 'README.TXT');
    writeFileSync(f, 'hi');
    tool('mcopy', ['-i', img, f, '::']);
    await withVolume(img, async (v) => expect((await fatReadFile(v, ['readme.txt'], 100))?.toString()).toBe('hi'));
  });
});
