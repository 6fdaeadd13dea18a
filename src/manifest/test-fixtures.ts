// The "hello" manifest every test builds on (as written, as loaded, as a whole image) and throwaway image roots.

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NormalizedManifest } from './types';

/** Who the hello image is: the same in every form of it. */
const HELLO = { cloudlet: '0.0.4', name: 'hello', version: '1.2.0' } as const;

/** A fresh copy of the hello config's two settings: a greeting with a default and a secret. */
export function helloSettings() {
  return {
    greeting: { type: 'string', default: 'hello' },
    db_password: { type: 'string', writeOnly: true },
  };
}

/** The example manifest of design.md, as an image author would write it. */
export function exampleManifest(): Record<string, unknown> {
  return {
    ...HELLO,
    platforms: ['nocloud', 'configdrive', 'fwcfg', 'ec2'],
    config: { schema: { type: 'object', properties: helloSettings() } },
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

/** The hello manifest as the steps receive it once loaded: no platforms, templates, volumes or entry points unless given. */
export function helloManifest(over: Partial<NormalizedManifest> = {}): NormalizedManifest {
  return { ...HELLO, platforms: [], templates: [], persistent: [], volatile: [], entrypoints: {}, hash: 'x', ...over };
}

/**
 * A whole valid hello image for the built executables: a strict schema (a secret of at least 64
 * characters, no unknown settings), two templates, an `app` user and an init, and the tree holding them.
 */
export function helloImage() {
  const { greeting, db_password } = helloSettings();
  const manifest = {
    ...HELLO,
    config: {
      schema: {
        type: 'object',
        additionalProperties: false,
        properties: { greeting, port: { type: 'integer', default: 8080 }, db_password: { ...db_password, minLength: 64 } },
      },
    },
    templates: ['/etc/motd', { path: '/etc/app/app.conf', mode: '0640', owner: 'root:app' }],
    persistent: ['/var/lib/app'],
    volatile: ['/tmp', { path: '/var/cache/app', size: '64M', mode: '1777' }],
    storage: { device: 'LABEL=app-data', format: 'if-blank' },
    entrypoints: { init: { path: '/sbin/init', requires: { kernel: '>=4.19' } } },
  };
  const tree = {
    '/etc/motd': '<%= config.greeting %> on port <%= config.port %>\n',
    '/etc/app/app.conf': 'password=<%= config.db_password %>\n',
    '/etc/passwd': 'root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000::/home/app:/bin/sh\n',
    '/etc/group': 'root:x:0:\napp:x:1000:\n',
    '/sbin/init': { content: '#!/bin/sh\n', mode: 0o755 },
  };
  return { manifest, tree };
}

/** A temp image root holding `manifest` (an object, or raw text) at /.cloudlet/manifest. */
export function imageWith(manifest: unknown): { root: string; cleanup: () => void } {
  const root = mkdtempSync(join(tmpdir(), 'cloudlet-manifest-'));
  mkdirSync(join(root, '.cloudlet'));
  writeFileSync(join(root, '.cloudlet', 'manifest'), typeof manifest === 'string' ? manifest : JSON.stringify(manifest, null, 2));
  return { root, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}
