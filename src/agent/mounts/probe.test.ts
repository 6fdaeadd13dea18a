// Unit tests of the storage probe against fixture /sys/class/block and /dev trees (files stand in for disks).

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { realSystem } from '../../system/real-system';
import { probeMounts, probeStorageDevice } from './probe';
import type { EffectiveStorage } from './types';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

interface Disk {
  name: string;
  bytes?: Buffer;
  partition?: boolean;
  ro?: boolean;
}

function machine(disks: Disk[]) {
  const base = mkdtempSync(join(tmpdir(), 'cloudlet-probe-'));
  dirs.push(base);
  const sys = join(base, 'sys');
  const dev = join(base, 'dev');
  mkdirSync(dev, { recursive: true });
  for (const d of disks) {
    const dir = join(sys, 'class', 'block', d.name);
    mkdirSync(dir, { recursive: true });
    const bytes = d.bytes ?? Buffer.alloc(8 << 20);
    writeFileSync(join(dir, 'size'), String(bytes.length / 512));
    writeFileSync(join(dir, 'ro'), d.ro ? '1' : '0');
    if (d.partition) writeFileSync(join(dir, 'partition'), '1');
    writeFileSync(join(dev, d.name), bytes);
  }
  return { system: realSystem({ sys, dev, proc: join(base, 'proc') }), dev };
}

const STORAGE: EffectiveStorage = { device: 'LABEL=data', format: 'if-blank', identity: { label: 'data' }, from: 'manifest' };

function withData(): Buffer {
  const b = Buffer.alloc(8 << 20);
  b.write('some bytes', 2 << 20);
  return b;
}

describe('probeStorageDevice: the only blank disk', () => {
  it('picks the one blank whole disk, skipping partitioned, read-only, loop, optical and non-blank ones', async () => {
    const { system, dev } = machine([
      { name: 'vda' },
      { name: 'vda1', partition: true },
      { name: 'vdb' },
      { name: 'vdc', bytes: withData() },
      { name: 'vdd', ro: true },
      { name: 'loop0' },
      { name: 'sr0' },
    ]);
    const probe = await probeStorageDevice(system, STORAGE);
    expect(probe).toMatchObject({ path: join(dev, 'vdb'), matchedBy: 'only-blank-disk', zeroed: true });
  });

  it('reports every blank disk when there is more than one', async () => {
    const { system, dev } = machine([{ name: 'vdb' }, { name: 'vdc' }]);
    expect(await probeStorageDevice(system, STORAGE)).toEqual({ zeroed: false, ambiguous: [join(dev, 'vdb'), join(dev, 'vdc')] });
  });

  it('looks for no blank disk when format is "never" or the spec is a path', async () => {
    const { system } = machine([{ name: 'vdb' }]);
    expect(await probeStorageDevice(system, { ...STORAGE, format: 'never' })).toEqual({ zeroed: false });
    expect(await probeStorageDevice(system, { ...STORAGE, device: '/dev/vdz' })).toEqual({ zeroed: false });
  });

  it('describes a disk named by path with what is on it', async () => {
    const { system, dev } = machine([{ name: 'vdc', bytes: withData() }]);
    expect(await probeStorageDevice(system, { ...STORAGE, device: '/dev/vdc' })).toEqual({ path: join(dev, 'vdc'), zeroed: false, matchedBy: 'spec' });
  });
});

describe('probeMounts: what the image has at each path', () => {
  it('tells directories with entries from empty ones, files and absent paths', async () => {
    const { system, dev } = machine([]);
    const root = join(dev, '..', 'root');
    mkdirSync(join(root, 'var/cache/app'), { recursive: true });
    mkdirSync(join(root, 'tmp'), { recursive: true });
    writeFileSync(join(root, 'var/cache/app/a'), 'a');
    writeFileSync(join(root, 'machine-id'), 'x');
    const probes = await probeMounts(system, root, undefined, ['/var/cache/app', '/tmp', '/machine-id', '/srv']);
    expect(probes.paths.map((p) => [p.path, p.image, p.imageHasContent, p.volume])).toEqual([
      ['/var/cache/app', 'dir', true, 'unknown'],
      ['/tmp', 'dir', false, 'unknown'],
      ['/machine-id', 'file', false, 'unknown'],
      ['/srv', 'absent', false, 'unknown'],
    ]);
  });
});
