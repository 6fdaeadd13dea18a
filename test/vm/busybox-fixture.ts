// The busybox test image's manifest, files and user data, and one call that boots it with a given channel.

import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { makeBusyboxImage, type BusyboxImageSpec } from './busybox-image';
import { bootVm, type Drive, type VmOptions, type VmResult } from './qemu';
import type { BusyboxKit } from './setup-run';

export const SECRET = 'S3cret-vmtest-7f3a';
export const SEED_TOKEN = 'seeded-from-image-4c1d';

export const APP_CONF = 'greeting=<%= config.greeting %>\nport=<%= config.port %>\nplatform=<%= env.platform %>\n';

/** A manifest with one template; `extra` adds persistent/volatile/storage or overrides anything. */
export function manifest(platforms: string[], extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    cloudlet: '0.0.4',
    name: 'vmtest-busybox',
    version: '1.0.0',
    platforms,
    datasources: { timeout: 10, total: 30 },
    config: {
      schema: {
        type: 'object',
        additionalProperties: false,
        properties: {
          greeting: { type: 'string', default: 'hello' },
          port: { type: 'integer', default: 8080 },
          db_password: { type: 'string', writeOnly: true },
        },
      },
    },
    templates: ['/etc/app/app.conf'],
    onError: 'halt',
    entrypoints: { init: { path: '/sbin/real-init', requires: { os: 'linux', arch: ['x86_64'] } } },
    ...extra,
  };
}

/** The user data every channel delivers; the secret must never reach the console. */
export function userData(greeting: string, port = 9090): Record<string, unknown> {
  return { config: { greeting, port, db_password: SECRET } };
}

export const IMAGE_FILES: Record<string, string> = {
  '/etc/app/app.conf': APP_CONF,
  '/var/lib/app/seed.txt': `${SEED_TOKEN}\n`,
  '/var/cache/app/keep.txt': 'image content under a volatile path\n',
};

export interface BusyboxBoot extends VmResult {
  dir: string;
}

/** Builds the image in a fresh directory under `work` and boots it with the agent as init=. */
export async function bootBusybox(
  kit: BusyboxKit,
  agent: string,
  work: string,
  name: string,
  spec: BusyboxImageSpec,
  vm: Partial<VmOptions> & { extraDrives?: Drive[]; append?: string } = {},
): Promise<BusyboxBoot> {
  const dir = mkdtempSync(join(work, `${name}-`));
  const rootImg = makeBusyboxImage(kit, agent, dir, { secret: SECRET, ...spec, files: { ...IMAGE_FILES, ...spec.files } });
  const { extraDrives, append, ...rest } = vm;
  const result = await bootVm({
    name,
    kernel: kit.vmlinuz,
    initrd: kit.initramfs,
    append: `console=ttyS0 panic=-1 quiet init=/usr/sbin/cloudlet-agent ${append ?? ''}`.trim(),
    drives: [{ file: rootImg }, ...(extraDrives ?? [])],
    timeoutMs: 120_000,
    ...rest,
  });
  return { ...result, dir };
}
