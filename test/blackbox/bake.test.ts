// `cloudlet bake` end to end on small trees: what lands on the disk, reproducibility, the cache, dry runs and bad input.

import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cloudletCommand, runCloudlet, tempDir, writeTree, type AgentRun } from './harness';

const SECRET = 'Zq9&Wx<7>"Kp\'mVb3';
const EPOCH = '1700000000';

const MANIFEST = {
  cloudlet: '0.0.4',
  name: 'tiny',
  version: '1.0.0',
  platforms: ['nocloud', 'file'],
  config: { schema: { type: 'object', additionalProperties: false, properties: { greeting: { type: 'string' }, password: { type: 'string', writeOnly: true } } } },
  templates: ['/etc/motd'],
  entrypoints: { kernel: { path: '/boot/vmlinuz', initrd: '/boot/initrd.img', cmdline: 'quiet' }, init: { path: '/sbin/init' } },
};

let work: { dir: string; cleanup: () => void };
let image: string;
let agent: string;
let preset: string;

function sh(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout;
}

/** A small image tree; the kernel and initrd are stand-ins (nothing boots here, the VM tier boots real ones). */
function makeImage(dir: string, manifest: unknown = MANIFEST): string {
  mkdirSync(dir, { recursive: true });
  writeTree(dir, {
    '/.cloudlet/manifest': JSON.stringify(manifest),
    '/etc/motd': 'greeting: <%= config.greeting %>\n',
    '/boot/vmlinuz': 'k'.repeat(300_000),
    '/boot/initrd.img': 'i'.repeat(200_000),
    '/sbin/init': { content: '#!/bin/sh\n', mode: 0o755 },
    '/etc/shadow': { content: 'root:*:19000:0:99999:7:::\n', mode: 0o640 },
    '/usr/bin/app': { content: 'binary', mode: 0o4755 },
  });
  return dir;
}

function bake(args: string[], env: Record<string, string> = {}): AgentRun {
  return runCloudlet(['bake', ...args], { env: { SOURCE_DATE_EPOCH: EPOCH, ...env }, timeoutMs: 180_000 });
}

function report(r: AgentRun): Record<string, any> {
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as Record<string, any>;
}

function sha256(file: string): string {
  return sh('sha256sum', [file]).split(' ')[0] as string;
}

/** A file's content inside the raw disk's root partition, read with debugfs (no mount). */
function rootFile(raw: string, path: string): { text: string; stat: string } {
  const table = JSON.parse(sh('sfdisk', ['--json', raw])) as { partitiontable: { partitions: { start: number; size: number }[] } };
  const root = table.partitiontable.partitions[1] as { start: number; size: number };
  const part = `${raw}.root`;
  sh('dd', [`if=${raw}`, `of=${part}`, 'bs=512', `skip=${root.start}`, `count=${root.size}`, 'conv=sparse', 'status=none']);
  return { text: sh('debugfs', ['-R', `cat ${path}`, part]), stat: sh('debugfs', ['-R', `stat ${path}`, part]) };
}

beforeAll(() => {
  work = tempDir('cloudlet-bake-');
  image = makeImage(join(work.dir, 'image'));
  agent = join(work.dir, 'cloudlet-agent');
  writeFileSync(agent, '#!/bin/sh\necho stand-in agent\n');
  chmodSync(agent, 0o755);
  preset = join(work.dir, 'preset.json');
  writeFileSync(preset, JSON.stringify({ config: { greeting: 'hi', password: SECRET } }));
});
afterAll(() => work.cleanup());

describe('cloudlet bake', () => {
  it('bakes a raw disk whose root holds the image, the agent, the preset (0600) and whose ESP holds kernel, initrd and both boot loaders', () => {
    const out = join(work.dir, 'out-raw');
    const r = report(bake([image, '--target', 'raw', '--out', out, '--cache', join(work.dir, 'cache-raw'), '--agent', agent, '--preset', preset, '--json']));
    const raw = join(out, 'tiny-1.0.0.raw');
    expect(r.outputs[0].files[0].path).toBe(raw);
    expect(r.outputs[0].files[0].sha256).toBe(sha256(raw));
    expect(r.epoch).toBe(Number(EPOCH));
    expect(JSON.parse(sh('qemu-img', ['info', '--output=json', '-f', 'raw', raw]))['virtual-size']).toBe(r.disk.bytes);
    const parts = JSON.parse(sh('sfdisk', ['--json', raw])).partitiontable.partitions as { start: number; type: string; attrs?: string }[];
    expect(parts.map((p) => p.start % 2048)).toEqual([0, 0]);
    expect(parts[0]?.type).toBe('C12A7328-F81F-11D2-BA4B-00A0C93EC93B');
    expect(rootFile(raw, '/.cloudlet/manifest').text).toContain('"name":"tiny"');
    expect(rootFile(raw, '/usr/lib/cloudlet/cloudlet-agent').text).toContain('stand-in agent');
    const presetFile = rootFile(raw, '/etc/cloudlet/user-data.json');
    expect(presetFile.text).toContain('"greeting":"hi"');
    expect(presetFile.stat).toMatch(/Mode:\s+0600/);
    expect(rootFile(raw, '/usr/bin/app').stat).toMatch(/Mode:\s+04755/);
    const esp = `${raw}@@${parts[0]?.start as number * 512}`;
    const listing = sh('mdir', ['-i', esp, '-/', '-a', '-b', '::/']);
    expect(listing).toMatch(/VMLINUZ|vmlinuz/i);
    expect(listing).toMatch(/BOOTX64\.EFI/i);
    expect(listing).toMatch(/ldlinux\.sys/i);
  });

  it('never prints a preset secret, in text or JSON, whatever the outcome', () => {
    const ok = bake([image, '--target', 'raw', '--out', join(work.dir, 'out-secret'), '--cache', join(work.dir, 'cache-raw'), '--agent', agent, '--preset', preset]);
    expect(ok.code, ok.stderr).toBe(0);
    const bad = join(work.dir, 'bad-preset.json');
    writeFileSync(bad, JSON.stringify({ config: { greeting: 7, password: SECRET, extra: SECRET } }));
    const failed = bake([image, '--target', 'raw', '--out', join(work.dir, 'out-bad'), '--cache', join(work.dir, 'cache-bad'), '--agent', agent, '--preset', bad, '--json']);
    expect(failed.code).toBe(2);
    expect(JSON.parse(failed.stdout).error.code).toBe('E_CONFIG_INVALID');
    for (const text of [ok.stdout, ok.stderr, failed.stdout, failed.stderr]) expect(text).not.toContain('Zq9');
    expect(existsSync(join(work.dir, 'out-bad'))).toBe(false);
  });

  it('gives byte-identical outputs for the same inputs, whatever the cache and the time of the bake', () => {
    const digests = ['a', 'b'].map((n) => {
      // Two copies made at different times, with the same content and times: the same image.
      const copy = makeImage(join(work.dir, `same-${n}`));
      sh('find', [copy, '-exec', 'touch', '-h', '-d', '@1600000000', '{}', '+']);
      const r = report(bake([copy, '--target', 'raw,vmdk,vhd,vhdx,qcow2', '--out', join(work.dir, `out-same-${n}`), '--cache', join(work.dir, `cache-same-${n}`), '--agent', agent, '--json']));
      return (r.outputs as { files: { sha256: string }[] }[]).flatMap((o) => o.files.map((f) => f.sha256));
    });
    expect(digests[0]).toHaveLength(5);
    expect(digests[1]).toEqual(digests[0]);
  });

  it('reuses the cache: an unchanged bake builds nothing, a new target converts only itself, a changed input rebuilds', () => {
    const cache = join(work.dir, 'cache-hit');
    const out = join(work.dir, 'out-hit');
    const first = report(bake([image, '--target', 'raw', '--out', out, '--cache', cache, '--agent', agent, '--json']));
    expect(first.disk.cached).toBe(false);
    const again = report(bake([image, '--target', 'raw', '--out', out, '--cache', cache, '--agent', agent, '--json']));
    expect(again.disk.cached).toBe(true);
    expect(again.outputs[0].cached).toBe(true);
    const more = report(bake([image, '--target', 'raw,vmdk', '--out', out, '--cache', cache, '--agent', agent, '--json']));
    expect(more.disk.cached).toBe(true);
    expect(more.outputs.map((o: { target: string; cached: boolean }) => [o.target, o.cached])).toEqual([['raw', true], ['vmdk', false]]);
    writeFileSync(join(image, 'etc', 'motd'), 'changed <%= config.greeting %>\n');
    const changed = report(bake([image, '--target', 'raw', '--out', out, '--cache', cache, '--agent', agent, '--json']));
    expect(changed.disk.cached).toBe(false);
    expect(changed.disk.key).not.toBe(first.disk.key);
  });

  it('makes a cached disk again when its published copy was written to in place (a raw booted read-write)', () => {
    const cache = join(work.dir, 'cache-write');
    const out = join(work.dir, 'out-write');
    const first = report(bake([image, '--target', 'raw', '--out', out, '--cache', cache, '--agent', agent, '--json']));
    const raw = first.outputs[0].files[0].path as string;
    sh('dd', ['if=/dev/urandom', `of=${raw}`, 'bs=512', 'count=1', 'seek=4096', 'conv=notrunc', 'status=none']);
    const again = report(bake([image, '--target', 'raw', '--out', out, '--cache', cache, '--agent', agent, '--json']));
    expect(again.outputs[0].cached).toBe(false);
    expect(sha256(raw)).toBe(first.outputs[0].files[0].sha256);
  });

  it('--dry-run prints the plan (partitions, sizes, commands) and writes nothing to --out or the cache', () => {
    const out = join(work.dir, 'out-dry');
    const cache = join(work.dir, 'cache-dry');
    const r = bake([image, '--target', 'raw,ova', '--out', out, '--cache', cache, '--agent', agent, '--dry-run']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/mkfs\.ext4/);
    expect(r.stdout).toMatch(/sfdisk/);
    expect(r.stdout).toMatch(/ova \(to convert\)/);
    expect(r.stdout).toMatch(/dry run: nothing was written/);
    expect(existsSync(out)).toBe(false);
    expect(existsSync(join(cache, 'stages'))).toBe(false);
    expect(readdirSync(join(cache, 'tmp'))).toEqual([]);
  });

  it('takes the manifest off-band (--manifest) and puts it at /.cloudlet/manifest', () => {
    const bare = join(work.dir, 'bare');
    makeImage(bare);
    const manifestFile = join(work.dir, 'manifest.json');
    writeFileSync(manifestFile, readFileSync(join(bare, '.cloudlet', 'manifest')));
    spawnSync('rm', ['-rf', join(bare, '.cloudlet')]);
    const r = report(bake([bare, '--manifest', manifestFile, '--target', 'raw', '--out', join(work.dir, 'out-offband'), '--cache', join(work.dir, 'cache-offband'), '--agent', agent, '--json']));
    expect(rootFile(r.outputs[0].files[0].path, '/.cloudlet/manifest').text).toContain('"name":"tiny"');
  });

  it('bakes a tarball (zstd) as it bakes the directory it came from', () => {
    const tarball = join(work.dir, 'image.tar.zst');
    sh('tar', ['--zstd', '--numeric-owner', '-cf', tarball, '-C', image, '.']);
    const r = report(bake([tarball, '--target', 'raw', '--out', join(work.dir, 'out-tar'), '--cache', join(work.dir, 'cache-tar'), '--agent', agent, '--json']));
    expect(rootFile(r.outputs[0].files[0].path, '/etc/motd').text).toContain('<%= config.greeting %>');
  });

  describe('bad input: one clear error, nothing under --out', () => {
    const cases: { name: string; setup: () => string[]; code: string; text: RegExp }[] = [
      {
        name: 'a manifest without a kernel entry point',
        setup: () => [makeImage(join(work.dir, 'nokernel'), { ...MANIFEST, entrypoints: { init: { path: '/sbin/init' } } })],
        code: 'E_BAKE_INPUT',
        text: /no kernel entry point/,
      },
      {
        name: 'a kernel entry point whose file is missing',
        setup: () => {
          const dir = makeImage(join(work.dir, 'nofile'));
          spawnSync('rm', [join(dir, 'boot', 'vmlinuz')]);
          return [dir];
        },
        code: 'E_PATH_ESCAPE|E_BAKE_INPUT',
        text: /vmlinuz/,
      },
      {
        name: 'a size too small for the content, with the size needed',
        setup: () => [image, '--size', '8M'],
        code: 'E_BAKE_SIZE',
        text: /\d/,
      },
      {
        name: 'a tarball with a member that climbs out',
        setup: () => {
          const file = join(work.dir, 'evil.tar');
          const py = `import tarfile,io\nt=tarfile.open('${file}','w')\ni=tarfile.TarInfo('../escaped')\ni.size=2\nt.addfile(i,io.BytesIO(b'hi'))\nt.close()\n`;
          sh('python3', ['-c', py]);
          return [file];
        },
        code: 'E_PATH_ESCAPE|E_BAKE_INPUT',
        text: /\.\.\/escaped/,
      },
      {
        name: 'an unknown target, with the right name suggested',
        setup: () => [image, '--target', 'vmdkk'],
        code: 'E_USAGE|E_BAKE_TARGET',
        text: /vmdk/,
      },
    ];
    for (const c of cases) {
      it(c.name, () => {
        const out = join(work.dir, `out-bad-${c.name.length}`);
        const args = c.setup();
        const withTarget = args.includes('--target') ? args : [...args, '--target', 'raw'];
        const r = bake([...withTarget, '--out', out, '--cache', join(work.dir, 'cache-bad-input'), '--agent', agent, '--json']);
        expect(r.code, r.stderr).toBe(2);
        const error = JSON.parse(r.stdout).error as { code: string; message: string; fix?: string; where?: string };
        expect(error.code).toMatch(new RegExp(`^(${c.code})$`));
        expect(JSON.stringify(error)).toMatch(c.text);
        expect(error.fix).toBeTruthy();
        expect(existsSync(out) ? readdirSync(out) : []).toEqual([]);
        expect(existsSync(join(work.dir, 'escaped'))).toBe(false);
      });
    }
  });

  it('a full disk: one clear error, no partial output under a final name, for the cache and for --out', () => {
    const cmd = cloudletCommand().join(' ');
    // 6 MB that no filesystem compresses or leaves sparse: more than either 3 MB filesystem holds.
    const image = makeImage(join(work.dir, 'big'));
    writeFileSync(join(image, 'usr', 'bin', 'blob'), randomBytes(6_000_000));
    const script = `
      mkdir -p ${work.dir}/small-cache ${work.dir}/small-out
      mount -t tmpfs -o size=3m tmpfs ${work.dir}/small-cache
      mount -t tmpfs -o size=3m tmpfs ${work.dir}/small-out
      set +e
      SOURCE_DATE_EPOCH=${EPOCH} ${cmd} bake ${image} --target raw --out ${work.dir}/out-full-cache --cache ${work.dir}/small-cache --agent ${agent} --json > ${work.dir}/full-cache.json
      echo "cache-exit=$?"
      SOURCE_DATE_EPOCH=${EPOCH} ${cmd} bake ${image} --target raw,qcow2 --out ${work.dir}/small-out --cache ${work.dir}/cache-full-out --agent ${agent} --json > ${work.dir}/full-out.json
      echo "out-exit=$?"
      echo "left-in-out=$(ls -A ${work.dir}/small-out | tr '\\n' ' ')"
      echo "left-in-cache-tmp=$(ls -A ${work.dir}/small-cache/tmp 2>/dev/null | tr '\\n' ' ')"
    `;
    const r = spawnSync('unshare', ['-m', '--propagation', 'private', 'bash', '-euo', 'pipefail', '-c', script], { encoding: 'utf8', timeout: 300_000 });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/cache-exit=1\b/);
    expect(r.stdout).toMatch(/out-exit=1\b/);
    for (const file of ['full-cache.json', 'full-out.json']) {
      const error = JSON.parse(readFileSync(join(work.dir, file), 'utf8')).error as { code: string; message: string; fix?: string };
      expect(error.code).toMatch(/^E_(IO|BAKE_TOOL)$/);
      expect(`${error.message} ${error.fix}`).toMatch(/space|room/i);
    }
    // Nothing under a final name in --out; the killed-free failure cleaned its temporary names too.
    expect(r.stdout).toMatch(/left-in-out=\s*$/m);
    expect(r.stdout).toMatch(/left-in-cache-tmp=\s*$/m);
    expect(existsSync(join(work.dir, 'out-full-cache'))).toBe(false);
  });

  it('a bake killed at any point leaves under a final name in --out only complete outputs, and a rerun completes it', () => {
    const out = join(work.dir, 'out-killed');
    const cache = join(work.dir, 'cache-killed');
    const cmd = cloudletCommand();
    const args = ['bake', image, '--target', 'raw,qcow2,vhdx,ova', '--out', out, '--cache', cache, '--agent', agent];
    const seen = new Map<string, string>();
    for (const afterMs of [200, 700, 1500, 3000]) {
      spawnSync(cmd[0] as string, [...cmd.slice(1), ...args], { env: { ...process.env, SOURCE_DATE_EPOCH: EPOCH }, timeout: afterMs, killSignal: 'SIGKILL' });
      for (const name of existsSync(out) ? readdirSync(out).filter((n) => !n.startsWith('.')) : []) seen.set(name, sha256(join(out, name)));
    }
    const complete = report(bake([...args.slice(1), '--json']));
    const expected = new Map<string, string>((complete.outputs as { files: { path: string; sha256: string }[] }[]).flatMap((o) => o.files.map((f) => [f.path.slice(out.length + 1), f.sha256] as [string, string])));
    for (const [name, digest] of seen) expect(digest, `${name} was under its final name before it was complete`).toBe(expected.get(name));
    expect(readdirSync(out).sort()).toEqual([...expected.keys()].sort());
  });
});
