// Blackbox: the built agent against loopback metadata-service emulators, with every fault ending in its deadline.

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startAzure } from './emulators/azure';
import { startEc2 } from './emulators/ec2';
import { startGce } from './emulators/gce';
import { startOpenstack } from './emulators/openstack';
import { runAgentAsync } from './emulators/run-agent-async';
import type { Emulator, Fault } from './emulators/server';
import { makeImage, tempDir } from './harness';

const cleanups: Array<() => void | Promise<void>> = [];
afterAll(async () => {
  for (const c of cleanups.splice(0)) await c();
});

const MOTD = 'greeting=<%= config.greeting %>\nplatform=<%= env.platform %>\ninstance=<%= env.instanceId %>\n';
const USER_DATA = /user-data|user_data|userData/;

interface Boot {
  code: number | null;
  stderr: string;
  motd: string;
}

/** Runs the agent on a fresh image whose manifest lists `platform` at the emulator's address. */
async function boot(platform: string, em: Emulator, datasources: Record<string, unknown> = {}): Promise<Boot> {
  const img = makeImage(
    {
      cloudlet: '0.0.4',
      name: 'net',
      platforms: [platform],
      datasources: { timeout: 2, total: 4, endpoints: { [platform]: em.url }, ...datasources },
      config: { schema: { type: 'object', properties: { greeting: { type: 'string', default: 'default-greeting' } } } },
      templates: ['/etc/motd'],
      entrypoints: { init: {} },
    },
    { '/etc/motd': MOTD },
  );
  const tmp = tempDir('cloudlet-net-');
  cleanups.push(img.cleanup, tmp.cleanup);
  const cmdline = join(tmp.dir, 'cmdline');
  writeFileSync(cmdline, 'console=ttyS0\n');
  const r = await runAgentAsync([], {
    script: 'mount --bind "$CMDLINE" /proc/cmdline\nexec $AGENT run --root "$ROOT" --run-dir "$RUN_DIR"',
    env: { CMDLINE: cmdline, ROOT: img.root, RUN_DIR: join(tmp.dir, 'run') },
  });
  return { code: r.code, stderr: r.stderr, motd: readFileSync(join(img.root, 'etc/motd'), 'utf8') };
}

async function emulator(start: Promise<Emulator>): Promise<Emulator> {
  const em = await start;
  cleanups.push(() => em.close());
  return em;
}

/**
 * For a service that never finishes an answer the outcome is a timeout however slow the machine is, so
 * a short deadline loses nothing; cases that need an answer keep the 2 s of `boot`.
 */
const NEVER_ANSWERS = { timeout: 0.5, total: 1 };

const PLATFORMS: Record<string, (fault: Fault | null) => Promise<Emulator>> = {
  ec2: (fault) => startEc2({ fault }),
  openstack: (fault) => startOpenstack({ fault }),
  gce: (fault) => startGce({ fault }),
  azure: (fault) => startAzure({ fault }),
};

describe.each(Object.keys(PLATFORMS))('%s', (platform) => {
  const start = PLATFORMS[platform] as (fault: Fault | null) => Promise<Emulator>;

  it.concurrent('renders the user data and instance id it serves', async () => {
    const b = await boot(platform, await emulator(start(null)));
    expect(b.stderr).not.toMatch(/error/i);
    expect(b.code).toBe(0);
    expect(b.motd).toMatch(new RegExp(`^greeting=from ${platform}\nplatform=${platform}\ninstance=\\S+\n$`));
  });

  it.concurrent('404 everywhere: not this platform, defaults apply', async () => {
    const b = await boot(platform, await emulator(start({ kind: '404' })));
    expect(b.code).toBe(0);
    expect(b.motd).toContain('greeting=default-greeting\nplatform=none');
  });

  it.concurrent('404 on user data only: the platform answers, defaults apply', async () => {
    const b = await boot(platform, await emulator(start({ kind: '404', path: USER_DATA })));
    expect(b.code).toBe(0);
    expect(b.motd).toContain(`greeting=default-greeting\nplatform=${platform}`);
  });

  it.concurrent('500: E_PLATFORM after retries, within the deadline', async () => {
    const b = await boot(platform, await emulator(start({ kind: '500' })));
    expect(b.code).toBe(1);
    expect(b.stderr).toMatch(/error E_PLATFORM:/);
    expect(b.stderr).toMatch(/HTTP 500/);
  });

  it.concurrent('hanging connection: E_PLATFORM_TIMEOUT', async () => {
    const b = await boot(platform, await emulator(start({ kind: 'hang' })), NEVER_ANSWERS);
    expect(b.code).toBe(1);
    expect(b.stderr).toMatch(/error E_PLATFORM_TIMEOUT:/);
  });

  it.concurrent('slow body: E_PLATFORM_TIMEOUT', async () => {
    const b = await boot(platform, await emulator(start({ kind: 'slow' })), NEVER_ANSWERS);
    expect(b.code).toBe(1);
    expect(b.stderr).toMatch(/error E_PLATFORM_TIMEOUT:/);
  });

  it.concurrent('garbage instead of HTTP: E_PLATFORM', async () => {
    const b = await boot(platform, await emulator(start({ kind: 'garbage' })));
    expect(b.code).toBe(1);
    expect(b.stderr).toMatch(/error E_PLATFORM: .*answered with something that is not HTTP/);
  });

  it.concurrent('user data that is not JSON: E_USERDATA_INVALID naming the platform', async () => {
    const b = await boot(platform, await emulator(start({ kind: 'garbage-body', path: USER_DATA })));
    expect(b.code).toBe(2);
    expect(b.stderr).toMatch(new RegExp(`error E_USERDATA_INVALID: .*${platform}`));
  });

  it.concurrent('user data over 1 MiB: E_USERDATA_TOO_LARGE', async () => {
    const b = await boot(platform, await emulator(start({ kind: 'oversize', path: USER_DATA })));
    expect(b.code).toBe(2);
    expect(b.stderr).toMatch(/error E_USERDATA_TOO_LARGE:/);
  });

  it.concurrent('nothing listening: not this platform, defaults apply', async () => {
    const em = await start(null);
    await em.close();
    const b = await boot(platform, em);
    expect(b.code).toBe(0);
    expect(b.motd).toContain('platform=none');
  });
});

describe('ec2 tokens', () => {
  it.concurrent('IMDSv2 refused and IMDSv1 not allowed: E_PLATFORM that says how to allow it', async () => {
    const b = await boot('ec2', await emulator(startEc2({ tokenStatus: 403, allowV1: true })));
    expect(b.code).toBe(1);
    expect(b.stderr).toMatch(/error E_PLATFORM: .*token request was refused/);
    expect(b.stderr).toMatch(/imdsv1/);
  });

  it.concurrent('IMDSv1 allowed by the manifest and served: user data is read without a token', async () => {
    const em = await emulator(startEc2({ tokenStatus: 403, allowV1: true }));
    const b = await boot('ec2', em, { imdsv1: true });
    expect(b.code).toBe(0);
    expect(b.motd).toContain('greeting=from ec2');
    expect(em.requests.filter((r) => r.method === 'GET').every((r) => r.headers['x-aws-ec2-metadata-token'] === undefined)).toBe(true);
  });

  it.concurrent('401 without a token (IMDSv1 disabled on the instance): E_PLATFORM', async () => {
    const b = await boot('ec2', await emulator(startEc2({ tokenStatus: 403, allowV1: false })), { imdsv1: true });
    expect(b.code).toBe(1);
    expect(b.stderr).toMatch(/error E_PLATFORM: .*401/);
  });
});

describe('first boot and clones', () => {
  it('first boot, then an ordinary boot, then a clone with a new instance id', async () => {
    const img = makeImage(
      { cloudlet: '0.0.4', name: 'clone', platforms: ['ec2'], datasources: { endpoints: { ec2: 'http://127.0.0.1:1' } }, entrypoints: { init: {} } },
      {},
    );
    const tmp = tempDir('cloudlet-clone-');
    cleanups.push(img.cleanup, tmp.cleanup);
    const manifestPath = join(img.root, '.cloudlet', 'manifest');
    const bootWith = async (instanceId: string) => {
      const em = await emulator(startEc2({ instanceId }));
      const m = JSON.parse(readFileSync(manifestPath, 'utf8')) as { datasources: { endpoints: { ec2: string } } };
      m.datasources.endpoints.ec2 = em.url;
      writeFileSync(manifestPath, JSON.stringify(m));
      const runDir = join(tmp.dir, `run-${instanceId}-${Math.random().toString(36).slice(2)}`);
      const r = await runAgentAsync([], { script: 'exec $AGENT run --root "$ROOT" --run-dir "$RUN_DIR"', env: { ROOT: img.root, RUN_DIR: runDir } });
      expect(r.code, r.stderr).toBe(0);
      return JSON.parse(readFileSync(join(runDir, 'cloudlet', 'status.json'), 'utf8')) as Record<string, unknown>;
    };
    expect(await bootWith('i-first')).toMatchObject({ platform: 'ec2', instanceId: 'i-first', firstBoot: true, instanceChanged: false });
    expect(await bootWith('i-first')).toMatchObject({ firstBoot: false, instanceChanged: false });
    expect(await bootWith('i-clone')).toMatchObject({ instanceId: 'i-clone', firstBoot: true, instanceChanged: true });
    expect(readFileSync(join(img.root, 'var/lib/cloudlet/instance-id'), 'utf8')).toBe('i-clone\n');
    expect(await bootWith('i-clone')).toMatchObject({ firstBoot: false, instanceChanged: false });
  });
});
