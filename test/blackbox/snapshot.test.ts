// Snapshots on real trees through the built `cloudlet`: three derived generations, diff, checkout, Git, umoci, gc.

import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cloudletCommand, runCloudlet, tempDir, type AgentRun } from './harness';

const MiB = 1024 * 1024;
let work: { dir: string; cleanup: () => void };
let store: string;
let tree: string;
let repo: string;
/** NAME:VERSION -> the manifest digest and a copy of the tree as it was snapshotted. */
const versions = new Map<string, { digest: string; copy: string; layerSize: number }>();

function bash(script: string): string {
  const r = spawnSync('bash', ['-euo', 'pipefail', '-c', script], { encoding: 'utf8', timeout: 120_000 });
  if (r.status !== 0) throw new Error(`script exited ${r.status}: ${r.stderr}\n${script}`);
  return r.stdout;
}

function cloudlet(args: string[], env: Record<string, string> = {}): AgentRun {
  return runCloudlet([...args, '--store', store], { env, timeoutMs: 180_000 });
}

function ok(r: AgentRun): string {
  expect(r.code, r.stderr).toBe(0);
  return r.stdout;
}

/** rsync's itemised differences (and extra files) between two trees, checksums, owners, xattrs and hard links included. */
function rsyncDiff(a: string, b: string): string {
  return bash(`rsync -rlpgoDXHcn -i --numeric-ids --delete ${a}/ ${b}/`);
}

function snap(ref: string, parent?: string): { digest: string; layerSize: number } {
  const report = JSON.parse(ok(cloudlet(['snapshot', tree, '--tag', ref, ...(parent ? ['--parent', parent] : []), '--git', repo, '--json'])));
  const copy = join(work.dir, `copy-${ref.replace(':', '-')}`);
  bash(`cp -a ${tree} ${copy}`);
  versions.set(ref, { digest: report.digest, copy, layerSize: report.layer.size });
  return { digest: report.digest, layerSize: report.layer.size };
}

/** Files, directories, a symlink, hard links, a fifo, a character device, xattrs, setuid/sticky modes, odd owners and names. */
const GENERATION_0 = (t: string) => `
  mkdir -p ${t}/etc/app ${t}/usr/bin ${t}/var/lib/data ${t}/tmp ${t}/dev ${t}/srv
  printf 'root:x:0:0::/root:/bin/sh\\n' > ${t}/etc/passwd
  printf 'key=1\\n' > ${t}/etc/app/conf
  head -c ${MiB} /dev/urandom > ${t}/var/lib/data/big.bin
  printf '#!/bin/sh\\necho hi\\n' > ${t}/usr/bin/tool && chmod 4755 ${t}/usr/bin/tool
  ln ${t}/usr/bin/tool ${t}/usr/bin/tool-again
  ln -s ../etc/passwd ${t}/srv/passwd-link
  : > ${t}/srv/empty
  printf 'odd\\n' > "${t}/srv/sp ace, quote\\" and caf\u00e9"
  printf 'nl\\n' > "${t}/srv/new$(printf '\\n')line"
  mkfifo ${t}/tmp/fifo
  mknod ${t}/dev/null c 1 3 && chmod 666 ${t}/dev/null
  chmod 1777 ${t}/tmp
  chmod 2750 ${t}/var/lib/data && chown 1234:5678 ${t}/var/lib/data
  chown 4000000:70 ${t}/etc/app/conf && chmod 600 ${t}/etc/app/conf
  setfattr -n user.comment -v 'hello world' ${t}/etc/passwd
  setfattr -n trusted.blob -v 0x00ff00 ${t}/usr/bin/tool
  setfattr -n user.dir -v d ${t}/var/lib/data
  printf '{"cloudlet":"0.0.4","name":"snap","version":"1.0.0"}\\n' > ${t}/etc/app/manifest
  mkdir ${t}/.cloudlet && cp ${t}/etc/app/manifest ${t}/.cloudlet/manifest
`;

beforeAll(() => {
  work = tempDir('cloudlet-snapshot-');
  store = join(work.dir, 'store');
  tree = join(work.dir, 'tree');
  repo = join(work.dir, 'repo');
  bash(GENERATION_0(tree));
  snap('app:1');
  bash(`head -c ${MiB} /dev/urandom > ${tree}/var/lib/data/big.bin`);
  snap('app:2', 'app:1');
  bash(`rm -r ${tree}/etc/app`);
  snap('app:3', 'app:2');
  bash(`rm ${tree}/srv/empty && mkdir -m 700 ${tree}/srv/empty && echo inside > ${tree}/srv/empty/file`);
  snap('app:4', 'app:3');
}, 300_000);

afterAll(() => work?.cleanup());

describe('cloudlet snapshot, diff and checkout', () => {
  it('checks out every generation exactly, into a new or an empty directory: rsync (checksums, owners, modes, xattrs, devices, hard links) and the listing agree', () => {
    for (const [ref, v] of versions) {
      const out = join(work.dir, `co-${ref.replace(':', '-')}`);
      // An existing empty directory is as good as none.
      if (ref === 'app:1') bash(`mkdir ${out}`);
      ok(cloudlet(['checkout', ref, out]));
      expect(rsyncDiff(v.copy, out), ref).toBe('');
      expect(ok(cloudlet(['diff', ref, out])), ref).toBe('');
      expect(statSync(join(out, 'usr/bin/tool')).ino).toBe(statSync(join(out, 'usr/bin/tool-again')).ino);
    }
  });

  it('logs the generations, each derived from the one before', () => {
    const log = JSON.parse(ok(cloudlet(['log', 'app:4', '--json'])));
    const digests = ['app:4', 'app:3', 'app:2', 'app:1'].map((r) => (versions.get(r) as { digest: string }).digest);
    expect(log.history.map((h: { digest: string }) => h.digest)).toEqual(digests);
    expect(log.history.map((h: { parent?: string }) => h.parent)).toEqual([...digests.slice(1), undefined]);
  });

  it('diffs generations: a changed file, a removed directory, a file replaced by a directory', () => {
    const d12 = JSON.parse(ok(cloudlet(['diff', 'app:1', 'app:2', '--json'])));
    expect(d12.changed.map((c: { path: string; what: string[] }) => [c.path, c.what])).toEqual([['var/lib/data/big.bin', ['content']]]);
    expect([d12.added, d12.removed]).toEqual([[], []]);
    const d23 = JSON.parse(ok(cloudlet(['diff', 'app:2', 'app:3', '--json'])));
    expect(d23.removed.map((e: { path: string }) => e.path)).toEqual(['etc/app', 'etc/app/conf', 'etc/app/manifest']);
    const d34 = JSON.parse(ok(cloudlet(['diff', 'app:3', 'app:4', '--json'])));
    expect(d34.changed.map((c: { path: string; what: string[] }) => [c.path, c.what])).toEqual([['srv/empty', ['type', 'content', 'mode']]]);
    expect(d34.added.map((e: { path: string }) => e.path)).toEqual(['srv/empty/file']);
    expect(ok(cloudlet(['diff', 'app:3', 'app:4']))).toMatch(/^~ "srv\/empty" type,content,mode$/m);
  });

  it('stores only the changed 1 MiB file for a derived snapshot, and a whiteout for a removed directory', () => {
    expect((versions.get('app:2') as { layerSize: number }).layerSize).toBeLessThanOrEqual(MiB + 16 * 1024);
    const layer = (ref: string) => {
      const manifest = JSON.parse(readFileSync(join(store, 'blobs/sha256', (versions.get(ref) as { digest: string }).digest.slice(7)), 'utf8'));
      return join(store, 'blobs/sha256', manifest.layers.at(-1).digest.slice(7));
    };
    expect(bash(`tar -tf ${layer('app:3')}`)).toBe('etc/.wh.app\n');
    expect(bash(`tar -tf ${layer('app:4')}`)).toBe('srv/empty/\nsrv/empty/file\n');
  });

  it('gives the same digest for the same tree and parent, and an empty layer for an unchanged tree', () => {
    const again = JSON.parse(ok(cloudlet(['snapshot', tree, '--tag', 'again:4', '--parent', 'app:3', '--json'])));
    expect(again.digest).toBe((versions.get('app:4') as { digest: string }).digest);
    const same = JSON.parse(ok(cloudlet(['snapshot', tree, '--tag', 'same:5', '--parent', 'app:4', '--json'])));
    expect([same.added, same.removed, same.changed, same.layer.size]).toEqual([0, 0, 0, 1024]);
  });

  it('snapshots a tarball of the tree to the same listing as the directory', () => {
    const tar = join(work.dir, 'tree.tar');
    bash(`tar --numeric-owner --xattrs --xattrs-include='*' -C ${tree} -cf ${tar} .`);
    ok(cloudlet(['snapshot', tar, '--tag', 'fromtar:1']));
    expect(ok(cloudlet(['diff', 'fromtar:1', 'app:4']))).toBe('');
  });

  it('umoci unpacks a derived image to the same tree as checkout', () => {
    const bundle = join(work.dir, 'bundle');
    bash(`umoci unpack --image ${store}:app:4 ${bundle} >/dev/null`);
    expect(rsyncDiff(join(work.dir, 'co-app-4'), join(bundle, 'rootfs'))).toBe('');
  });

  it('refuses to check out into a directory that is not empty, leaving it as it was', () => {
    const r = cloudlet(['checkout', 'app:1', tree]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('is not empty');
    expect(rsyncDiff(tree, (versions.get('app:4') as { copy: string }).copy)).toBe('');
  });

  it('leaves nothing behind when a layer turns out damaged during checkout', () => {
    const damaged = join(work.dir, 'damaged-store');
    bash(`cp -a ${store} ${damaged}`);
    const manifest = JSON.parse(readFileSync(join(damaged, 'blobs/sha256', (versions.get('app:2') as { digest: string }).digest.slice(7)), 'utf8'));
    const blob = join(damaged, 'blobs/sha256', manifest.layers.at(-1).digest.slice(7));
    bash(`printf 'X' | dd of=${blob} bs=1 seek=${statSync(blob).size - 2048} conv=notrunc status=none`);
    const parent = join(work.dir, 'damaged-out');
    bash(`mkdir ${parent}`);
    const r = runCloudlet(['checkout', 'app:2', join(parent, 'root'), '--store', damaged]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(manifest.layers.at(-1).digest);
    expect(bash(`ls -A ${parent}`)).toBe('');
  });
});

describe('tracking with Git', () => {
  it('commits manifest, listing and digest per version, so git log -p shows the history file by file', () => {
    expect(bash(`git -C ${repo} log --format=%s`).trim().split('\n')).toEqual(['app:4', 'app:3', 'app:2', 'app:1'].map((r) => `${r} ${(versions.get(r) as { digest: string }).digest}`));
    const patch = bash(`git -C ${repo} log -p -1 -- app/tree.txt`);
    expect(patch).toMatch(/^-"srv\/empty" file 0644 /m);
    expect(patch).toMatch(/^\+"srv\/empty\/file" file 0644 /m);
    expect(readFileSync(join(repo, 'app/manifest.json'), 'utf8')).toContain('"name": "snap"');
    expect(bash(`git -C ${repo} ls-files`).split('\n').filter(Boolean).sort()).toEqual(['app/image', 'app/manifest.json', 'app/tree.txt']);
  });

  it('commits without a configured identity by passing one on the command line only', () => {
    const home = join(work.dir, 'empty-home');
    const bare = join(work.dir, 'repo-no-identity');
    bash(`mkdir -p ${home}`);
    const env = { HOME: home, XDG_CONFIG_HOME: home, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: join(home, 'gitconfig') };
    const r = runCloudlet(['snapshot', tree, '--tag', 'solo:1', '--git', bare, '--store', store], { env });
    expect(r.code, r.stderr).toBe(0);
    expect(bash(`git -C ${bare} log -1 --format='%an <%ae>'`).trim()).toBe('cloudlet <cloudlet@localhost>');
    expect(readFileSync(join(bare, '.git', 'config'), 'utf8')).not.toContain('[user]');
    expect(existsSync(join(home, 'gitconfig'))).toBe(false);
    // The same tree under the same name again: the files are as committed, so no new commit.
    expect(runCloudlet(['snapshot', tree, '--tag', 'solo:1', '--git', bare, '--store', store], { env }).code).toBe(0);
    expect(bash(`git -C ${bare} rev-list --count HEAD`).trim()).toBe('1');
  });

  it('refuses a --git directory that is not a repository before storing anything', () => {
    const plain = join(work.dir, 'not-a-repo');
    bash(`mkdir -p ${plain}`);
    const r = cloudlet(['snapshot', tree, '--tag', 'refused:1', '--git', plain]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('is not a Git work tree');
    expect(cloudlet(['diff', 'refused:1', tree]).code).toBe(2);
  });

  it('checks out a Git revision of the tracking repository', () => {
    const out = join(work.dir, 'co-git');
    ok(cloudlet(['checkout', '--git', repo, 'HEAD~2:app', out]));
    expect(rsyncDiff((versions.get('app:2') as { copy: string }).copy, out)).toBe('');
  });
});

describe('gc during a snapshot', () => {
  it('never deletes a blob the new image needs: gc waits for the snapshot\'s lock', async () => {
    const big = join(work.dir, 'big');
    bash(`mkdir -p ${big} && for i in $(seq 1 24); do head -c 2097152 /dev/urandom > ${big}/f$i; done`);
    const [exe, ...pre] = cloudletCommand();
    const child = spawn(exe as string, [...pre, 'snapshot', big, '--tag', 'big:1', '--parent', 'app:4', '--store', store], { stdio: ['ignore', 'pipe', 'pipe'] });
    const done = new Promise<number | null>((resolve) => child.on('close', resolve));
    const lock = join(store, 'lock');
    // Wait until the snapshot holds the lock (or has finished, which the assertion below then reports).
    for (let exited = false; !exited; ) {
      if (existsSync(lock) && readFileSync(lock, 'utf8').includes('snapshot big:1')) break;
      exited = await Promise.race([done.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 10))]);
    }
    expect(child.exitCode, 'the snapshot ended before gc could start').toBeNull();
    const gc = cloudlet(['gc']);
    expect(await done).toBe(0);
    expect(gc.code, gc.stderr).toBe(0);
    const out = join(work.dir, 'co-big');
    ok(cloudlet(['checkout', 'big:1', out]));
    expect(rsyncDiff(big, out)).toBe('');
  }, 120_000);
});
