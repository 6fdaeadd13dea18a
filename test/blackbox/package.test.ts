// The Debian packages from build/package-deb.sh: control fields, contents and modes, maintainer scripts; the agent's and cloudlet's.

import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, lstatSync, mkdirSync, readFileSync, readdirSync, readlinkSync, realpathSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO, tempDir } from './harness';

const VERSION = (JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string }).version;

let work: { dir: string; cleanup: () => void };
let deb: string;
let root: string;
let agent: string;

function sh(cmd: string, args: string[], env: Record<string, string> = {}): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', env: { ...process.env, ...env }, timeout: 300_000 });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}:\n${r.stderr}${r.stdout}`);
  return r.stdout;
}

function field(name: string, from = deb): string {
  return sh('dpkg-deb', ['--field', from, name]).trim();
}

/** A private copy of a built executable: a build running meanwhile must not swap it under the comparison. */
function copyOfBuilt(name: string): string {
  const built = join(REPO, 'dist', name);
  if (!existsSync(built)) throw new Error(`${built} is missing: run "npm run build" first`);
  const copy = join(work.dir, name);
  copyFileSync(built, copy);
  chmodSync(copy, 0o755);
  return copy;
}

/** The files (not directories) a package installs, as paths inside the root. */
function filesOf(from: string): string[] {
  return sh('dpkg-deb', ['-c', from])
    .split('\n')
    .filter((line) => !line.startsWith('d'))
    .map((line) => /\.(\/\S+)/.exec(line)?.[1])
    .filter((path): path is string => path !== undefined);
}

function mode(path: string): number {
  return lstatSync(path).mode & 0o7777;
}

/** Files directly inside dir (empty when the directory does not exist yet). */
function filesIn(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter((name) => lstatSync(join(dir, name)).isFile());
}

function dirsIn(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter((name) => lstatSync(join(dir, name)).isDirectory());
}

/** The commands an executable's --help overview lists (its command table). */
function commandsOf(executable: string): string[] {
  return sh(executable, ['--help'])
    .split('\n')
    .flatMap((line) => /^ {2}([a-z][a-z-]*) {2,}/.exec(line)?.[1] ?? []);
}

/** What the installed bash completion of `program` offers for the words typed (the last one being completed). */
function bashOffers(fromRoot: string, program: string, words: string[]): string[] {
  const script = join(fromRoot, 'usr/share/bash-completion/completions', program);
  const array = [program, ...words].map((w) => `'${w}'`).join(' ');
  const fn = `_${program.replace(/-/g, '_')}`;
  const out = sh('bash', ['--norc', '--noprofile', '-c', `source '${script}'; COMP_WORDS=(${array}); COMP_CWORD=${words.length}; ${fn}; printf '%s\\n' "\${COMPREPLY[@]}"`]);
  return out.split('\n').filter(Boolean).sort();
}

/** Checks the manual page and the three completions a package installs for `program`. */
function expectGeneratedDocs(fromRoot: string, program: string, executable: string): void {
  const files = [
    `usr/share/man/man1/${program}.1.gz`,
    `usr/share/bash-completion/completions/${program}`,
    `usr/share/zsh/vendor-completions/_${program}`,
    `usr/share/fish/vendor_completions.d/${program}.fish`,
  ];
  for (const file of files) expect(mode(join(fromRoot, file)), file).toBe(0o644);
  const page = gunzipSync(readFileSync(join(fromRoot, files[0] as string))).toString('utf8');
  const lint = spawnSync('mandoc', ['-Tlint', '-Wwarning'], { input: page, encoding: 'utf8' });
  expect(lint.stdout + lint.stderr, 'mandoc -Tlint').toBe('');
  const rendered = sh('sh', ['-c', `MANWIDTH=200 man -l '${join(fromRoot, files[0] as string)}'`]);
  const commands = commandsOf(executable);
  expect(commands).toContain('validate');
  for (const name of commands) {
    expect(rendered, `man page section of ${name}`).toMatch(new RegExp(`^ {3}${name}\\b`, 'm'));
    expect(bashOffers(fromRoot, program, [name.slice(0, -1)]), `bash completion of ${name}`).toContain(name);
  }
  expect(rendered).toMatch(/^EXIT STATUS$/m);
  expect(bashOffers(fromRoot, program, ['vali'])).toEqual(['validate']);
  expect(bashOffers(fromRoot, program, ['validate', '--ro'])).toEqual(['--root']);
  expect(readFileSync(join(fromRoot, files[2] as string), 'utf8').split('\n')[0]).toBe(`#compdef ${program}`);
  const fish = spawnSync('fish', ['--no-config', '-c', `source '${join(fromRoot, files[3] as string)}'; complete -C '${program} valid'`], { encoding: 'utf8' });
  expect(fish.stdout.split('\t')[0]).toBe('validate');
}

/** Runs a maintainer script with only `fakeBin` on PATH; returns the commands the fakes logged. */
function runMaintainerScript(script: string, arg: string | string[], fakes: string[]): string[] {
  const fakeBin = join(work.dir, `bin-${script}-${fakes.join('-') || 'none'}`);
  const log = join(fakeBin, 'calls.log');
  mkdirSync(fakeBin, { recursive: true });
  writeFileSync(log, '');
  for (const fake of fakes) {
    writeFileSync(join(fakeBin, fake), `#!/bin/sh\necho "${fake} $*" >> "${log}"\n`);
    chmodSync(join(fakeBin, fake), 0o755);
  }
  const r = spawnSync('/bin/sh', [join(work.dir, 'control', script), ...(Array.isArray(arg) ? arg : [arg])], { encoding: 'utf8', env: { PATH: fakeBin } });
  expect(r.status, r.stderr).toBe(0);
  return readFileSync(log, 'utf8').split('\n').filter(Boolean);
}

beforeAll(() => {
  for (const tool of ['dpkg-deb', 'md5sum']) {
    if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0) throw new Error(`${tool} is missing: apt-get install -y dpkg coreutils`);
  }
  work = tempDir('cloudlet-package-');
  agent = copyOfBuilt('cloudlet-agent');
  deb = join(work.dir, `cloudlet-agent_${VERSION}_amd64.deb`);
  // gzip: the test checks the package, not the compressor, and xz takes three times as long.
  sh('bash', [join(REPO, 'build', 'package-deb.sh'), 'cloudlet-agent'], { DEB_OUTPUT: deb, DEB_AGENT: agent, DEB_COMPRESSION: 'gzip' });
  root = join(work.dir, 'root');
  sh('dpkg-deb', ['-x', deb, root]);
  sh('dpkg-deb', ['-e', deb, join(work.dir, 'control')]);
});

afterAll(() => work?.cleanup());

describe('control fields', () => {
  it('names the package, version from package.json, amd64, and the shared libraries Node needs', () => {
    expect(field('Package')).toBe('cloudlet-agent');
    expect(field('Version')).toBe(VERSION.replace(/-/g, '~'));
    expect(field('Architecture')).toBe('amd64');
    const depends = field('Depends');
    for (const lib of ['libc6', 'libstdc++6', 'libgcc-s1']) expect(depends).toContain(lib);
  });

  it('declares an Installed-Size that covers the executable', () => {
    const kib = Number(field('Installed-Size'));
    expect(kib * 1024).toBeGreaterThanOrEqual(lstatSync(agent).size);
  });
});

describe('contents (dpkg -x into a temp dir)', () => {
  it('installs the executable at /usr/lib/cloudlet with mode 0755, byte for byte the built one', () => {
    const installed = join(root, 'usr/lib/cloudlet/cloudlet-agent');
    expect(mode(installed)).toBe(0o755);
    expect(readFileSync(installed).equals(readFileSync(agent))).toBe(true);
  });

  it('links /usr/sbin/cloudlet-agent to it with a relative link that resolves inside the root', () => {
    const link = join(root, 'usr/sbin/cloudlet-agent');
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(readlinkSync(link)).toBe('../lib/cloudlet/cloudlet-agent');
    expect(existsSync(link)).toBe(true);
  });

  it('the extracted executable runs and reports the package version', () => {
    const out = sh(join(root, 'usr/sbin/cloudlet-agent'), ['--version']);
    expect(out).toContain(VERSION);
    expect(out).toContain('node v24.');
  });

  it('ships every initramfs-tools hook and boot-phase script, executable and unchanged', () => {
    const src = join(REPO, 'initramfs/initramfs-tools');
    const pairs: Array<[string, string]> = filesIn(join(src, 'hooks')).map((f) => [join(src, 'hooks', f), `usr/share/initramfs-tools/hooks/${f}`]);
    for (const phase of dirsIn(join(src, 'scripts'))) {
      for (const f of filesIn(join(src, 'scripts', phase))) pairs.push([join(src, 'scripts', phase, f), `usr/share/initramfs-tools/scripts/${phase}/${f}`]);
    }
    for (const [from, to] of pairs) {
      expect(mode(join(root, to)), to).toBe(0o755);
      expect(readFileSync(join(root, to), 'utf8'), to).toBe(readFileSync(from, 'utf8'));
    }
  });

  it('ships every dracut module file under /usr/lib/dracut/modules.d, module-setup.sh executable', () => {
    const src = join(REPO, 'initramfs/dracut');
    for (const module of dirsIn(src)) {
      for (const f of filesIn(join(src, module))) {
        const to = join(root, 'usr/lib/dracut/modules.d', module, f);
        expect(readFileSync(to, 'utf8'), to).toBe(readFileSync(join(src, module, f), 'utf8'));
        if (f.endsWith('.sh')) expect(mode(to), to).toBe(0o755);
      }
    }
  });

  it('ships every systemd unit under /usr/lib/systemd/system with mode 0644', () => {
    const units = filesIn(join(REPO, 'systemd')).filter((f) => /\.(service|socket|target|path|timer|mount)$/.test(f));
    for (const unit of units) {
      const to = join(root, 'usr/lib/systemd/system', unit);
      expect(mode(to), to).toBe(0o644);
      expect(readFileSync(to, 'utf8')).toBe(readFileSync(join(REPO, 'systemd', unit), 'utf8'));
    }
  });

  it('installs the manual page and the bash, zsh and fish completions, made from the command table', () => {
    expectGeneratedDocs(root, 'cloudlet-agent', agent);
  });

  it('carries the licence texts of Node.js and the bundled packages', () => {
    const text = readFileSync(join(root, 'usr/share/doc/cloudlet-agent/THIRD-PARTY-LICENSES'), 'utf8');
    for (const name of ['Node.js 24.', 'node-ipc 14.0.0', 'ajv ', 'ejs ']) expect(text).toContain(name);
  });

  it('holds nothing outside /usr (no files under /etc, /var or the root)', () => {
    expect(readdirSync(root).sort()).toEqual(['usr']);
  });

  it('lists correct md5sums for every file', () => {
    const out = spawnSync('md5sum', ['--check', '--quiet', join(work.dir, 'control', 'md5sums')], { cwd: root, encoding: 'utf8' });
    expect(out.status, out.stdout + out.stderr).toBe(0);
  });
});

describe('maintainer scripts', () => {
  it('postinst configure refreshes the initramfs with update-initramfs -u when it exists', () => {
    expect(runMaintainerScript('postinst', 'configure', ['update-initramfs', 'dracut'])).toContain('update-initramfs -u');
  });

  it('postinst configure falls back to dracut when update-initramfs is absent', () => {
    expect(runMaintainerScript('postinst', 'configure', ['dracut'])).toEqual(['dracut -f --regenerate-all']);
  });

  it('postinst enables cloudlet-agent.service on a first install only, so an upgrade keeps an administrator\'s disable', () => {
    expect(runMaintainerScript('postinst', 'configure', ['systemctl'])).toEqual(['systemctl --quiet enable cloudlet-agent.service']);
    expect(runMaintainerScript('postinst', ['configure', '0.0.9'], ['systemctl'])).toEqual([]);
  });

  it('postinst configure succeeds on a machine with neither tool', () => {
    expect(runMaintainerScript('postinst', 'configure', [])).toEqual([]);
  });

  it('postrm remove refreshes the initramfs so the removed hook leaves it', () => {
    expect(runMaintainerScript('postrm', 'remove', ['update-initramfs'])).toContain('update-initramfs -u');
  });

  it('postrm purge does not refresh the initramfs a second time (remove did)', () => {
    expect(runMaintainerScript('postrm', 'purge', ['update-initramfs', 'rm'])).toEqual(['rm -rf /var/lib/cloudlet']);
  });

  it('prerm disables the shipped units on remove but not on upgrade', () => {
    const units = filesIn(join(REPO, 'systemd')).filter((f) => /\.(service|socket|target|path|timer|mount)$/.test(f));
    const onRemove = runMaintainerScript('prerm', 'remove', ['systemctl']);
    if (units.length > 0) expect(onRemove).toEqual([`systemctl --quiet --no-reload disable ${units.sort().join(' ')}`]);
    else expect(onRemove).toEqual([]);
    expect(runMaintainerScript('prerm', 'upgrade', ['systemctl'])).toEqual([]);
  });
});

describe('the cloudlet package', () => {
  let cloudletDeb: string;
  let cloudletRoot: string;
  let cloudlet: string;

  beforeAll(() => {
    cloudlet = copyOfBuilt('cloudlet');
    cloudletDeb = join(work.dir, `cloudlet_${VERSION}_amd64.deb`);
    sh('bash', [join(REPO, 'build', 'package-deb.sh'), 'cloudlet'], { DEB_OUTPUT: cloudletDeb, DEB_CLOUDLET: cloudlet, DEB_COMPRESSION: 'gzip' });
    cloudletRoot = join(work.dir, 'cloudlet-root');
    sh('dpkg-deb', ['-x', cloudletDeb, cloudletRoot]);
    sh('dpkg-deb', ['-e', cloudletDeb, join(work.dir, 'cloudlet-control')]);
  });

  it('names the package, version and arch, and depends on the agent package of the very same version', () => {
    expect(field('Package', cloudletDeb)).toBe('cloudlet');
    expect(field('Version', cloudletDeb)).toBe(VERSION.replace(/-/g, '~'));
    expect(field('Architecture', cloudletDeb)).toBe('amd64');
    const depends = field('Depends', cloudletDeb).split(/,\s*/);
    expect(depends).toContain(`cloudlet-agent (= ${field('Version')})`);
    for (const lib of ['libc6', 'libstdc++6', 'libgcc-s1']) expect(depends.some((d) => d.startsWith(`${lib} `) || d === lib)).toBe(true);
  });

  it('depends on the Debian package of every tool bake runs, as dpkg names the owner of each on this machine', () => {
    const depends = field('Depends', cloudletDeb).split(/,\s*/).map((d) => d.split(' ')[0]);
    const tools = ['qemu-img', 'mkfs.ext4', 'debugfs', 'mkfs.vfat', 'mcopy', 'sfdisk', 'syslinux', 'zstd', 'xz', 'xmllint', 'getfattr', 'setfattr'].map((t) => {
      const path = sh('sh', ['-c', `command -v ${t} || true`]).trim();
      if (path === '') throw new Error(`${t} is missing on this machine: bash build/setup-host.sh test`);
      return path;
    });
    const files = ['/usr/lib/syslinux/mbr/gptmbr.bin', '/usr/lib/systemd/boot/efi/systemd-bootx64.efi'];
    // dpkg knows a file by the path its package ships, which may sit behind the merged-/usr links.
    const spellings = (path: string) => [path, realpathSync(path), path.replace(/^\/usr(?=\/s?bin\/)/, '')];
    const paths = [...tools, ...files];
    const r = spawnSync('dpkg', ['-S', ...new Set(paths.flatMap(spellings))], { encoding: 'utf8' });
    const owners = new Map(r.stdout.split('\n').flatMap((line) => {
      const m = /^([^:\s]+)(?::[a-z0-9]+)?: (\/.*)$/.exec(line);
      return m ? [[m[2] as string, m[1] as string] as const] : [];
    }));
    for (const path of paths) {
      const owner = spellings(path).map((p) => owners.get(p)).find((o) => o !== undefined);
      expect(owner, `no installed package owns ${path}: bash build/setup-host.sh test`).toBeDefined();
      expect(depends, `${path} comes from ${owner}`).toContain(owner);
    }
  });

  it('installs /usr/bin/cloudlet with mode 0755, byte for byte the built one, and it runs after dpkg -x', () => {
    const installed = join(cloudletRoot, 'usr/bin/cloudlet');
    expect(mode(installed)).toBe(0o755);
    expect(readFileSync(installed).equals(readFileSync(cloudlet))).toBe(true);
    const out = sh(installed, ['--version']);
    expect(out).toContain(`cloudlet ${VERSION} (node v24.`);
  });

  it('ships no file of the agent package, so both install side by side', () => {
    const agentFiles = new Set(filesOf(deb));
    const own = filesOf(cloudletDeb);
    expect(own).toContain('/usr/bin/cloudlet');
    expect(own.filter((f) => agentFiles.has(f))).toEqual([]);
  });

  it('installs the manual page and the bash, zsh and fish completions, made from the command table', () => {
    expectGeneratedDocs(cloudletRoot, 'cloudlet', cloudlet);
  });

  it('carries the licence texts of Node.js and of the packages its bundle holds', () => {
    const text = readFileSync(join(cloudletRoot, 'usr/share/doc/cloudlet/THIRD-PARTY-LICENSES'), 'utf8');
    expect(text.split('\n')[0]).toBe('Software included in cloudlet and its licences');
    for (const name of ['Node.js 24.', 'ajv ']) expect(text).toContain(name);
    expect(readFileSync(join(cloudletRoot, 'usr/share/doc/cloudlet/copyright'), 'utf8')).toContain('Upstream-Name: cloudlet\n');
  });

  it('holds nothing outside /usr, lists correct md5sums, and has no maintainer scripts', () => {
    expect(readdirSync(cloudletRoot).sort()).toEqual(['usr']);
    const out = spawnSync('md5sum', ['--check', '--quiet', join(work.dir, 'cloudlet-control', 'md5sums')], { cwd: cloudletRoot, encoding: 'utf8' });
    expect(out.status, out.stdout + out.stderr).toBe(0);
    expect(readdirSync(join(work.dir, 'cloudlet-control')).sort()).toEqual(['control', 'md5sums']);
  });
});
