// Bake targets against real tools: a small raw disk converted into every target, each output read back by qemu-img, xmllint, tar and sh.

import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AgentError } from '../../src/errors';
import { checkOutput, convert, parseTargetOptions, RECIPES, type ConvertResult, type OutputFile, type TargetContext } from '../../src/cloudlet/targets';
import { realSystem } from '../../src/system/real-system';
import type { System } from '../../src/system/system';
import { tempDir } from './harness';
import { makeRawDisk, mustTool, patchFile, qemuInfo, sameContent, sha256Of, tool } from './bake-targets-support';

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;
const system = realSystem();
const ctx: TargetContext = { name: 'hello-1.2.0', digest: `sha256:${'5e'.repeat(32)}`, mtime: 1_700_000_000, arch: 'x86_64', options: parseTargetOptions([]) };

let tmp: { dir: string; cleanup: () => void };
let raw: { path: string; size: number };
const first = new Map<string, ConvertResult>();

function file(target: string, role: string): OutputFile {
  const f = first.get(target)?.files.find((x) => x.role === role);
  if (!f) throw new Error(`no ${role} from ${target}`);
  return f;
}

/** The AgentError a promise rejects with. */
async function rejection(p: Promise<unknown>): Promise<AgentError> {
  const outcome = await p.then(
    () => new Error('expected a rejection'),
    (e: unknown) => e,
  );
  if (!(outcome instanceof AgentError)) throw outcome;
  return outcome;
}

function recipe(name: string) {
  const r = RECIPES.find((x) => x.name === name);
  if (!r) throw new Error(name);
  return r;
}

beforeAll(async () => {
  tmp = tempDir('cloudlet-bake-targets-');
  raw = makeRawDisk(tmp.dir);
  for (const r of RECIPES) first.set(r.name, await convert(r, raw.path, join(tmp.dir, 'out'), ctx, system));
});

afterAll(() => tmp.cleanup());

describe('every target from one raw disk', () => {
  it('publishes exactly the planned files, no work directory left', () => {
    const listed = [...first.values()].flatMap((r) => r.files.map((f) => f.path.slice(f.path.lastIndexOf('/') + 1)));
    expect(readdirSync(join(tmp.dir, 'out')).sort()).toEqual([...listed].sort());
    for (const f of [...first.values()].flatMap((r) => r.files)) {
      expect(statSync(f.path).size, f.path).toBe(f.bytes);
      expect(sha256Of(f.path), f.path).toBe(f.sha256);
    }
  });

  it.each([
    ['raw', 'disk', 'raw'],
    ['qcow2', 'disk', 'qcow2'],
    ['vmdk', 'disk', 'vmdk'],
    ['vhd', 'disk', 'vpc'],
    ['vhdx', 'disk', 'vhdx'],
    ['ami', 'disk', 'vmdk'],
    ['xen', 'disk', 'raw'],
  ])('%s: qemu-img reads the %s as %s with the raw\'s content', (target, role, format) => {
    const f = file(target, role);
    const info = qemuInfo(f.path, format);
    expect(info.format).toBe(format);
    expect(info['virtual-size']).toBe(target === 'vhd' ? 7 * MiB : raw.size);
    expect(sameContent(raw.path, f.path, format)).toBe(true);
  });

  it('vhd: a fixed VHD whose footer says conectix and whose data is a whole number of MiB', () => {
    const bytes = readFileSync(file('vhd', 'disk').path);
    const footer = bytes.subarray(bytes.length - 512);
    expect(footer.toString('latin1', 0, 8)).toBe('conectix');
    expect(footer.readUInt32BE(60)).toBe(2);
    expect((bytes.length - 512) % MiB).toBe(0);
  });

  it('vmdk: a streamOptimized, compressed descriptor-version-1 disk for an lsilogic adapter', () => {
    const text = readFileSync(file('vmdk', 'disk').path).subarray(512, 512 + 10240).toString('latin1');
    expect(text).toMatch(/^version=1$/m);
    expect(text).toMatch(/^createType="streamOptimized"$/m);
    expect(text).toMatch(/^ddb\.adapterType = "lsilogic"$/m);
    const data = qemuInfo(file('vmdk', 'disk').path, 'vmdk')['format-specific']?.data;
    expect(data?.['create-type']).toBe('streamOptimized');
  });

  it('ova: descriptor first, then manifest, then disk; well-formed, naming the disk it ships; digests match', () => {
    const ova = file('ova', 'ova').path;
    const listing = mustTool('tar', ['-tvf', ova, '--numeric-owner']).trim().split('\n');
    expect(listing.map((l) => l.split(/\s+/).pop())).toEqual(['hello-1.2.0.ovf', 'hello-1.2.0.mf', 'hello-1.2.0-disk1.vmdk']);
    expect(listing.every((l) => l.split(/\s+/)[1] === '0/0')).toBe(true);
    const x = join(tmp.dir, 'ova-x');
    mkdirSync(x);
    mustTool('tar', ['-xf', ova, '-C', x]);
    expect(tool('xmllint', ['--noout', join(x, 'hello-1.2.0.ovf')]).code).toBe(0);
    const xpath = (q: string) => mustTool('xmllint', ['--xpath', q, join(x, 'hello-1.2.0.ovf')]).trim();
    expect(xpath(`string(//*[local-name()='File']/@*[local-name()='href'])`)).toBe('hello-1.2.0-disk1.vmdk');
    expect(Number(xpath(`string(//*[local-name()='File']/@*[local-name()='size'])`))).toBe(statSync(join(x, 'hello-1.2.0-disk1.vmdk')).size);
    expect(xpath(`string(//*[local-name()='ResourceSubType'][../*[local-name()='InstanceID']='3'])`)).toBe('vmware.nvme.controller');
    for (const line of readFileSync(join(x, 'hello-1.2.0.mf'), 'utf8').trim().split('\n')) {
      const [, name, sum] = /^SHA256\((.+)\)= (\w+)$/.exec(line) ?? [];
      expect(sha256Of(join(x, name ?? '')), line).toBe(sum);
    }
    expect(sameContent(raw.path, join(x, 'hello-1.2.0-disk1.vmdk'), 'vmdk')).toBe(true);
  });

  it('gce: disk.raw alone, whole GiB, stored sparse, extracting to the raw; no name or time in the gzip header', () => {
    const gz = file('gce', 'gce').path;
    const listing = mustTool('tar', ['-tvzf', gz, '--numeric-owner']).trim().split('\n');
    expect(listing.length).toBe(1);
    expect(listing[0]?.split(/\s+/).pop()).toBe('disk.raw');
    expect(Number(listing[0]?.split(/\s+/)[2])).toBe(GiB);
    const head = readFileSync(gz).subarray(0, 10);
    expect((head[3] ?? 0) & 0x08).toBe(0);
    expect(head.readUInt32LE(4)).toBe(0);
    expect(statSync(gz).size).toBeLessThan(2 * MiB);
    const x = join(tmp.dir, 'gce-x');
    mkdirSync(x);
    mustTool('tar', ['-xzSf', gz, '-C', x]);
    const disk = statSync(join(x, 'disk.raw'));
    expect(disk.size).toBe(GiB);
    expect(disk.blocks * 512).toBeLessThan(16 * MiB);
    expect(sameContent(raw.path, join(x, 'disk.raw'), 'raw')).toBe(true);
  });

  it('ami: the containers file and the script name the disk; the script is valid sh', () => {
    const containers = JSON.parse(readFileSync(file('ami', 'ami-containers').path, 'utf8'));
    expect(containers.Format).toBe('VMDK');
    expect(containers.UserBucket.S3Key).toBe('hello-1.2.0-ami.vmdk');
    const script = file('ami', 'ami-script').path;
    expect(tool('sh', ['-n', script]).code).toBe(0);
    expect(readFileSync(script, 'utf8')).toMatch(/--boot-mode uefi-preferred .*--root-device-name \/dev\/xvda .*--ena-support/);
    expect(statSync(script).mode & 0o111).not.toBe(0);
  });

  it('ami: the script runs the calls in order against a stand-in aws, and stops first without a bucket', async () => {
    const bin = join(tmp.dir, 'fake-aws');
    mkdirSync(bin);
    writeFileSync(
      join(bin, 'aws'),
      ['#!/bin/sh', 'echo "$*" >> "$AWS_LOG"', 'case "$*" in', '  *"ec2 import-snapshot"*) echo import-snap-1 ;;', '  *SnapshotTaskDetail.Status*) echo completed ;;', '  *SnapshotTaskDetail.SnapshotId*) echo snap-0abc ;;', 'esac', ''].join('\n'),
      { mode: 0o755 },
    );
    const run = (script: string, log: string) => spawnSync('sh', [script], { env: { PATH: `${bin}:/usr/bin:/bin`, AWS_LOG: log }, encoding: 'utf8' });
    const unset = run(file('ami', 'ami-script').path, join(tmp.dir, 'aws-unset.log'));
    expect(unset.status).toBe(2);
    expect(unset.stderr).toContain('ami.bucket=NAME');
    expect(existsSync(join(tmp.dir, 'aws-unset.log'))).toBe(false);

    const withBucket = { ...ctx, options: parseTargetOptions(['ami.bucket=my-images', 'ami.key-prefix=bake/']) };
    const made = await convert(recipe('ami'), raw.path, join(tmp.dir, 'ami-bucket'), withBucket, system);
    const log = join(tmp.dir, 'aws.log');
    const result = run(made.files.find((f) => f.role === 'ami-script')?.path ?? '', log);
    expect(result.status, result.stderr).toBe(0);
    const calls = readFileSync(log, 'utf8').trim().split('\n');
    expect(calls[0]).toBe('s3 cp hello-1.2.0-ami.vmdk s3://my-images/bake/hello-1.2.0-ami.vmdk');
    expect(calls[1]).toMatch(/^ec2 import-snapshot .*--disk-container file:\/\/hello-1.2.0-ami-containers.json/);
    expect(calls[calls.length - 1]).toMatch(/^ec2 register-image .*--block-device-mappings DeviceName=\/dev\/xvda,Ebs=\{SnapshotId=snap-0abc,DeleteOnTermination=true\}/);
    const containers = JSON.parse(readFileSync(made.files.find((f) => f.role === 'ami-containers')?.path ?? '', 'utf8'));
    expect(containers.UserBucket).toEqual({ S3Bucket: 'my-images', S3Key: 'bake/hello-1.2.0-ami.vmdk' });
  });

  it('xen: the xl config points at the disk shipped beside it', () => {
    expect(readFileSync(file('xen', 'xl-config').path, 'utf8')).toContain('target=hello-1.2.0-xen.raw" ]');
  });
});

describe('reproducibility', () => {
  it('converting the same raw twice gives the same bytes for every output', async () => {
    for (const r of RECIPES) {
      const again = await convert(r, raw.path, join(tmp.dir, 'again'), ctx, system);
      const before = first.get(r.name)?.files.map((f) => [f.path.replace('/out/', '/'), f.sha256]);
      expect(again.files.map((f) => [f.path.replace('/again/', '/'), f.sha256]), r.name).toEqual(before);
    }
  });

  it('stores the same GCE archive whether the zeros of the raw are holes or written blocks', async () => {
    const dense = join(tmp.dir, 'dense.raw');
    mustTool('cp', ['--sparse=never', raw.path, dense]);
    expect(statSync(dense).blocks).toBeGreaterThan(statSync(raw.path).blocks);
    const again = await convert(recipe('gce'), dense, join(tmp.dir, 'dense-out'), ctx, system);
    expect(again.files[0]?.sha256).toBe(file('gce', 'gce').sha256);
  });

  it('derives the VMDK CID from the digest: same digest same CID, another digest another', async () => {
    const cid = (dir: string, digest: string) =>
      convert(recipe('vmdk'), raw.path, join(tmp.dir, dir), { ...ctx, digest }, system).then((r) => qemuInfo(r.files[0]?.path ?? '', 'vmdk')['format-specific']?.data?.cid);
    const here = qemuInfo(file('vmdk', 'disk').path, 'vmdk')['format-specific']?.data?.cid;
    expect(await cid('cid-a', ctx.digest)).toBe(here);
    expect(await cid('cid-b', `sha256:${'77'.repeat(32)}`)).not.toBe(here);
  });
});

describe('damaged outputs', () => {
  /** A copy of a target's published files in a fresh directory, damaged by `damage`, then checked. */
  async function checkDamaged(target: string, damage: (files: OutputFile[]) => void): Promise<{ error: AgentError; files: OutputFile[] }> {
    const dir = join(tmp.dir, `damaged-${target}-${Math.random().toString(36).slice(2, 8)}`);
    mkdirSync(dir);
    const files = (first.get(target)?.files ?? []).map((f) => {
      const path = join(dir, f.path.slice(f.path.lastIndexOf('/') + 1));
      copyFileSync(f.path, path);
      return { ...f, path };
    });
    damage(files);
    for (const f of files) f.bytes = statSync(f.path).size;
    const error = await rejection(checkOutput(recipe(target), files, { rawSize: raw.size, ctx }, system));
    return { error, files };
  }

  const at = (files: OutputFile[], role = 'disk') => files.find((f) => f.role === role)?.path ?? '';
  const offsetOf = (path: string, text: string) => readFileSync(path).indexOf(text);

  it.each([
    ['vhd', 'cookie', (f: OutputFile[]) => patchFile(at(f), statSync(at(f)).size - 512, Buffer.from('notvhd!!'))],
    ['vhd', 'is not a multiple of', (f: OutputFile[]) => mustTool('qemu-img', ['convert', '-f', 'raw', '-O', 'vpc', '-o', 'subformat=fixed,force_size', raw.path, at(f)])],
    ['vmdk', 'CID', (f: OutputFile[]) => patchFile(at(f), offsetOf(at(f), 'CID=') + 4, Buffer.from('12345678'))],
    ['vmdk', 'streamOptimized', (f: OutputFile[]) => patchFile(at(f), offsetOf(at(f), 'streamOptimized'), Buffer.from('monolithicSparse'.slice(0, 15)))],
    ['qcow2', 'cannot open it as qcow2', (f: OutputFile[]) => patchFile(at(f), 0, Buffer.from('XXXX'))],
    ['vhdx', 'header 1 checksum', (f: OutputFile[]) => patchFile(at(f), 64 * 1024 + 200, Buffer.from([0xff]))],
    ['ova', 'not well-formed', (f: OutputFile[]) => patchFile(at(f, 'ova'), offsetOf(at(f, 'ova'), '<References>'), Buffer.from('<Refer nces>'))],
    ['gce', 'gzip', (f: OutputFile[]) => truncateSync(at(f, 'gce'), Math.floor(statSync(at(f, 'gce')).size / 2))],
    ['ami', 'differs', (f: OutputFile[]) => patchFile(at(f, 'ami-containers'), offsetOf(at(f, 'ami-containers'), 'VMDK'), Buffer.from('VHDX'))],
  ])('%s: refuses a damaged output (%s) and removes it', async (target, words, damage) => {
    const { error, files } = await checkDamaged(target, damage);
    expect(error.code).toBe('E_BAKE_OUTPUT');
    expect(error.render()).toContain(words);
    expect(files.some((f) => f.path === error.where)).toBe(true);
    for (const f of files) expect(existsSync(f.path), f.path).toBe(false);
  });

  it('ova: refuses members out of the order OVF requires', async () => {
    const { error } = await checkDamaged('ova', (files) => {
      const ova = at(files, 'ova');
      const x = `${ova}.x`;
      mkdirSync(x);
      mustTool('tar', ['-xf', ova, '-C', x]);
      mustTool('tar', ['--format=ustar', '-cf', ova, '-C', x, 'hello-1.2.0-disk1.vmdk', 'hello-1.2.0.ovf', 'hello-1.2.0.mf']);
    });
    expect(error.render()).toContain('the descriptor first');
  });

  it('gce: refuses a disk.raw that is not whole GiB', async () => {
    const { error } = await checkDamaged('gce', (files) => {
      const gz = at(files, 'gce');
      const x = `${gz}.x`;
      mkdirSync(x);
      copyFileSync(raw.path, join(x, 'disk.raw'));
      mustTool('tar', ['--format=oldgnu', '-Sczf', gz, '-C', x, 'disk.raw']);
    });
    expect(error.render()).toContain('not a whole number of GiB');
  });

  it('a conversion whose output fails its checks publishes nothing and leaves no work directory', async () => {
    const out = join(tmp.dir, 'sabotaged');
    const sabotaging: System = {
      ...system,
      exec: async (f, args, options) => {
        const r = await system.exec(f, args, options);
        const target = args[args.length - 1] ?? '';
        if (args[0] === 'convert' && args.includes('vpc')) patchFile(target, statSync(target).size - 512, Buffer.from('notvhd!!'));
        return r;
      },
    };
    const error = await rejection(convert(recipe('vhd'), raw.path, out, ctx, sabotaging));
    expect(error.code).toBe('E_BAKE_OUTPUT');
    expect(error.message).toContain('hello-1.2.0.vhd');
    expect(readdirSync(out)).toEqual([]);
  });
});

describe('requests that cannot be carried out', () => {
  it('says when the raw disk is missing, and writes nothing', async () => {
    const out = join(tmp.dir, 'no-raw');
    const error = await rejection(convert(recipe('qcow2'), join(tmp.dir, 'missing.raw'), out, ctx, system));
    expect(error).toMatchObject({ code: 'E_IO', where: join(tmp.dir, 'missing.raw') });
    expect(existsSync(out)).toBe(false);
  });

  it('says when the output directory cannot be made', async () => {
    const error = await rejection(convert(recipe('raw'), raw.path, join(raw.path, 'out'), ctx, system));
    expect(error).toMatchObject({ code: 'E_IO', where: join(raw.path, 'out') });
    expect(error.fix).toContain('output directory');
  });
});
