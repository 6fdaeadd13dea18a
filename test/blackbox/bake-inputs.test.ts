// The inputs step of bake on real inputs made offline: GNU and pax tarballs (gzip, zstd, xz), an image directory,
// OCI layouts built with umoci (whiteouts, an opaque directory), docker archives made by skopeo, and hostile tarballs.

import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AgentError } from '../../src/errors';
import { type StageOptions, stageImage } from '../../src/cloudlet/inputs/stage-image';
import { realSystem } from '../../src/system/real-system';
import { tempDir } from './harness';
import { LONG_DIR, LONG_TARGET, NEWEST_MTIME, PING_CAPS, listing, makeTree, ociManifest, pythonTar, rsyncDifferences, run, snapshot, uncompressedLayout } from './bake-inputs-support';

const system = realSystem();
let base: string;
let cleanup: () => void;
let src: string;
let stages = 0;

/** A fresh staging directory per call, under its own parent so tests can check that parent afterwards. */
function stagingDir(): string {
  const parent = join(base, `stage-${++stages}`);
  mkdirSync(parent);
  return join(parent, 'staging');
}

function stage(source: string, options: Partial<StageOptions> = {}, staging = stagingDir()) {
  return stageImage(source, staging, { system, ...options });
}

const sha256File = (path: string) => `sha256:${createHash('sha256').update(readFileSync(path)).digest('hex')}`;

const FORMATS = [
  { name: 'GNU tar', file: 'gnu.tar', args: ['--format=gnu'], xattrs: false },
  { name: 'pax tar', file: 'pax.tar', args: ['--format=pax', '--xattrs', '--xattrs-include=*'], xattrs: true },
];
const COMPRESSORS = [
  ['gzip', ['-c', '-n']],
  ['zstd', ['-c', '-q']],
  ['xz', ['-c', '-T1']],
] as const;

beforeAll(() => {
  ({ dir: base, cleanup } = tempDir('cloudlet-inputs-'));
  src = join(base, 'src');
  makeTree(src);
  for (const format of FORMATS) run('tar', [...format.args, '--numeric-owner', '-C', src, '-cf', join(base, format.file), '.']);
  // Named .img: the compression must be found by its magic bytes, not by the name.
  for (const [tool, args] of COMPRESSORS) writeFileSync(join(base, `pax-${tool}.img`), execFileSync(tool, [...args, join(base, 'pax.tar')], { maxBuffer: 1 << 26 }));
});

afterAll(() => cleanup());

describe('tarballs', () => {
  for (const format of FORMATS) {
    it(`stages a ${format.name} archive attribute for attribute (owners, modes, mtimes, links, nodes${format.xattrs ? ', xattrs' : ''})`, async () => {
      const tarball = join(base, format.file);
      const staged = await stage(tarball);
      expect(staged.kind).toBe('tar');
      expect(staged.digest).toBe(sha256File(tarball));
      expect(staged.newestMtime).toBe(NEWEST_MTIME);
      expect(listing(staged.root, { xattrs: format.xattrs })).toEqual(listing(src, { xattrs: format.xattrs }));
      expect(rsyncDifferences(src, staged.root, format.xattrs)).toEqual([]);
    });
  }

  it('reads GNU long names and long link targets', async () => {
    const tarball = join(base, 'gnu.tar');
    expect(run('tar', ['-tvf', tarball])).toContain(LONG_TARGET);
    const staged = await stage(tarball);
    expect(existsSync(join(staged.root, LONG_DIR, 'file-with-a-long-path'))).toBe(true);
  });

  for (const [tool] of COMPRESSORS) {
    it(`detects ${tool} by its magic bytes, whatever the name says`, async () => {
      const packed = join(base, `pax-${tool}.img`);
      const staged = await stage(packed);
      expect(staged.kind).toBe('tar');
      expect(staged.digest).toBe(sha256File(packed));
      expect(listing(staged.root)).toEqual(listing(src));
    });
  }

  for (const [tool, says] of [
    ['gzip', /cannot read gzip data: unexpected end of file/],
    ['zstd', /cannot read zstd data/],
    ['xz', /xz cannot decompress the input: .*Unexpected end of input/],
  ] as const) {
    it(`refuses a truncated ${tool} tarball with one clear error and no tree`, async () => {
      const whole = readFileSync(join(base, `pax-${tool}.img`));
      const cut = join(base, `cut-${tool}.img`);
      writeFileSync(cut, whole.subarray(0, whole.length >> 1));
      const staging = stagingDir();
      const err: AgentError = await stage(cut, {}, staging).then(() => Promise.reject(new Error('staged')), (e: AgentError) => e);
      expect(err.code).toBe('E_BAKE_INPUT');
      expect(err.message).toMatch(says);
      expect(err.where).toBe(cut);
      expect(readdirSync(staging)).toEqual([]);
    });
  }

  it('counts the staged tree for the disk planner (hard links once)', async () => {
    const staged = await stage(join(base, 'pax.tar'));
    const out = run('find', [staged.root, '-printf', '%i %y %s\n']).trim().split('\n');
    const unique = new Map(out.map((l) => [l.split(' ')[0], l]));
    expect(staged.files).toBe(unique.size);
    expect(staged.bytes).toBe([...unique.values()].filter((l) => l.split(' ')[1] === 'f').reduce((n, l) => n + Number(l.split(' ')[2]), 0));
  });
});

describe('an image directory', () => {
  it('is copied attribute for attribute, and digested by content', async () => {
    const staged = await stage(src);
    expect(staged.kind).toBe('dir');
    expect(staged.newestMtime).toBe(NEWEST_MTIME);
    expect(listing(staged.root)).toEqual(listing(src));
    expect(rsyncDifferences(src, staged.root)).toEqual([]);
    expect((await stage(src)).digest).toBe(staged.digest);
  });

  it('gets another digest when a byte, a mode or an xattr changes', async () => {
    const copy = join(base, 'src-copy');
    run('cp', ['-a', `${src}/.`, copy]);
    const before = (await stage(copy)).digest;
    const changes: Array<() => void> = [
      () => run('sh', ['-c', `printf 'X' | dd of=${join(copy, 'var/big.bin')} bs=1 seek=100 conv=notrunc status=none; touch -d @1700000500 ${join(copy, 'var/big.bin')}`]),
      () => run('chmod', ['0700', join(copy, 'usr/bin/ping')]),
      () => run('setfattr', ['-n', 'user.comment', '-v', 'changed', join(copy, 'home/user/notes')]),
    ];
    const digests = [before];
    for (const change of changes) {
      change();
      digests.push((await stage(copy)).digest);
    }
    expect(new Set(digests).size).toBe(digests.length);
  });

  it('refuses a staging directory inside the image', async () => {
    await expect(stage(src, {}, join(src, 'tmp', 'staging'))).rejects.toThrow(/overlap/);
    expect(existsSync(join(src, 'tmp', 'staging'))).toBe(true);
    rmSync(join(src, 'tmp', 'staging'), { recursive: true });
  });
});

describe('OCI layouts and docker archives', () => {
  let layout: string;
  let reference: string;

  beforeAll(() => {
    layout = join(base, 'oci');
    const umoci = (...args: string[]) => run('umoci', args, { cwd: base });
    umoci('init', '--layout', layout);
    umoci('new', '--image', `${layout}:img`);
    // Layer 1: the whole tree.
    umoci('unpack', '--image', `${layout}:img`, join(base, 'bundle1'));
    run('cp', ['-a', `${src}/.`, join(base, 'bundle1', 'rootfs')]);
    umoci('repack', '--image', `${layout}:img`, join(base, 'bundle1'));
    // Layer 2: a deleted file, a deleted directory, a changed file, a new one.
    umoci('unpack', '--image', `${layout}:img`, join(base, 'bundle2'));
    const rootfs2 = join(base, 'bundle2', 'rootfs');
    rmSync(join(rootfs2, 'etc/hosts'));
    rmSync(join(rootfs2, 'home/user'), { recursive: true });
    writeFileSync(join(rootfs2, 'var/empty'), 'not any more\n');
    writeFileSync(join(rootfs2, 'etc/added'), 'added in layer 2\n');
    umoci('repack', '--image', `${layout}:img`, join(base, 'bundle2'));
    // Layer 3: usr/lib made opaque: only what this layer brings stays.
    mkdirSync(join(base, 'newlib'));
    writeFileSync(join(base, 'newlib', 'only'), 'the only file left in usr/lib\n');
    umoci('insert', '--image', `${layout}:img`, '--opaque', join(base, 'newlib'), '/usr/lib');
    umoci('unpack', '--image', `${layout}:img`, join(base, 'reference'));
    reference = join(base, 'reference', 'rootfs');
  });

  it('applies the layers in order, with whiteouts and the opaque directory, as umoci does', async () => {
    const staged = await stage(layout);
    expect(staged.kind).toBe('oci-layout');
    const index = JSON.parse(readFileSync(join(layout, 'index.json'), 'utf8'));
    expect(staged.digest).toBe(index.manifests[0].digest);
    expect(existsSync(join(staged.root, 'etc/hosts'))).toBe(false);
    expect(existsSync(join(staged.root, 'home/user'))).toBe(false);
    expect(readdirSync(join(staged.root, 'usr/lib'))).toEqual(['only']);
    expect(readFileSync(join(staged.root, 'var/empty'), 'utf8')).toBe('not any more\n');
    expect(run('getfattr', ['-n', 'security.capability', '-e', 'hex', '--absolute-names', join(staged.root, 'usr/bin/ping')])).toContain(PING_CAPS);
    expect(listing(staged.root)).toEqual(listing(reference));
    expect(rsyncDifferences(reference, staged.root)).toEqual([]);
  });

  it('reads zstd layers by their media type', async () => {
    const copy = join(base, 'oci-zstd');
    run('skopeo', ['copy', '--quiet', '--dest-compress-format', 'zstd', `oci:${layout}:img`, `oci:${copy}:img`]);
    expect(ociManifest(copy).layers.map((l) => l.mediaType)).toEqual(Array(3).fill('application/vnd.oci.image.layer.v1.tar+zstd'));
    expect(rsyncDifferences(reference, (await stage(copy)).root)).toEqual([]);
  });

  it('reads uncompressed layers by their media type', async () => {
    const copy = join(base, 'oci-plain');
    uncompressedLayout(layout, copy);
    expect(ociManifest(copy).layers.map((l) => l.mediaType)).toEqual(Array(3).fill('application/vnd.oci.image.layer.v1.tar'));
    expect(rsyncDifferences(reference, (await stage(copy)).root)).toEqual([]);
  });

  it('picks linux/amd64 from an index of manifests', async () => {
    const copy = join(base, 'oci-multi');
    cpSync(layout, copy, { recursive: true });
    const top = JSON.parse(readFileSync(join(copy, 'index.json'), 'utf8'));
    const image = top.manifests[0];
    const nested = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.index.v1+json',
        manifests: [
          { mediaType: image.mediaType, digest: `sha256:${'0'.repeat(64)}`, size: 10, platform: { os: 'linux', architecture: 'arm64' } },
          { mediaType: image.mediaType, digest: image.digest, size: image.size, platform: { os: 'linux', architecture: 'amd64' } },
        ],
      }),
    );
    const hex = createHash('sha256').update(nested).digest('hex');
    writeFileSync(join(copy, 'blobs/sha256', hex), nested);
    top.manifests = [{ mediaType: 'application/vnd.oci.image.index.v1+json', digest: `sha256:${hex}`, size: nested.length, annotations: image.annotations }];
    writeFileSync(join(copy, 'index.json'), JSON.stringify(top));
    const staged = await stage(copy);
    expect(staged.digest).toBe(image.digest);
    expect(rsyncDifferences(reference, staged.root)).toEqual([]);
    await expect(stage(copy, { platform: 'linux/s390x' })).rejects.toThrow(/no image for linux\/s390x; the index has linux\/arm64, linux\/amd64/);
  });

  it('asks which image when a layout has several, and takes the one named', async () => {
    const copy = join(base, 'oci-tags');
    cpSync(layout, copy, { recursive: true });
    run('umoci', ['tag', '--image', `${copy}:img`, 'other']);
    await expect(stage(copy)).rejects.toThrow(/several images and none chosen; it has img, other/);
    expect(rsyncDifferences(reference, (await stage(copy, { ref: 'other' })).root)).toEqual([]);
  });

  it('refuses a layer whose bytes do not match its digest, and leaves no tree behind', async () => {
    const copy = join(base, 'oci-corrupt');
    uncompressedLayout(layout, copy);
    const blobs = join(copy, 'blobs/sha256');
    const victim = readdirSync(blobs).find((b) => readFileSync(join(blobs, b)).includes('127.0.0.1 localhost')) as string;
    const bytes = readFileSync(join(blobs, victim));
    bytes[bytes.indexOf('127.0.0.1 localhost')] = '2'.charCodeAt(0);
    writeFileSync(join(blobs, victim), bytes);
    const staging = stagingDir();
    const err: AgentError = await stage(copy, {}, staging).then(() => Promise.reject(new Error('staged')), (e: AgentError) => e);
    expect(err.code).toBe('E_BAKE_INPUT');
    expect(err.message).toContain('does not match its digest');
    expect(err.where).toContain(`sha256:${victim}`);
    expect(existsSync(join(staging, 'root'))).toBe(false);
  });

  it('stages a docker archive made by skopeo, plain or gzipped, choosing by name', async () => {
    const archive = join(base, 'docker.tar');
    run('skopeo', ['copy', '--quiet', `oci:${layout}:img`, `docker-archive:${archive}:app:1`]);
    const staged = await stage(archive);
    expect(staged.kind).toBe('docker-archive');
    expect(staged.digest).toBe(sha256File(archive));
    expect(listing(staged.root)).toEqual(listing(reference));
    expect(rsyncDifferences(reference, staged.root)).toEqual([]);
    expect(existsSync(join(staged.root, '..', 'archive'))).toBe(false);

    const gz = join(base, 'docker.tar.gz');
    writeFileSync(gz, execFileSync('gzip', ['-c', '-n', archive], { maxBuffer: 1 << 26 }));
    const fromGz = await stage(gz, { ref: 'app:1' });
    expect(fromGz.kind).toBe('docker-archive');
    expect(rsyncDifferences(reference, fromGz.root)).toEqual([]);
    await expect(stage(archive, { ref: 'app:2' })).rejects.toThrow(/no image named "app:2"; it has docker.io\/library\/app:1/);
  });

  it('stages an OCI archive (a tarball of a layout)', async () => {
    const archive = join(base, 'oci-archive.tar');
    run('skopeo', ['copy', '--quiet', `oci:${layout}:img`, `oci-archive:${archive}:img`]);
    const staged = await stage(archive);
    expect(staged.kind).toBe('oci-layout');
    expect(rsyncDifferences(reference, staged.root)).toEqual([]);
  });
});

describe('hostile tarballs', () => {
  /** Each: the archive, the error code, words the message must hold, limits to stage with. */
  const cases: Array<{ name: string; script: (outside: string) => string; mode?: string; code: string; says: (outside: string) => string[]; limits?: StageOptions['limits'] }> = [
    { name: 'a member with ..', script: () => `add('ok', data=b'fine')\nadd('../../escaped', data=b'x')`, code: 'E_PATH_ESCAPE', says: () => ['"../../escaped"', '".." would climb out'] },
    { name: 'an absolute member', script: (o) => `add('${o}/escaped-abs', data=b'x')`, code: 'E_PATH_ESCAPE', says: (o) => [`"${o}/escaped-abs"`, 'absolute names are not allowed'] },
    {
      name: 'a symlink, then a file through it',
      script: (o) => `add('sub', tarfile.SYMTYPE, linkname='${o}')\nadd('sub/escaped-through', data=b'x')`,
      code: 'E_PATH_ESCAPE',
      says: () => ['"sub/escaped-through"', 'its parent "sub" is a symlink'],
    },
    { name: 'a symlink leading out', script: () => `add('up', tarfile.SYMTYPE, linkname='../..')`, code: 'E_PATH_ESCAPE', says: () => ['"up" -> "../.."', 'leads out of the image'] },
    { name: 'a hard link to /etc/shadow', script: () => `add('shadow', tarfile.LNKTYPE, linkname='/etc/shadow')`, code: 'E_PATH_ESCAPE', says: () => ['hard link target "/etc/shadow"', 'absolute names are not allowed'] },
    { name: 'a hard link to a path not seen yet', script: () => `add('early', tarfile.LNKTYPE, linkname='later')\nadd('later', data=b'x')`, code: 'E_PATH_ESCAPE', says: () => ['"early" -> "later"', 'not in the image'] },
    { name: 'a gzip bomb', script: () => `zeros('bomb', 32 << 20)`, mode: 'w:gz', code: 'E_BAKE_INPUT', says: () => ['unpacks to more than 8388608 bytes'], limits: { maxTotalBytes: 8 << 20 } },
    {
      name: 'a gzip bomb under the size cap but past the ratio',
      script: () => `zeros('bomb', 8 << 20)`,
      mode: 'w:gz',
      code: 'E_BAKE_INPUT',
      says: () => ['more than 100 times its compressed size', 'decompression bomb'],
      limits: { maxRatio: 100, ratioFloorBytes: 1 << 20 },
    },
    { name: 'a huge pax header', script: () => `add('p', data=b'x', pax={'comment': 'x' * (2 << 20)})`, code: 'E_BAKE_INPUT', says: () => ['pax extended header of', 'larger than the limit of 1048576'] },
    { name: 'a huge member count', script: () => `for i in range(300): add('f%d' % i)`, code: 'E_BAKE_INPUT', says: () => ['more than 200 members', '"f200"'], limits: { maxMembers: 200 } },
  ];

  for (const c of cases) {
    it(`refuses ${c.name} with one clear error and writes nothing outside the staging dir`, async () => {
      const staging = stagingDir();
      const outside = join(staging, '..');
      const tarball = join(base, `hostile-${stages}.tar`);
      pythonTar(tarball, c.script(outside), c.mode);
      const before = snapshot(outside, staging);
      const shadowLinks = statSync('/etc/shadow').nlink;
      const err: AgentError = await stage(tarball, c.limits ? { limits: c.limits } : {}, staging).then(() => Promise.reject(new Error('staged')), (e: AgentError) => e);
      expect(err).toBeInstanceOf(AgentError);
      expect(err.code).toBe(c.code);
      for (const words of c.says(outside)) expect(err.message + ' ' + (err.where ?? '')).toContain(words);
      expect(err.message + err.where).toContain(tarball);
      expect(err.fix).toBeTruthy();
      expect(snapshot(outside, staging)).toEqual(before);
      expect(readdirSync(staging)).toEqual([]);
      expect(statSync('/etc/shadow').nlink).toBe(shadowLinks);
    });
  }

  for (const marker of ['.wh.victim', '.wh..wh..opq']) {
    it(`refuses a layer whose whiteout ${marker} is reached through a symlink, and removes nothing outside`, async () => {
      const staging = stagingDir();
      const outside = join(staging, '..');
      writeFileSync(join(outside, 'victim'), 'must survive');
      const layout = join(base, `oci-hostile-${stages}`);
      run('umoci', ['init', '--layout', layout]);
      run('umoci', ['new', '--image', `${layout}:img`]);
      const lower = join(base, `lower-${stages}.tar`);
      const upper = join(base, `upper-${stages}.tar`);
      pythonTar(lower, `add('link', tarfile.SYMTYPE, linkname='${outside}')`);
      pythonTar(upper, `add('link/${marker}')`);
      run('umoci', ['raw', 'add-layer', '--image', `${layout}:img`, lower]);
      run('umoci', ['raw', 'add-layer', '--image', `${layout}:img`, upper]);
      const before = snapshot(outside, staging);
      const err: AgentError = await stage(layout, {}, staging).then(() => Promise.reject(new Error('staged')), (e: AgentError) => e);
      expect(err.code).toBe('E_PATH_ESCAPE');
      expect(err.message).toContain(`refusing whiteout "link/${marker}"`);
      expect(err.message).toContain('"link" is a symlink');
      expect(err.message).toContain('layer 2/2');
      expect(snapshot(outside, staging)).toEqual(before);
      expect(readFileSync(join(outside, 'victim'), 'utf8')).toBe('must survive');
    });
  }

  it('refuses a file that is not a tar', async () => {
    const junk = join(base, 'junk.tar');
    copyFileSync('/etc/os-release', junk);
    await expect(stage(junk)).rejects.toThrow(/not a tar archive/);
  });
});
