// Shared by the manifest tests: the design's example manifest and throwaway image roots.

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The example manifest of design.md, as an image author would write it. */
export function exampleManifest(): Record<string, unknown> {
  return {
    cloudlet: '0.0.4',
    name: 'hello',
    version: '1.2.0',
    platforms: ['nocloud', 'configdrive', 'fwcfg', 'ec2'],
    config: {
      schema: {
        type: 'object',
        properties: {
          greeting: { type: 'string', default: 'hello' },
          db_password: { type: 'string', writeOnly: true },
        },
      },
    },
    templates: ['/etc/motd', { path: '/etc/app/app.conf', mode: '0640', owner: 'root:app' }],
    persistent: ['/var/lib/app', '/home'],
    volatile: ['/tmp', { path: '/var/cache/app', size: '64M', mode: '1777' }],
    storage: { device: 'LABEL=cloudlet-data', fstype: 'ext4', format: 'if-blank' },
    entrypoints: {
      kernel: { path: '/boot/vmlinuz', initrd: '/boot/initrd.img', requires: { arch: ['x86_64'] } },
      init: { path: '/sbin/init', requires: { os: 'linux', kernel: '>=4.19' } },
      chroot: { command: ['/usr/bin/app', '--serve'], requires: { commands: ['app'] } },
    },
  };
}

/** A temp image root holding `manifest` (an object, or raw text) at /.cloudlet/manifest. */
export function imageWith(manifest: unknown): { root: string; cleanup: () => void } {
  const root = mkdtempSync(join(tmpdir(), 'cloudlet-manifest-'));
  mkdirSync(join(root, '.cloudlet'));
  writeFileSync(join(root, '.cloudlet', 'manifest'), typeof manifest === 'string' ? manifest : JSON.stringify(manifest, null, 2));
  return { root, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}
