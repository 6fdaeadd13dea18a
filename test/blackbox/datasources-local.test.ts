// Blackbox: the built agent reads the kernel command line, fw_cfg, SMBIOS and the baked file as the kernel exposes them.

import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeImage, runInNamespace, tempDir, type Tree } from './harness';

const cleanups: Array<() => void> = [];
afterAll(() => {
  for (const c of cleanups.splice(0)) c();
});

const MOTD = 'greeting=<%= config.greeting %>\nplatform=<%= env.platform %>\n';
const ud = (greeting: string) => JSON.stringify({ config: { greeting } });
const b64 = (s: string) => Buffer.from(s).toString('base64');

function type11(strings: string[]): Buffer {
  const body = Buffer.concat(strings.map((s) => Buffer.concat([Buffer.from(s), Buffer.from([0])])));
  return Buffer.concat([Buffer.from([11, 5, 0, 0x0b, strings.length]), body, Buffer.from([0])]);
}

interface Setup {
  platforms: string[];
  cmdline?: string;
  /** files below a fake /sys/firmware, bind-mounted over the real one inside the namespace */
  firmware?: Record<string, string | Buffer>;
  tree?: Tree;
  args?: string[];
}

function boot(s: Setup): { code: number | null; stderr: string; motd: string; status: Record<string, unknown> } {
  const img = makeImage(
    {
      cloudlet: '0.0.4',
      name: 'local',
      platforms: s.platforms,
      config: { schema: { type: 'object', properties: { greeting: { type: 'string', default: 'default-greeting' } } } },
      templates: ['/etc/motd'],
      entrypoints: { init: {} },
    },
    { '/etc/motd': MOTD, ...s.tree },
  );
  const tmp = tempDir('cloudlet-local-');
  cleanups.push(img.cleanup, tmp.cleanup);
  const cmdline = join(tmp.dir, 'cmdline');
  writeFileSync(cmdline, (s.cmdline ?? 'console=ttyS0') + '\n');
  const fw = join(tmp.dir, 'firmware');
  mkdirSync(fw);
  for (const [path, content] of Object.entries(s.firmware ?? {})) {
    mkdirSync(dirname(join(fw, path)), { recursive: true });
    writeFileSync(join(fw, path), content);
  }
  const runDir = join(tmp.dir, 'run');
  const r = runInNamespace(
    [
      'mount --bind "$CMDLINE" /proc/cmdline',
      'mount --bind "$FW" /sys/firmware',
      'set +e',
      `$AGENT run --root "$ROOT" --run-dir "$RUN_DIR" ${(s.args ?? []).map((a) => `'${a}'`).join(' ')}`,
      'echo "rc=$?"',
    ].join('\n'),
    { env: { CMDLINE: cmdline, FW: fw, ROOT: img.root, RUN_DIR: runDir } },
  );
  const rc = /rc=(\d+)/.exec(r.stdout);
  let status: Record<string, unknown> = {};
  try {
    status = JSON.parse(readFileSync(join(runDir, 'cloudlet', 'status.json'), 'utf8')) as Record<string, unknown>;
  } catch {
    // no status written
  }
  return { code: rc ? Number(rc[1]) : r.code, stderr: r.stderr, motd: readFileSync(join(img.root, 'etc/motd'), 'utf8'), status };
}

describe('kernel command line', () => {
  it('reads cloudlet.user-data= as base64 JSON', () => {
    const b = boot({ platforms: ['cmdline'], cmdline: `console=ttyS0 cloudlet.user-data=${b64(ud('from cmdline'))} quiet` });
    expect(b.code).toBe(0);
    expect(b.motd).toBe('greeting=from cmdline\nplatform=cmdline\n');
  });

  it('cloudlet.platform= narrows the manifest list', () => {
    const b = boot({
      platforms: ['cmdline', 'file'],
      cmdline: `cloudlet.platform=file cloudlet.user-data=${b64(ud('from cmdline'))}`,
      tree: { '/etc/cloudlet/user-data.json': ud('baked') },
    });
    expect(b.code).toBe(0);
    expect(b.motd).toBe('greeting=baked\nplatform=file\n');
  });

  it('refuses a cloudlet.user-data-url= that is not a URL as invalid input (exit 2), not as a failing platform', () => {
    const b = boot({ platforms: ['cmdline'], cmdline: 'console=ttyS0 cloudlet.user-data-url=http://[::1/ud.json' });
    expect(b.code).toBe(2);
    expect(b.stderr).toMatch(/error E_USERDATA_INVALID: cmdline: cloudlet\.user-data-url= is not a valid URL/);
    expect(b.status).toMatchObject({ state: 'error', error: { code: 'E_USERDATA_INVALID' } });
  });

  it('refuses cloudlet.platform= naming a platform the manifest does not list', () => {
    const b = boot({ platforms: ['cmdline'], cmdline: 'cloudlet.platform=ec2' });
    expect(b.code).toBe(1);
    expect(b.stderr).toMatch(/error E_PLATFORM: cloudlet.platform=ec2/);
  });
});

describe('fw_cfg', () => {
  it('reads opt/cloudlet/user-data', () => {
    const b = boot({ platforms: ['fwcfg'], firmware: { 'qemu_fw_cfg/by_name/opt/cloudlet/user-data/raw': ud('from fw_cfg') } });
    expect(b.code).toBe(0);
    expect(b.motd).toBe('greeting=from fw_cfg\nplatform=fwcfg\n');
  });

  it('refuses more than 1 MiB', () => {
    const b = boot({ platforms: ['fwcfg'], firmware: { 'qemu_fw_cfg/by_name/opt/cloudlet/user-data/raw': ' '.repeat((1 << 20) + 1) } });
    expect(b.code).toBe(2);
    expect(b.stderr).toMatch(/error E_USERDATA_TOO_LARGE: user data from fwcfg/);
  });
});

describe('SMBIOS', () => {
  it('reads a text credential from type 11 OEM strings', () => {
    const b = boot({ platforms: ['smbios'], firmware: { 'dmi/entries/11-0/raw': type11([`io.systemd.credential:cloudlet.user-data=${ud('from smbios')}`]) } });
    expect(b.code).toBe(0);
    expect(b.motd).toBe('greeting=from smbios\nplatform=smbios\n');
  });

  it('reads a binary credential', () => {
    const b = boot({ platforms: ['smbios'], firmware: { 'dmi/entries/11-0/raw': type11([`io.systemd.credential.binary:cloudlet.user-data=${b64(ud('binary'))}`]) } });
    expect(b.motd).toBe('greeting=binary\nplatform=smbios\n');
  });
});

describe('order and precedence', () => {
  it('local channels before the baked file, whatever the manifest order', () => {
    const b = boot({
      platforms: ['file', 'fwcfg'],
      firmware: { 'qemu_fw_cfg/by_name/opt/cloudlet/user-data/raw': ud('from fw_cfg') },
      tree: { '/etc/cloudlet/user-data.json': ud('baked') },
    });
    expect(b.motd).toBe('greeting=from fw_cfg\nplatform=fwcfg\n');
  });

  it('--user-data FILE wins over every platform', () => {
    const tmp = tempDir('cloudlet-arg-');
    cleanups.push(tmp.cleanup);
    const file = join(tmp.dir, 'ud.json');
    writeFileSync(file, ud('from arg'));
    const b = boot({ platforms: ['cmdline'], cmdline: `cloudlet.user-data=${b64(ud('from cmdline'))}`, args: ['--user-data', file] });
    expect(b.code).toBe(0);
    expect(b.motd).toBe('greeting=from arg\nplatform=arg\n');
  });

  it('records the first boot in the status', () => {
    const b = boot({ platforms: ['cmdline'] });
    expect(b.status).toMatchObject({ platform: 'none', firstBoot: true, instanceChanged: false });
  });
});
