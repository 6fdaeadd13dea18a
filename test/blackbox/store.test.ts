// The image store through the built `cloudlet`: log, tag, rm and gc with --json parsed, the lock, damage, and bake from a reference.

import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MEDIA, Store, writeImage, type Descriptor } from '../../src/cloudlet/store';
import { currentBoot } from '../../src/system/temp-names';
import { cloudletCommand, runCloudlet, tempDir, writeTree, type AgentRun, type Tree } from './harness';

const MANIFEST = {
  cloudlet: '0.0.4',
  name: 'tiny',
  version: '1.0.0',
  entrypoints: { kernel: { path: '/boot/vmlinuz', initrd: '/boot/initrd.img', cmdline: 'quiet' }, init: { path: '/sbin/init' } },
};

let work: { dir: string; cleanup: () => void };
let agent: string;

function sh(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 120_000 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return r.stdout;
}

function cloudlet(args: string[], env: Record<string, string> = {}): AgentRun {
  return runCloudlet(args, { env, timeoutMs: 180_000 });
}

function json(r: AgentRun): any {
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout);
}

interface Family {
  dir: string;
  base: Descriptor;
  gnome: Descriptor;
  gnome2: Descriptor;
  layers: Descriptor[];
}

/**
 * centos:7 <- centos-gnome:1 <- centos-gnome:2, each layer a GNU tar of a small tree, written by the store's
 * own writeImage (what `cloudlet snapshot` uses).
 */
async function family(name: string): Promise<Family> {
  const dir = join(work.dir, name);
  const store = await Store.open(dir, { create: true });
  const layers: Descriptor[] = [];
  let parent: Awaited<ReturnType<Store['resolve']>> | undefined;
  const out: Descriptor[] = [];
  const trees: Tree[] = [
    { '/.cloudlet/manifest': JSON.stringify(MANIFEST), '/boot/vmlinuz': 'k'.repeat(100_000), '/boot/initrd.img': 'i'.repeat(50_000), '/sbin/init': { content: '#!/bin/sh\n', mode: 0o755 } },
    { '/usr/bin/gnome-shell': 'gnome'.repeat(1000) },
    { '/etc/gnome.conf': 'v2\n' },
  ];
  for (const [i, tree] of trees.entries()) {
    const src = join(work.dir, `${name}-tree-${i}`);
    mkdirSync(src, { recursive: true });
    writeTree(src, tree);
    const tmp = store.tempPath('layer');
    sh('tar', ['--sort=name', '--numeric-owner', '--owner=0', '--group=0', '--mtime=@1700000000', '-C', src, '-cf', tmp, '.']);
    const layer = await store.addBlobFile(tmp, MEDIA.layerTar);
    layers.push(layer);
    const desc = await writeImage(store, { ...(parent ? { parent } : {}), newLayer: layer, cloudletManifest: MANIFEST, epoch: 1_700_000_000 + i });
    parent = await store.resolve(desc.digest);
    out.push(desc);
  }
  const [base, gnome, gnome2] = out as [Descriptor, Descriptor, Descriptor];
  await store.withLock('test', async () => {
    await store.setRef('centos:7', base);
    await store.setRef('centos-gnome:1', gnome);
    await store.setRef('centos-gnome:2', gnome2);
  });
  return { dir, base, gnome, gnome2, layers };
}

const blobs = (dir: string) => readdirSync(join(dir, 'blobs', 'sha256')).map((h) => `sha256:${h}`);

beforeAll(() => {
  work = tempDir('cloudlet-store-');
  agent = join(work.dir, 'cloudlet-agent');
  writeFileSync(agent, '#!/bin/sh\necho stand-in agent\n');
  chmodSync(agent, 0o755);
});
afterAll(() => work.cleanup());

describe('cloudlet log', () => {
  it('REF --json: the image and its ancestors, newest first, with names, created and the size of each added layer', async () => {
    const f = await family('log');
    const { history } = json(cloudlet(['log', 'centos-gnome:2', '--store', f.dir, '--json']));
    expect(history.map((h: any) => [h.digest, h.refs, h.layerBytes, h.created])).toEqual([
      [f.gnome2.digest, ['centos-gnome:2'], f.layers[2]?.size, '2023-11-14T22:13:22Z'],
      [f.gnome.digest, ['centos-gnome:1'], f.layers[1]?.size, '2023-11-14T22:13:21Z'],
      [f.base.digest, ['centos:7'], f.layers[0]?.size, '2023-11-14T22:13:20Z'],
    ]);
  });

  it('--tree: base images as roots and derived images indented under their parents; a 12-digit prefix names an image', async () => {
    const f = await family('tree');
    const r = cloudlet(['log', '--tree', '--store', f.dir]);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trimEnd().split('\n').map((l) => l.split('  2023')[0]);
    const short = (d: Descriptor) => d.digest.slice(7, 19);
    expect(lines).toEqual([`${short(f.base)}  centos:7`, `  ${short(f.gnome)}  centos-gnome:1`, `    ${short(f.gnome2)}  centos-gnome:2`]);
    const { tree } = json(cloudlet(['log', short(f.gnome), '--tree', '--store', f.dir, '--json']));
    expect(tree).toHaveLength(1);
    expect(tree[0].row.digest).toBe(f.gnome.digest);
    expect(tree[0].children.map((c: any) => c.row.digest)).toEqual([f.gnome2.digest]);
  });

  it('an unknown or malformed reference is E_REF, exit 2; a missing store is E_STORE, exit 1', async () => {
    const f = await family('bad-ref');
    const unknown = cloudlet(['log', 'debian:12', '--store', f.dir]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/E_REF.*debian:12/);
    expect(unknown.stderr).toMatch(/centos-gnome:1/);
    expect(cloudlet(['log', 'Not A Ref', '--store', f.dir]).code).toBe(2);
    const none = cloudlet(['log', '--store', join(work.dir, 'nothing-here')]);
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/E_STORE: no image store/);
  });

  it('takes the store from CLOUDLET_STORE when --store is not given', async () => {
    const f = await family('env');
    expect(json(cloudlet(['log', 'centos:7', '--json'], { CLOUDLET_STORE: f.dir })).history[0].digest).toBe(f.base.digest);
  });
});

describe('cloudlet tag, rm and gc', () => {
  it('tag names an image again and moves a name; rm removes names only; gc then frees what no name or ancestor needs', async () => {
    const f = await family('lifecycle');
    const tagged = json(cloudlet(['tag', 'centos-gnome:2', 'centos-gnome:stable', '--store', f.dir, '--json']));
    expect(tagged).toEqual({ ref: 'centos-gnome:stable', digest: f.gnome2.digest, previous: null });
    const moved = json(cloudlet(['tag', 'centos:7', 'centos-gnome:stable', '--store', f.dir, '--json']));
    expect(moved).toEqual({ ref: 'centos-gnome:stable', digest: f.base.digest, previous: f.gnome2.digest });

    const before = blobs(f.dir);
    const removed = json(cloudlet(['rm', 'centos-gnome:2', 'centos-gnome:stable', '--store', f.dir, '--json']));
    expect(removed.removed).toEqual([
      { ref: 'centos-gnome:2', digest: f.gnome2.digest },
      { ref: 'centos-gnome:stable', digest: f.base.digest },
    ]);
    expect(blobs(f.dir).sort()).toEqual(before.sort());

    const dry = json(cloudlet(['gc', '--dry-run', '--store', f.dir, '--json']));
    expect(dry.dryRun).toBe(true);
    expect(blobs(f.dir).sort()).toEqual(before.sort());
    const gnome2Config = (JSON.parse(readFileSync(join(f.dir, 'blobs', 'sha256', f.gnome2.digest.slice(7)), 'utf8')) as { config: { digest: string } }).config.digest;
    const gone = [f.gnome2.digest, gnome2Config, f.layers[2]?.digest].sort();
    expect(dry.removed.map((b: any) => b.digest).sort()).toEqual(gone);

    const real = json(cloudlet(['gc', '--store', f.dir, '--json']));
    expect(real.removed).toEqual(dry.removed);
    expect(real.bytes).toBe(dry.removed.reduce((n: number, b: any) => n + b.size, 0));
    expect(blobs(f.dir).sort()).toEqual(before.filter((d) => !gone.includes(d)).sort());
    // What is still named reads whole with other tools.
    expect(JSON.parse(sh('skopeo', ['inspect', `oci:${f.dir}:centos-gnome:1`])).Digest).toBe(f.gnome.digest);
    sh('umoci', ['unpack', '--rootless', '--image', `${f.dir}:centos-gnome:1`, join(work.dir, 'lifecycle-bundle')]);
    expect(existsSync(join(work.dir, 'lifecycle-bundle', 'rootfs', 'usr', 'bin', 'gnome-shell'))).toBe(true);
    expect(json(cloudlet(['gc', '--store', f.dir, '--json'])).removed).toEqual([]);
  });

  it('gc keeps the ancestors of a named image after their own names are removed', async () => {
    const f = await family('ancestors');
    json(cloudlet(['rm', 'centos:7', 'centos-gnome:1', '--store', f.dir, '--json']));
    const before = blobs(f.dir);
    expect(json(cloudlet(['gc', '--store', f.dir, '--json'])).removed).toEqual([]);
    expect(blobs(f.dir)).toEqual(before);
    expect(json(cloudlet(['log', 'centos-gnome:2', '--store', f.dir, '--json'])).history).toHaveLength(3);
  });

  it('tag and rm refuse bad names with E_REF and change nothing', async () => {
    const f = await family('refuse');
    const index = sh('cat', [join(f.dir, 'index.json')]);
    const badTag = cloudlet(['tag', 'centos:7', 'Bad:Name:1', '--store', f.dir]);
    expect(badTag.code).toBe(2);
    expect(badTag.stderr).toMatch(/E_REF/);
    const missing = cloudlet(['rm', 'centos:7', 'nope:1', '--store', f.dir]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/E_REF: no image nope:1/);
    expect(sh('cat', [join(f.dir, 'index.json')])).toBe(index);
  });

  it('a command that changes the store waits for the lock, then names the holder: E_STORE store busy, exit 1', async () => {
    const f = await family('busy');
    writeFileSync(join(f.dir, 'lock'), JSON.stringify({ pid: 1, what: 'pull debian:12', since: '2026-01-01T00:00:00.000Z' }));
    const r = cloudlet(['gc', '--store', f.dir], { CLOUDLET_STORE_LOCK_WAIT: '0' });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/E_STORE: store busy: process 1 holds its lock for "pull debian:12"/);
  });
});

describe('a store made by cloudlet snapshot', () => {
  it('log shows the chain snapshot made, and skopeo and umoci read the versions by NAME:VERSION', () => {
    const dir = join(work.dir, 'snap-store');
    const tree = join(work.dir, 'snap-tree');
    mkdirSync(tree);
    writeTree(tree, { '/etc/one': 'one\n' });
    const first = cloudlet(['snapshot', tree, '--tag', 'snap/app:1', '--store', dir]);
    expect(first.code, first.stderr).toBe(0);
    writeTree(tree, { '/etc/two': 'two\n' });
    const second = cloudlet(['snapshot', tree, '--parent', 'snap/app:1', '--tag', 'snap/app:2', '--store', dir]);
    expect(second.code, second.stderr).toBe(0);
    const { history } = json(cloudlet(['log', 'snap/app:2', '--store', dir, '--json']));
    expect(history.map((h: any) => h.refs)).toEqual([['snap/app:2'], ['snap/app:1']]);
    expect(history[0].parent).toBe(history[1].digest);
    expect(JSON.parse(sh('skopeo', ['inspect', `oci:${dir}:snap/app:2`])).Digest).toBe(history[0].digest);
    const bundle = join(work.dir, 'snap-bundle');
    sh('umoci', ['unpack', '--rootless', '--image', `${dir}:snap/app:2`, bundle]);
    expect(readFileSync(join(bundle, 'rootfs', 'etc', 'one'), 'utf8')).toBe('one\n');
    expect(readFileSync(join(bundle, 'rootfs', 'etc', 'two'), 'utf8')).toBe('two\n');
  });
});

describe('gc beside a snapshot', () => {
  it('gc and snapshot started together while the lock is held both finish, and gc removes nothing the new image needs', async () => {
    const f = await family('concurrent');
    const tree = join(work.dir, 'concurrent-tree');
    mkdirSync(tree);
    writeTree(tree, Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`/data/f${i}`, `file ${i}\n`.repeat(50)])));
    const holder = spawn('sleep', ['600'], { stdio: 'ignore' });
    writeFileSync(join(f.dir, 'lock'), JSON.stringify({ pid: holder.pid, boot: currentBoot(), what: 'test holder', since: '2026-01-01T00:00:00.000Z' }));
    const env = { ...process.env, CLOUDLET_STORE_LOCK_WAIT: '600' };
    const [cmd, ...pre] = cloudletCommand();
    const started = (args: string[]) => {
      const child = spawn(cmd as string, [...pre, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr.on('data', (d: Buffer) => (err += d.toString()));
      return new Promise<AgentRun>((done) => child.on('close', (code) => done({ code, stdout: out, stderr: err })));
    };
    const snapshot = started(['snapshot', tree, '--parent', 'centos:7', '--tag', 'data:1', '--store', f.dir]);
    const collect = started(['gc', '--store', f.dir, '--json']);
    const holderGone = new Promise((r) => holder.on('exit', r));
    holder.kill();
    await holderGone;
    const [snap, gcRun] = await Promise.all([snapshot, collect]);
    expect(snap.code, snap.stderr).toBe(0);
    const removed = (json(gcRun).removed as Array<{ digest: string }>).map((b) => b.digest);
    const image = JSON.parse(sh('skopeo', ['inspect', `oci:${f.dir}:data:1`])) as { Digest: string; Layers: string[] };
    for (const d of [image.Digest, ...image.Layers]) expect(removed).not.toContain(d);
    sh('umoci', ['unpack', '--rootless', '--image', `${f.dir}:data:1`, join(work.dir, 'concurrent-bundle')]);
    expect(readFileSync(join(work.dir, 'concurrent-bundle', 'rootfs', 'data', 'f199'), 'utf8')).toBe('file 199\n'.repeat(50));
  });
});

describe('damage', () => {
  it('a blob whose bytes do not match its digest is refused with E_STORE naming the digest and the fix', async () => {
    const f = await family('damage');
    writeFileSync(join(f.dir, 'blobs', 'sha256', f.gnome.digest.slice(7)), '{"schemaVersion":2}');
    const r = cloudlet(['log', 'centos-gnome:2', '--store', f.dir]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`E_STORE: blob ${f.gnome.digest} is damaged`);
    expect(r.stderr).toMatch(/fix: .*pull the image again.*cloudlet gc/);
    const gc = cloudlet(['gc', '--store', f.dir]);
    expect(gc.code).toBe(1);
    expect(gc.stderr).toContain(f.gnome.digest);
  });
});

describe('cloudlet bake from the store', () => {
  it('bakes NAME:VERSION and a digest prefix to the same plan, and the same tree as the layout path with --ref (dry run)', async () => {
    const f = await family('bake');
    const bake = (image: string, extra: string[] = []) =>
      json(
        runCloudlet(['bake', image, ...extra, '--target', 'raw', '--out', join(work.dir, 'bake-out'), '--cache', join(work.dir, 'bake-cache'), '--agent', agent, '--dry-run', '--json'], {
          env: { SOURCE_DATE_EPOCH: '1700000000', CLOUDLET_STORE: f.dir },
          timeoutMs: 180_000,
        }),
      );
    const byName = bake('centos-gnome:2');
    expect(byName.image.digest).toBe(f.gnome2.digest);
    const byPrefix = bake(f.gnome2.digest.slice(7, 21), ['--store', f.dir]);
    const byPath = bake(f.dir, ['--ref', 'centos-gnome:2']);
    expect(byPrefix.disk.key).toBe(byName.disk.key);
    // A layout given as a path is hashed as a directory, so only what was staged can match.
    expect(byPath.disk.plan.totalBytes).toBe(byName.disk.plan.totalBytes);
    expect(byName.disk.plan.totalBytes).toBeGreaterThan(150_000);
    expect(existsSync(join(work.dir, 'bake-out'))).toBe(false);
  });

  it('an unknown name is E_REF listing the store; a name that is neither a path nor in a store says so', async () => {
    const f = await family('bake-bad');
    const args = ['--target', 'raw', '--out', join(work.dir, 'bad-out'), '--agent', agent, '--dry-run'];
    const unknown = runCloudlet(['bake', 'debian:12', '--store', f.dir, ...args]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/E_REF: no image debian:12/);
    const nothing = runCloudlet(['bake', 'rootfs', '--store', join(work.dir, 'no-store'), ...args]);
    expect(nothing.code).toBe(2);
    expect(nothing.stderr).toMatch(/E_BAKE_INPUT: cannot read the image rootfs: it does not exist, and there is no image store/);
  });
});
