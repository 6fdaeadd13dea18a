// push and pull against Debian's docker-registry on 127.0.0.1: round trips, skopeo both ways, mounts, and faults injected by a proxy.

import { chmodSync, existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { REPO, tempDir } from './harness';
import { cloudlet, FaultProxy, missingBlobs, pullTemps, startRegistry, storeBlobs, storeRefs, tool, type Registry } from './registry-support';

let work: ReturnType<typeof tempDir>;
let registry: Registry | undefined;
let proxy: FaultProxy | undefined;
let store: string;
let root: string;
let host: string;
let n = 0;

const TINY = {
  cloudlet: '0.0.4',
  name: 'tiny',
  version: '1.0.0',
  platforms: ['nocloud'],
  entrypoints: { kernel: { path: '/boot/vmlinuz', initrd: '/boot/initrd.img', cmdline: 'quiet' }, init: { path: '/sbin/init' } },
};

/** A fresh store directory name for one test. */
const fresh = () => join(work.dir, `store-${++n}`);
const blobPath = /\/blobs\/sha256:/;

beforeAll(async () => {
  work = tempDir('cloudlet-registry-');
  registry = await startRegistry(work.dir);
  proxy = new FaultProxy(registry.port);
  await proxy.start();
  host = `127.0.0.1:${proxy.port}`;
  root = join(work.dir, 'root');
  mkdirSync(join(root, 'etc', 'app'), { recursive: true });
  writeFileSync(join(root, 'etc', 'hello'), 'hello\n');
  writeFileSync(join(root, 'etc', 'app', 'data.bin'), randomBytes(300_000));
  chmodSync(join(root, 'etc', 'hello'), 0o640);
  symlinkSync('hello', join(root, 'etc', 'greeting'));
  const layout = join(work.dir, 'layout');
  store = join(work.dir, 'store');
  await tool('umoci', ['init', '--layout', layout]);
  await tool('umoci', ['new', '--image', `${layout}:base`]);
  await tool('umoci', ['insert', '--image', `${layout}:base`, root, '/']);
  await tool('skopeo', ['copy', '-q', `oci:${layout}:base`, `oci:${store}:web:1`]);
  await tool('umoci', ['config', '--image', `${layout}:base`, '--tag', 'arm', '--architecture', 'arm64']);
  await tool('skopeo', ['copy', '-q', `oci:${layout}:arm`, `oci:${store}:web:arm`]);
});

afterAll(async () => {
  await proxy?.stop();
  await registry?.stop();
  work?.cleanup();
});

beforeEach(() => proxy!.reset());

function manifestDigest(dir: string, ref: string): string | undefined {
  return storeRefs(dir).find((e) => e.annotations?.['org.opencontainers.image.ref.name'] === ref)?.digest;
}

async function push(ref: string, target: string, extra: string[] = []) {
  const r = await cloudlet(['push', ref, `${host}/${target}`, '--store', store, '--json', ...extra]);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout) as { digest: string; sentBytes: number; blobs: Array<{ action: string }> };
}

async function unpacked(dir: string, ref: string): Promise<string> {
  const bundle = join(work.dir, `bundle-${++n}`);
  await tool('umoci', ['unpack', '--image', `${dir}:${ref}`, bundle]);
  return join(bundle, 'rootfs');
}

describe('cloudlet push and pull', () => {
  it('round trip: what is pushed (in chunks) pulls back with the same digest and the same tree, blob downloads following redirects', async () => {
    const pushed = await push('web:1', 'apps/web:1', ['--chunk-size', '64K']);
    expect(pushed.digest).toBe(manifestDigest(store, 'web:1'));
    expect(proxy!.seen.filter((s) => s.method === 'PATCH').length).toBeGreaterThan(4);
    proxy!.faults = [{ method: 'GET', path: blobPath, kind: 'redirect', times: 10 }];
    const mine = fresh();
    const r = await cloudlet(['pull', `${host}/apps/web:1`, '--store', mine]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`as web:1 (${pushed.digest})`);
    expect(proxy!.seen.filter((s) => s.path.startsWith('/_storage/')).length).toBe(2);
    expect(manifestDigest(mine, 'web:1')).toBe(pushed.digest);
    // Contents, modes, owners and links; umoci's own handling of mtimes is not what this test is about.
    const diff = await tool('rsync', ['-nrlpgoDic', '--numeric-ids', '--delete', `${root}/`, `${await unpacked(mine, 'web:1')}/`]);
    expect(diff.split('\n').filter((l) => l && !l.startsWith('.d'))).toEqual([]);
  });

  it('skopeo reads what cloudlet pushed, and cloudlet pulls what skopeo pushed', async () => {
    const pushed = await push('web:1', 'interop/ours:1');
    const inspect = JSON.parse(await tool('skopeo', ['inspect', '--tls-verify=false', `docker://${host}/interop/ours:1`])) as { Digest: string };
    expect(inspect.Digest).toBe(pushed.digest);
    await tool('skopeo', ['copy', '-q', '--dest-tls-verify=false', `oci:${store}:web:1`, `docker://${host}/interop/theirs:2`]);
    const theirs = JSON.parse(await tool('skopeo', ['inspect', '--tls-verify=false', `docker://${host}/interop/theirs:2`])) as { Digest: string };
    const mine = fresh();
    const r = await cloudlet(['pull', `${host}/interop/theirs:2`, '--tag', 'theirs:copy', '--store', mine]);
    expect(r.code).toBe(0);
    expect(manifestDigest(mine, 'theirs:copy')).toBe(theirs.Digest);
    const readBack = JSON.parse(await tool('skopeo', ['inspect', `oci:${mine}:theirs:copy`])) as { Digest: string };
    expect(readBack.Digest).toBe(theirs.Digest);
  });

  it('a push of an unchanged image sends no blob bytes (counted by the proxy), HEAD answers enough', async () => {
    await push('web:1', 'apps/again:1');
    proxy!.reset();
    const again = await push('web:1', 'apps/again:1');
    expect(proxy!.uploadedBytes()).toBe(0);
    expect(again.sentBytes).toBe(0);
    expect(again.blobs.map((b) => b.action)).toEqual(['present', 'present']);
    expect(proxy!.seen.filter((s) => s.method === 'HEAD').length).toBe(2);
  });

  it('mounts blobs from another repository of the same registry instead of sending them', async () => {
    await push('web:1', 'team-a/web:1');
    proxy!.reset();
    const second = await push('web:1', 'team-b/web:1');
    expect(second.blobs.map((b) => b.action)).toEqual(['mounted', 'mounted']);
    expect(proxy!.uploadedBytes()).toBe(0);
    const mounts = proxy!.seen.filter((s) => s.method === 'POST' && s.path.includes('mount=') && s.path.includes('from=team-a%2Fweb'));
    expect(mounts.map((s) => s.status)).toEqual([201, 201]);
  });

  it('uploads in the session a registry opens when it answers a mount with 202', async () => {
    await push('web:1', 'team-a/web:1');
    proxy!.reset();
    proxy!.faults = [{ method: 'POST', path: /mount=/, kind: 'nomount', times: 10 }];
    const third = await push('web:1', 'team-c/web:1');
    expect(proxy!.seen.filter((s) => s.method === 'POST').map((s) => s.status)).toEqual([202, 202]);
    expect(third.blobs.map((b) => b.action)).toEqual(['uploaded', 'uploaded']);
    expect(proxy!.uploadedBytes()).toBe(third.sentBytes);
    const inspect = JSON.parse(await tool('skopeo', ['inspect', '--tls-verify=false', `docker://${host}/team-c/web:1`])) as { Digest: string };
    expect(inspect.Digest).toBe(third.digest);
  });

  it('pulls the linux/amd64 image of an index', async () => {
    const pushed = await push('web:1', 'apps/multi:amd64');
    const arm = await push('web:arm', 'apps/multi:arm64');
    const entry = (architecture: string, digest: string) => ({ mediaType: 'application/vnd.oci.image.manifest.v1+json', digest, size: readFileSync(join(store, 'blobs', 'sha256', digest.slice(7))).length, platform: { os: 'linux', architecture } });
    const index = JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: [entry('arm64', arm.digest), entry('amd64', pushed.digest)] });
    const put = await fetch(`http://${host}/v2/apps/multi/manifests/1`, { method: 'PUT', headers: { 'content-type': 'application/vnd.oci.image.index.v1+json' }, body: index });
    expect(put.status).toBe(201);
    const mine = fresh();
    const r = await cloudlet(['pull', `${host}/apps/multi:1`, '--store', mine]);
    expect(r.code).toBe(0);
    expect(manifestDigest(mine, 'multi:1')).toBe(pushed.digest);
  });
});

describe('images cloudlet snapshot made', () => {
  let tree: string;
  let snapStore: string;

  beforeAll(async () => {
    tree = join(work.dir, 'tiny');
    mkdirSync(join(tree, '.cloudlet'), { recursive: true });
    mkdirSync(join(tree, 'boot'));
    mkdirSync(join(tree, 'sbin'));
    writeFileSync(join(tree, '.cloudlet', 'manifest'), JSON.stringify(TINY));
    writeFileSync(join(tree, 'boot', 'vmlinuz'), 'k'.repeat(70_000));
    writeFileSync(join(tree, 'boot', 'initrd.img'), 'i');
    writeFileSync(join(tree, 'sbin', 'init'), '#!/bin/sh\n', { mode: 0o755 });
    snapStore = fresh();
    const r = await cloudlet(['snapshot', tree, '--tag', 'tiny:1', '--store', snapStore]);
    expect(r.code).toBe(0);
  });

  it('round trip through the registry checks out the same tree', async () => {
    const pushed = await cloudlet(['push', 'tiny:1', `${host}/apps/tiny:1`, '--store', snapStore]);
    expect(pushed.code).toBe(0);
    const mine = fresh();
    expect((await cloudlet(['pull', `${host}/apps/tiny:1`, '--store', mine])).code).toBe(0);
    expect(manifestDigest(mine, 'tiny:1')).toBe(manifestDigest(snapStore, 'tiny:1'));
    const out = join(work.dir, `checkout-${++n}`);
    expect((await cloudlet(['checkout', 'tiny:1', out, '--store', mine])).code).toBe(0);
    const diff = await tool('rsync', ['-naic', '--numeric-ids', '--delete', `${tree}/`, `${out}/`]);
    expect(diff.split('\n').filter((l) => l && !l.startsWith('.d'))).toEqual([]);
  });

  it('bake takes a registry reference: pulled into the store, then staged from it', async () => {
    await cloudlet(['push', 'tiny:1', `${host}/apps/tiny:2`, '--store', snapStore]);
    const mine = fresh();
    const agent = join(REPO, 'dist', 'cloudlet-agent');
    const r = await cloudlet(['bake', `${host}/apps/tiny:2`, '--store', mine, '--target', 'raw', '--out', join(work.dir, 'out'), '--cache', join(work.dir, 'cache'), '--agent', agent, '--dry-run', '--json']);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as { image: { path: string; digest: string } };
    expect(report.image).toEqual({ path: mine, digest: manifestDigest(snapStore, 'tiny:1') });
    expect(manifestDigest(mine, 'tiny:2')).toBe(manifestDigest(snapStore, 'tiny:1'));
  });
});

describe('registry faults', () => {
  beforeAll(async () => {
    await push('web:1', 'faults/web:1');
  });

  it('401 without credentials; with credentials from an auth file it succeeds, and the password is printed nowhere', async () => {
    proxy!.basic = { user: 'tester', pass: 'Sup3r-Secret-Pw' };
    const mine = fresh();
    const denied = await cloudlet(['pull', `${host}/faults/web:1`, '--store', mine], { REGISTRY_AUTH_FILE: join(work.dir, 'none.json'), HOME: work.dir });
    expect(denied.code).toBe(1);
    expect(denied.stderr).toMatch(/E_REGISTRY.*401 unauthorized/);
    expect(denied.stderr).toContain(`credentials for ${host}`);
    const auth = join(work.dir, 'auth.json');
    writeFileSync(auth, JSON.stringify({ auths: { [host]: { auth: Buffer.from('tester:Sup3r-Secret-Pw').toString('base64') } } }));
    const ok = await cloudlet(['pull', `${host}/faults/web:1`, '--store', mine, '--json'], { REGISTRY_AUTH_FILE: auth });
    expect(ok.code).toBe(0);
    const wrong = join(work.dir, 'wrong.json');
    writeFileSync(wrong, JSON.stringify({ auths: { [host]: { auth: Buffer.from('tester:Wrong-Secret-Pw').toString('base64') } } }));
    const refused = await cloudlet(['pull', `${host}/faults/web:1`, '--store', mine], { REGISTRY_AUTH_FILE: wrong });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`refused the credentials for ${host} in ${wrong}`);
    for (const out of [denied, ok, refused].flatMap((r) => [r.stdout, r.stderr])) {
      expect(out).not.toContain('Secret-Pw');
      expect(out).not.toContain(Buffer.from('tester:Wrong-Secret-Pw').toString('base64'));
    }
  });

  it('404: one clear error naming the registry\'s code, and no store made for nothing', async () => {
    const mine = fresh();
    const r = await cloudlet(['pull', `${host}/faults/web:nope`, '--store', mine]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/E_REGISTRY.*404 not found \(MANIFEST_UNKNOWN/);
    expect(existsSync(mine)).toBe(false);
  });

  it('a 500 is retried and the pull then succeeds', async () => {
    proxy!.faults = [{ method: 'GET', path: /\/manifests\//, kind: 'status', status: 500, times: 1 }];
    const r = await cloudlet(['pull', `${host}/faults/web:1`, '--store', fresh()]);
    expect(r.code).toBe(0);
    expect(proxy!.seen.filter((s) => s.method === 'GET' && s.path.includes('/manifests/')).map((s) => s.status)).toEqual([500, 200]);
  });

  it('a 500 that persists ends in one error after the retries', async () => {
    proxy!.faults = [{ method: 'GET', path: /\/manifests\//, kind: 'status', status: 503, times: 100 }];
    const r = await cloudlet(['pull', `${host}/faults/web:1`, '--store', fresh()]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/E_REGISTRY.*503 registry failure/);
    expect(proxy!.seen.filter((s) => s.path.includes('/manifests/')).length).toBe(4);
  });

  it('a registry that does not answer times out with one clear error', async () => {
    proxy!.faults = [{ method: 'GET', path: /\/manifests\//, kind: 'hang', times: 1 }];
    const r = await cloudlet(['pull', `${host}/faults/web:1`, '--store', fresh(), '--timeout', '1']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/E_REGISTRY.*nothing received for 1 s/);
  });

  it('garbage instead of a manifest is refused', async () => {
    proxy!.faults = [{ method: 'GET', path: /\/manifests\//, kind: 'garbage', times: 1 }];
    const mine = fresh();
    const r = await cloudlet(['pull', `${host}/faults/web:1`, '--store', mine]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/E_REGISTRY.*not a usable image manifest: not JSON/);
  });

  it('a blob whose bytes do not match its digest is refused and the store is left as it was', async () => {
    const mine = fresh();
    await cloudlet(['pull', `${host}/faults/web:1`, '--store', mine, '--tag', 'before:1']);
    const layer = JSON.parse(readFileSync(join(store, 'blobs', 'sha256', manifestDigest(store, 'web:1')!.slice(7)), 'utf8')).layers[0].digest as string;
    await tool('rm', [join(mine, 'blobs', 'sha256', layer.slice(7))]);
    const index = readFileSync(join(mine, 'index.json'), 'utf8');
    const blobs = storeBlobs(mine);
    proxy!.faults = [{ method: 'GET', path: new RegExp(`/blobs/${layer}`), kind: 'corrupt', times: 1 }];
    const r = await cloudlet(['pull', `${host}/faults/web:1`, '--store', mine, '--tag', 'after:1']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`E_REGISTRY.*blob ${layer}: the bytes the registry sent have digest .*refused, nothing kept`));
    expect(readFileSync(join(mine, 'index.json'), 'utf8')).toBe(index);
    expect(storeBlobs(mine)).toEqual(blobs);
    expect(pullTemps(mine)).toEqual([]);
  });

  it('a pull whose blob answer breaks off once resumes it from where it stopped (Range) and completes in the same run', async () => {
    const mine = fresh();
    const manifest = JSON.parse(readFileSync(join(store, 'blobs', 'sha256', manifestDigest(store, 'web:1')!.slice(7)), 'utf8')) as { layers: Array<{ digest: string; size: number }> };
    const layer = manifest.layers[0]!;
    proxy!.faults = [{ method: 'GET', path: new RegExp(`/blobs/${layer.digest}`), kind: 'cut', times: 1 }];
    const r = await cloudlet(['pull', `${host}/faults/web:1`, '--store', mine]);
    expect(r.code, r.stderr).toBe(0);
    expect(manifestDigest(mine, 'web:1')).toBe(manifestDigest(store, 'web:1'));
    expect(missingBlobs(mine)).toEqual([]);
    expect(pullTemps(mine)).toEqual([]);
    const gets = proxy!.seen.filter((s) => s.method === 'GET' && s.path.endsWith(`/blobs/${layer.digest}`));
    expect(gets.map((g) => g.status)).toEqual([200, 206]);
    const from = Number(/^bytes=(\d+)-$/.exec(gets[1]!.range ?? '')?.[1]);
    expect(from).toBeGreaterThan(0);
    expect(from).toBeLessThanOrEqual(layer.size >> 1);
  });

  it('a pull cut mid-blob leaves the store consistent, and a retry completes it without fetching again what it has', async () => {
    const mine = fresh();
    const manifest = JSON.parse(readFileSync(join(store, 'blobs', 'sha256', manifestDigest(store, 'web:1')!.slice(7)), 'utf8')) as { config: { digest: string }; layers: Array<{ digest: string }> };
    proxy!.faults = [{ method: 'GET', path: new RegExp(`/blobs/${manifest.layers[0]!.digest}`), kind: 'cut', times: 100 }];
    const cut = await cloudlet(['pull', `${host}/faults/web:1`, '--store', mine]);
    expect(cut.code).toBe(1);
    expect(cut.stderr).toMatch(/E_REGISTRY.*broke off/);
    expect(storeRefs(mine)).toEqual([]);
    expect(missingBlobs(mine)).toEqual([]);
    expect(pullTemps(mine)).toEqual([]);
    proxy!.reset();
    const retry = await cloudlet(['pull', `${host}/faults/web:1`, '--store', mine]);
    expect(retry.code).toBe(0);
    expect(manifestDigest(mine, 'web:1')).toBe(manifestDigest(store, 'web:1'));
    expect(missingBlobs(mine)).toEqual([]);
    expect(proxy!.seen.filter((s) => s.method === 'GET' && blobPath.test(s.path)).map((s) => s.path.split('/').pop())).toEqual([manifest.layers[0]!.digest]);
  });
});
