// Runs the setup scripts from the tests (they are idempotent and cached) and names what they made.

import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { REPO, SETUP, VM_CACHE } from './paths';

/** Runs test/vm/setup/<script>.sh, its progress on stderr; throws with the script's name when it fails. */
export function runSetup(script: string, args: string[] = []): void {
  const r = spawnSync('bash', [join(SETUP, `${script}.sh`), ...args], { stdio: ['ignore', 'inherit', 'inherit'], cwd: REPO });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`test/vm/setup/${script}.sh ${args.join(' ')} failed with exit code ${r.status}: see its output above`);
}

export function kernelVersion(): string {
  return readFileSync(join(VM_CACHE, 'kernel', 'current'), 'utf8').trim();
}

export interface BusyboxKit {
  vmlinuz: string;
  initramfs: string;
  /** the base root tree: busybox, modules, the agent's libraries */
  base: string;
}

export function busyboxKit(): BusyboxKit {
  runSetup('busybox-image');
  const kver = kernelVersion();
  return {
    vmlinuz: join(VM_CACHE, 'kernel', kver, 'vmlinuz'),
    initramfs: join(VM_CACHE, 'busybox', kver, 'initramfs.cpio.gz'),
    base: join(VM_CACHE, 'busybox', kver, 'base'),
  };
}

export interface DebianBase {
  /** Debian's own initramfs of the base image (no agent): the size baseline */
  initrd: string;
}

export type InitramfsFlavour = 'initramfs-tools' | 'dracut';

/** The cached base: Debian's initramfs-tools, or dracut in its place. */
export function debianBase(flavour: InitramfsFlavour = 'initramfs-tools'): DebianBase {
  if (flavour === 'dracut') {
    runSetup('debian-dracut-image');
    return { initrd: join(VM_CACHE, 'debian', kernelVersion(), 'dracut', 'initrd.img') };
  }
  runSetup('debian-image');
  return { initrd: join(VM_CACHE, 'debian', kernelVersion(), 'initrd.img') };
}

export interface DebianImage {
  rootImg: string;
  vmlinuz: string;
  initrd: string;
}

/**
 * A bootable Debian image in `out` from the cached base, with the .deb installed and `tree` copied over; the base
 * "cloud-init" (the initramfs-tools base with Debian's cloud-init) serves only the boot-time comparison.
 */
export function debianLayer(out: string, opts: { base?: InitramfsFlavour | 'cloud-init'; deb?: string; tree?: string }): DebianImage {
  const args = [out];
  if (opts.base) args.push('--base', opts.base);
  if (opts.deb) args.push('--deb', opts.deb);
  if (opts.tree) args.push('--tree', opts.tree);
  runSetup('debian-layer', args);
  return { rootImg: join(out, 'root.img'), vmlinuz: join(out, 'vmlinuz'), initrd: join(out, 'initrd.img') };
}

/** dist/cloudlet-agent (or CLOUDLET_VM_AGENT), or a clear failure telling how to make it. */
export function agentBinary(): string {
  const bin = process.env.CLOUDLET_VM_AGENT ?? join(REPO, 'dist', 'cloudlet-agent');
  if (!existsSync(bin)) throw new Error(`${bin} is missing: run "npm run build" before the VM tests`);
  return bin;
}

/**
 * The agent's .deb (CLOUDLET_VM_DEB, or dist/cloudlet-agent_<version>_amd64.deb). `npm test` builds the executable but
 * does not package it, so a .deb that is missing, or older than the executable or a file it packs, is made here
 * with build/package-deb.sh.
 */
export function agentDeb(): string {
  const override = process.env.CLOUDLET_VM_DEB;
  if (override) return override;
  const exe = agentBinary();
  const version = (JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string }).version;
  const deb = join(REPO, 'dist', `cloudlet-agent_${version}_amd64.deb`);
  const inputs = [exe, ...packagedSources()];
  if (!existsSync(deb) || inputs.some((f) => statSync(deb).mtimeMs < statSync(f).mtimeMs)) {
    process.stderr.write(`[vm-setup] ${deb} is missing or older than what goes into it: bash build/package-deb.sh (gzip)\n`);
    const r = spawnSync('bash', [join(REPO, 'build', 'package-deb.sh')], {
      cwd: REPO,
      stdio: ['ignore', 'ignore', 'inherit'],
      env: { ...process.env, DEB_COMPRESSION: process.env.DEB_COMPRESSION ?? 'gzip' },
    });
    if (r.status !== 0 || !existsSync(deb)) throw new Error(`build/package-deb.sh failed (exit ${r.status}): run "npm run package" and read its error`);
  }
  return deb;
}

/** The repository's files a .deb is made of besides the executable: boot glue, maintainer scripts, the script itself. */
function packagedSources(): string[] {
  const dirs = ['initramfs', 'systemd', join('build', 'deb')].map((d) => join(REPO, d));
  const files = dirs.flatMap((d) => readdirSync(d, { recursive: true, encoding: 'utf8' }).map((f) => join(d, f)));
  return [join(REPO, 'build', 'package-deb.sh'), ...files.filter((f) => statSync(f).isFile())];
}
