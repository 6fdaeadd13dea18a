// The Debian test image's tree (manifest, template, seeds, the report unit) and the boot call for it.

import { chmodSync, copyFileSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { expect } from 'vitest';
import { makeNocloudIso } from './disks';
import { block, bootVm, markers, type Drive, type VmOptions, type VmResult } from './qemu';
import type { DebianImage } from './setup-run';

export const SECRET = 'S3cret-debian-51b0';
export const SEED_TOKEN = 'seeded-from-debian-image-a41f';
export const BOOT_TOKEN = 'written-by-a-boot-77c2';

export const MANIFEST = {
  cloudlet: '0.0.4',
  name: 'vmtest-debian',
  version: '1.0.0',
  // Local channels are asked first: boots with a seed ISO use nocloud; the ec2 boot has none.
  platforms: ['nocloud', 'ec2'],
  config: {
    schema: {
      type: 'object',
      additionalProperties: false,
      properties: {
        greeting: { type: 'string', default: 'hello' },
        db_password: { type: 'string', writeOnly: true },
      },
    },
  },
  templates: ['/etc/app/app.conf'],
  persistent: ['/var/lib/app'],
  volatile: [{ path: '/var/cache/app', size: '16M' }],
  storage: { device: '/dev/vdc', fstype: 'ext4', format: 'if-blank' },
  // Boot anyway on error so the failing boot can be asked for its status after boot.
  onError: 'continue',
  entrypoints: { init: { path: '/sbin/init', requires: { os: 'linux', arch: ['x86_64'], kernel: '>=5.10' } } },
};

/** Writes the files every Debian test image gets into `tree`; the manifest only when the agent is part of it. */
export function writeDebianTree(tree: string, withManifest: boolean): void {
  const put = (path: string, content: string, mode = 0o644): void => {
    const host = join(tree, path);
    mkdirSync(dirname(host), { recursive: true });
    writeFileSync(host, content);
    chmodSync(host, mode);
  };
  if (withManifest) put('/.cloudlet/manifest', JSON.stringify(MANIFEST, null, 2));
  put('/etc/app/app.conf', 'greeting=<%= config.greeting %>\nplatform=<%= env.platform %>\ninstance=<%= env.instanceId %>\n');
  put('/var/lib/app/seed.txt', `${SEED_TOKEN}\n`);
  put('/var/cache/app/keep.txt', 'image content under a volatile path\n');
  put('/vmtest/show', ['/etc/app/app.conf', '/var/lib/app/seed.txt', '/var/lib/app/boots.txt', '/var/lib/app/first-uuid', '/var/cache/app/keep.txt'].join('\n') + '\n');
  put('/vmtest/write', `/var/lib/app/boots.txt ${BOOT_TOKEN}\n`);
  put('/vmtest/secret', `${SECRET}\n`, 0o600);
  mkdirSync(join(tree, 'usr/local/sbin'), { recursive: true });
  copyFileSync(join(__dirname, 'guest', 'debian-report.sh'), join(tree, 'usr/local/sbin/vmtest-report'));
  chmodSync(join(tree, 'usr/local/sbin/vmtest-report'), 0o755);
  mkdirSync(join(tree, 'etc/systemd/system/multi-user.target.wants'), { recursive: true });
  copyFileSync(join(__dirname, 'guest', 'vmtest.service'), join(tree, 'etc/systemd/system/vmtest.service'));
  symlinkSync('../vmtest.service', join(tree, 'etc/systemd/system/multi-user.target.wants/vmtest.service'));
}

export function debianUserData(greeting: string): string {
  return JSON.stringify({ config: { greeting, db_password: SECRET } });
}

/**
 * Boots a Debian image with its own initramfs: root /dev/vda (written in place, mounted "ro" first), then `disks` as vdb, vdc...;
 * `net` adds user networking with the metadata address forwarded to a loopback port and kernel arguments (ip=).
 */
export function bootDebian(
  name: string,
  image: DebianImage,
  disks: Drive[],
  net?: { metadataPort: number; append: string },
  stop: Partial<Pick<VmOptions, 'stopWhen' | 'stopGraceMs' | 'timeoutMs' | 'type'>> = {},
): Promise<VmResult> {
  return bootVm({
    name,
    kernel: image.vmlinuz,
    initrd: image.initrd,
    // "ro", as Debian's boot loaders pass it: the initramfs mounts the root read-only and systemd
    // remounts it as /etc/fstab says (rw), so the agent in the hook finds it read-only for now.
    append: `root=/dev/vda ro console=ttyS0 panic=-1 quiet${net ? ` ${net.append}` : ''}`,
    drives: [{ file: image.rootImg }, ...disks],
    timeoutMs: 240_000,
    ...(net ? { metadataPort: net.metadataPort } : {}),
    ...stop,
  });
}

/** Milliseconds from kernel start to a moment systemd recorded in the guest ("multi-user", "userspace"). */
export function guestMs(consoleText: string, what: 'multi-user' | 'userspace'): number | undefined {
  const m = new RegExp(`VMTEST ${what}-us (\\d+)`).exec(consoleText);
  return m ? Math.round(Number(m[1]) / 1000) : undefined;
}

/** A NoCloud seed ISO in `dir` carrying the fixture's user data with `greeting`. */
export function seedIso(dir: string, name: string, greeting: string): string {
  const iso = join(dir, `${name}.iso`);
  makeNocloudIso(iso, debianUserData(greeting), 'instance-id: iid-vmtest-debian\nlocal-hostname: vmtest-debian\n');
  return iso;
}

/** The agent's `status --wait --json` as the guest's report printed it. */
export function statusOf(consoleText: string, logFile: string): Record<string, any> {
  const text = block(consoleText, 'VMTEST-STATUS');
  expect(text, `no status block on the console: ${logFile}`).toBeDefined();
  return JSON.parse(text as string) as Record<string, any>;
}

/** The fixture's writeOnly value is in no agent file, log or journal line, and not on the console. */
export function expectNoSecret(consoleText: string): void {
  expect(markers(consoleText, 'VMTEST secret-scan')).toEqual(['done']);
  expect(markers(consoleText, 'VMTEST secret-in')).toEqual([]);
  expect(markers(consoleText, 'VMTEST secret-in-journal')).toEqual(['0']);
  expect(consoleText).not.toContain(SECRET);
}
