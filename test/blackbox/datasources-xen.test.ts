// Blackbox: the built agent reads XenStore through /dev/xen/xenbus, here a raw pty with a xenstored emulator behind it.

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runAgentAsync } from './emulators/run-agent-async';
import { startXenstored, XS_ERROR, XS_READ, xsFrame, type XsRequest } from './emulators/xenstored';
import { makeImage, tempDir } from './harness';

const cleanups: Array<() => void> = [];
afterAll(() => {
  for (const c of cleanups.splice(0)) c();
});

const MOTD = 'greeting=<%= config.greeting %>\nplatform=<%= env.platform %>\ninstance=<%= env.instanceId %>\n';
const UUID = '3f0c2a9e-6b1d-4c55-9e0a-7d2f1b8c4e61';
const USER_DATA = JSON.stringify({ config: { greeting: 'from xenstore' } });

interface Boot {
  code: number | null;
  stderr: string;
  motd: string;
  status: Record<string, unknown>;
  requests: XsRequest[];
}

/**
 * Runs the agent on a fresh image listing only "xen", in a namespace whose /dev is a small tmpfs with
 * null, zero, urandom, the host's /dev/pts, and xen/xenbus pointing at the emulator's pty.
 */
async function boot(answer: (req: XsRequest) => Buffer | null): Promise<Boot> {
  const img = makeImage(
    {
      cloudlet: '0.0.4',
      name: 'xen',
      platforms: ['xen'],
      datasources: { timeout: 2 },
      config: { schema: { type: 'object', properties: { greeting: { type: 'string', default: 'default-greeting' } } } },
      templates: ['/etc/motd'],
      entrypoints: { init: {} },
    },
    { '/etc/motd': MOTD },
  );
  const tmp = tempDir('cloudlet-xen-');
  cleanups.push(img.cleanup, tmp.cleanup);
  const xs = await startXenstored(tmp.dir, answer);
  cleanups.push(xs.close);
  const cmdline = join(tmp.dir, 'cmdline');
  writeFileSync(cmdline, 'console=ttyS0\n');
  const runDir = join(tmp.dir, 'run');
  const r = await runAgentAsync([], {
    script: [
      'dev=$(mktemp -d)',
      'mount -t tmpfs -o mode=0755 devtmp "$dev"',
      'for n in null zero random urandom full; do cp -a "/dev/$n" "$dev/"; done',
      'mkdir "$dev/pts" "$dev/xen"',
      'mount --bind /dev/pts "$dev/pts"',
      'ln -s "$(readlink -f "$XENBUS")" "$dev/xen/xenbus"',
      'mount --rbind "$dev" /dev',
      'mount --bind "$CMDLINE" /proc/cmdline',
      'exec $AGENT run --root "$ROOT" --run-dir "$RUN_DIR"',
    ].join('\n'),
    env: { XENBUS: xs.device, CMDLINE: cmdline, ROOT: img.root, RUN_DIR: runDir },
  });
  xs.close();
  return {
    code: r.code,
    stderr: r.stderr,
    motd: readFileSync(join(img.root, 'etc/motd'), 'utf8'),
    status: JSON.parse(readFileSync(join(runDir, 'cloudlet', 'status.json'), 'utf8')) as Record<string, unknown>,
    requests: xs.requests,
  };
}

/** A xenstored holding `keys`; a key it lacks is ENOENT, as for a guest whose toolstack wrote no user data. */
const store = (keys: Record<string, string>) => (req: XsRequest) => {
  const key = req.payload.replace(/\0$/, '');
  return key in keys ? xsFrame(XS_READ, req.reqId, keys[key] as string) : xsFrame(XS_ERROR, req.reqId, 'ENOENT\0');
};

describe('xen over the xenbus device', () => {
  it('renders vm-data/user-data and takes the instance id from the domain\'s /vm/<uuid>, with no xenstore-read in the image', async () => {
    const b = await boot(store({ 'vm-data/user-data': USER_DATA, vm: `/vm/${UUID}` }));
    expect(b.stderr).not.toMatch(/error/i);
    expect(b.code).toBe(0);
    expect(b.motd).toBe(`greeting=from xenstore\nplatform=xen\ninstance=${UUID}\n`);
    expect(b.status).toMatchObject({ state: 'done', platform: 'xen', instanceId: UUID });
    expect(b.requests.map((r) => [r.type, r.txId, r.payload])).toEqual([
      [XS_READ, 0, 'vm-data/user-data\0'],
      [XS_READ, 0, 'vm\0'],
    ]);
  });

  it('no user data key (ENOENT): not this platform, defaults apply', async () => {
    const b = await boot(store({ vm: `/vm/${UUID}` }));
    expect(b.code).toBe(0);
    expect(b.motd).toContain('greeting=default-greeting\nplatform=none');
  });

  it('the key is not readable (EACCES): E_PLATFORM that says where the key must be written', async () => {
    const b = await boot((req) => xsFrame(XS_ERROR, req.reqId, 'EACCES\0'));
    expect(b.code).toBe(1);
    expect(b.stderr).toMatch(/error E_PLATFORM: xen: XenStore refused to read vm-data\/user-data \(EACCES\)/);
    expect(b.stderr).toMatch(/fix: .*\/local\/domain\/<domid>\/vm-data\/user-data/);
  });

  it('xenstored never answers: E_PLATFORM_TIMEOUT within the deadline', async () => {
    const b = await boot(() => null);
    expect(b.code).toBe(1);
    expect(b.stderr).toMatch(/error E_PLATFORM_TIMEOUT: xen: XenStore did not answer/);
  });

  it('garbage instead of a XenStore reply: E_PLATFORM', async () => {
    const b = await boot(() => Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}'));
    expect(b.code).toBe(1);
    expect(b.stderr).toMatch(/error E_PLATFORM: xen: the xenbus device answered the read of vm-data\/user-data with a length of/);
  });

  it('user data that is not JSON: E_USERDATA_INVALID naming the platform', async () => {
    const b = await boot(store({ 'vm-data/user-data': '<html> not the answer {{{' }));
    expect(b.code).toBe(2);
    expect(b.stderr).toMatch(/error E_USERDATA_INVALID: .*xen/);
  });
});
