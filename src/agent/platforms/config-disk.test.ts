// Proves a config disk the agent cannot read itself is mounted read-only as a fallback and always unmounted.

import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ExecOptions, ExecResult } from '../../system/system';
import { readConfigDisk } from './config-disk';
import { machine, type Machine } from '../test-machine';
import { datasourceContext } from './test-support';

let m: Machine;
beforeEach(() => {
  m = machine();
});
afterEach(() => m.cleanup());

/** An ISO labelled cidata whose root directory record points past the end: unreadable in user space. */
function brokenIso(): string {
  const src = join(m.base, 'src');
  mkdirSync(src);
  writeFileSync(join(src, 'user-data'), '{}');
  const iso = join(m.base, 'seed.iso');
  execFileSync('genisoimage', ['-quiet', '-output', iso, '-volid', 'cidata', '-joliet', '-rock', src], { stdio: 'pipe' });
  const bytes = readFileSync(iso);
  // Root directory record of every volume descriptor (sector 16 onward, offset 156): extent far away.
  for (let s = 16; s < 20; s++) bytes.writeUInt32LE(0x00ffffff, s * 2048 + 156 + 2);
  writeFileSync(iso, bytes);
  return iso;
}

function fakeTools(): string {
  const bin = join(m.base, 'bin');
  mkdirSync(bin);
  for (const t of ['mount', 'umount']) {
    writeFileSync(join(bin, t), '#!/bin/sh\nexit 1\n');
    chmodSync(join(bin, t), 0o755);
  }
  return bin;
}

describe('readConfigDisk fallback', () => {
  it('mounts read-only, reads, unmounts and removes the mount point when the user-space reader gives up', async () => {
    const iso = brokenIso();
    const calls: string[][] = [];
    const exec = async (file: string, args: string[], _o?: ExecOptions): Promise<ExecResult> => {
      calls.push([file.split('/').pop() as string, ...args]);
      // The "mount" places the seed's files in the mount point, as the kernel would show them.
      if (file.endsWith('/mount')) writeFileSync(join(args[args.length - 1] as string, 'user-data'), '{"config":{}}');
      if (file.endsWith('/umount')) rmSync(join(args[0] as string, 'user-data'));
      return { code: 0, signal: null, stdout: '', stderr: '' };
    };
    const ctx = datasourceContext(m);
    ctx.system = { ...m.system, exec, env: { PATH: fakeTools() } };
    const files = await readConfigDisk(ctx, 'nocloud', { path: iso, name: 'loop9', fstype: 'iso9660', label: 'cidata' }, [{ path: 'user-data', max: 100 }]);
    expect(files['user-data']?.toString()).toBe('{"config":{}}');
    expect(calls[0]?.slice(0, 5)).toEqual(['mount', '-t', 'iso9660', '-o', 'ro,nodev,nosuid,noexec']);
    expect(calls[1]?.[0]).toBe('umount');
    expect(calls[1]?.[1]).toBe(calls[0]?.[6]);
    expect(readdirSync(join(m.system.hostPaths.run, 'cloudlet'))).toEqual([]);
  });

  it('unmounts also when reading the mounted disk fails', async () => {
    const iso = brokenIso();
    const calls: string[] = [];
    const exec = async (file: string, args: string[]): Promise<ExecResult> => {
      calls.push(file.split('/').pop() as string);
      // A directory where the file should be makes the read fail after the mount.
      if (file.endsWith('/mount')) mkdirSync(join(args[args.length - 1] as string, 'user-data'));
      if (file.endsWith('/umount')) rmSync(join(args[0] as string, 'user-data'), { recursive: true });
      return { code: 0, signal: null, stdout: '', stderr: '' };
    };
    const ctx = datasourceContext(m);
    ctx.system = { ...m.system, exec, env: { PATH: fakeTools() } };
    await expect(readConfigDisk(ctx, 'nocloud', { path: iso, name: 'loop9', fstype: 'iso9660', label: 'cidata' }, [{ path: 'user-data', max: 100 }])).rejects.toMatchObject({ code: 'E_IO' });
    expect(calls).toEqual(['mount', 'umount']);
    expect(readdirSync(join(m.system.hostPaths.run, 'cloudlet'))).toEqual([]);
  });

  it('reports a disk it can neither read nor mount, leaving no mount point behind', async () => {
    const iso = brokenIso();
    const calls: string[] = [];
    const exec = async (file: string): Promise<ExecResult> => {
      calls.push(file.split('/').pop() as string);
      return file.endsWith('/mount') ? { code: 32, signal: null, stdout: '', stderr: "unknown filesystem type 'iso9660'" } : { code: 0, signal: null, stdout: '', stderr: '' };
    };
    const ctx = datasourceContext(m);
    ctx.system = { ...m.system, exec, env: { PATH: fakeTools() } };
    const err = await readConfigDisk(ctx, 'nocloud', { path: iso, name: 'loop9', fstype: 'iso9660', label: 'cidata' }, [{ path: 'user-data', max: 100 }]).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'E_PLATFORM', message: expect.stringMatching(/nor mount it: unknown filesystem type/) });
    expect(calls).toEqual(['mount']);
    expect(existsSync(join(m.system.hostPaths.run, 'cloudlet')) && readdirSync(join(m.system.hostPaths.run, 'cloudlet'))).toEqual([]);
  });

  it('refuses a disk with the right label but another filesystem', async () => {
    const ctx = datasourceContext(m);
    await expect(readConfigDisk(ctx, 'nocloud', { path: '/nonexistent', name: 'x', fstype: 'ext4', label: 'cidata' }, [])).rejects.toThrow(/holds ext4/);
  });
});
