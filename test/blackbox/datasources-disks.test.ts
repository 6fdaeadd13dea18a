// Blackbox: the built agent finds real NoCloud and config-drive disks on loop devices by label, reads, unmounts.

import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync, truncateSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeImage, runInNamespace, tempDir } from './harness';

const TOOLS = ['losetup', 'genisoimage', 'xorriso', 'mkfs.vfat', 'mcopy', 'cloud-localds'];
const cleanups: Array<() => void> = [];
let work: string;

beforeAll(() => {
  if (process.getuid?.() !== 0) throw new Error('these tests need root (loop devices and mounts)');
  const missing = TOOLS.filter((t) => {
    try {
      execFileSync('sh', ['-c', `command -v ${t}`], { stdio: 'pipe' });
      return false;
    } catch {
      return true;
    }
  });
  if (missing.length) throw new Error(`missing ${missing.join(', ')}: apt-get install -y --no-install-recommends genisoimage xorriso dosfstools mtools cloud-image-utils`);
  const t = tempDir('cloudlet-disks-');
  cleanups.push(t.cleanup);
  work = t.dir;
});
afterAll(() => {
  for (const c of cleanups.splice(0)) c();
});

const MANIFEST = {
  cloudlet: '0.0.4',
  name: 'disks',
  platforms: ['nocloud', 'configdrive'],
  config: { schema: { type: 'object', properties: { greeting: { type: 'string', default: 'default-greeting' } } } },
  templates: ['/etc/motd'],
  entrypoints: { init: {} },
};
const MOTD = 'greeting=<%= config.greeting %>\nplatform=<%= env.platform %>\ninstance=<%= env.instanceId %>\nhostname=<%= env.hostname %>\n';

function files(name: string, tree: Record<string, string>): string {
  const dir = join(work, name);
  for (const [path, content] of Object.entries(tree)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  return dir;
}

function seed(id: string, greeting: string): Record<string, string> {
  return {
    'user-data': JSON.stringify({ config: { greeting } }),
    'meta-data': `instance-id: ${id}\nlocal-hostname: host-${id}\n`,
  };
}

interface Boot {
  code: number | null;
  stdout: string;
  stderr: string;
  motd: string;
  /** mounts under the run directory left after the agent ended, seen inside its namespace */
  leftoverMounts: string;
}

/** Attaches `disk` read-only to a free loop device, runs the agent on a fresh image, always detaches. */
function boot(disk: string): Boot {
  const img = makeImage(MANIFEST, { '/etc/motd': MOTD });
  cleanups.push(img.cleanup);
  const runDir = join(work, `run-${Math.random().toString(36).slice(2)}`);
  const cmdline = join(work, 'cmdline');
  writeFileSync(cmdline, 'console=ttyS0 quiet\n');
  const r = runInNamespace(
    [
      'loop=$(losetup -f --show -r "$DISK")',
      'trap \'losetup -d "$loop"\' EXIT',
      'mount --bind "$CMDLINE" /proc/cmdline',
      'set +e',
      '$AGENT run --root "$ROOT" --run-dir "$RUN_DIR"',
      'echo "rc=$?"',
      'set -e',
      'echo "mounts-begin"',
      'grep -F "$RUN_DIR" /proc/self/mountinfo || true',
      'echo "mounts-end"',
    ].join('\n'),
    { env: { DISK: disk, ROOT: img.root, RUN_DIR: runDir, CMDLINE: cmdline } },
  );
  const rc = /rc=(\d+)/.exec(r.stdout);
  const mounts = /mounts-begin\n([\s\S]*?)mounts-end/.exec(r.stdout);
  let motd = '';
  try {
    motd = readFileSync(join(img.root, 'etc/motd'), 'utf8');
  } catch {
    // left empty: the run failed before rendering
  }
  return { code: rc ? Number(rc[1]) : r.code, stdout: r.stdout, stderr: r.stderr, motd, leftoverMounts: mounts?.[1] ?? '(unknown)' };
}

function iso(name: string, volid: string, dir: string): string {
  const out = join(work, `${name}.iso`);
  execFileSync('genisoimage', ['-quiet', '-output', out, '-volid', volid, '-joliet', '-rock', dir], { stdio: 'pipe' });
  return out;
}

describe('nocloud', () => {
  it('reads an ISO9660 seed made by genisoimage -volid cidata: user data, instance id, hostname', () => {
    const b = boot(iso('geniso', 'cidata', files('geniso', seed('iid-geniso', 'hi from iso'))));
    expect(b.stderr).not.toMatch(/error/i);
    expect(b.code).toBe(0);
    expect(b.motd).toBe('greeting=hi from iso\nplatform=nocloud\ninstance=iid-geniso\nhostname=host-iid-geniso\n');
    expect(b.leftoverMounts.trim()).toBe('');
  });

  it('reads an ISO9660 seed made by xorriso', () => {
    const dir = files('xorriso', seed('iid-xorriso', 'hi from xorriso'));
    const out = join(work, 'xorriso.iso');
    execFileSync('xorriso', ['-as', 'mkisofs', '-quiet', '-o', out, '-V', 'cidata', '-J', '-R', dir], { stdio: 'pipe' });
    const b = boot(out);
    expect(b.code).toBe(0);
    expect(b.motd).toContain('instance=iid-xorriso');
  });

  it('reads a seed made by cloud-localds', () => {
    const dir = files('localds', seed('iid-localds', 'hi from cloud-localds'));
    const out = join(work, 'localds.img');
    execFileSync('cloud-localds', [out, join(dir, 'user-data'), join(dir, 'meta-data')], { stdio: 'pipe' });
    const b = boot(out);
    expect(b.code).toBe(0);
    expect(b.motd).toContain('greeting=hi from cloud-localds');
    expect(b.motd).toContain('instance=iid-localds');
  });

  it('reads a vfat seed labelled CIDATA (mkfs.vfat + mcopy)', () => {
    const dir = files('vfat', seed('iid-vfat', 'hi from vfat'));
    const out = join(work, 'vfat.img');
    writeFileSync(out, '');
    truncateSync(out, 4 << 20);
    execFileSync('mkfs.vfat', ['-n', 'CIDATA', out], { stdio: 'pipe' });
    execFileSync('mcopy', ['-i', out, join(dir, 'user-data'), join(dir, 'meta-data'), '::'], { stdio: 'pipe' });
    const b = boot(out);
    expect(b.code).toBe(0);
    expect(b.motd).toContain('greeting=hi from vfat');
    expect(b.motd).toContain('platform=nocloud');
    expect(b.leftoverMounts.trim()).toBe('');
  });

  it('fails naming nocloud when the seed holds user data that is not JSON (and still unmounts)', () => {
    const b = boot(iso('badjson', 'cidata', files('badjson', { 'user-data': '#cloud-config\nsecret: s3cr3t-value\n', 'meta-data': 'instance-id: iid-bad\n' })));
    expect(b.code).toBe(2);
    expect(b.stderr).toMatch(/E_USERDATA_INVALID/);
    expect(b.stderr).toMatch(/nocloud/);
    expect(b.stdout + b.stderr).not.toContain('s3cr3t-value');
    expect(b.leftoverMounts.trim()).toBe('');
  });
});

describe('configdrive', () => {
  it('reads an OpenStack config drive labelled config-2', () => {
    const dir = files('cfg2', {
      'openstack/latest/meta_data.json': JSON.stringify({ uuid: 'c0ffee00-0000-4000-8000-000000000002', hostname: 'cfg-host', availability_zone: 'nova' }),
      'openstack/latest/user_data': JSON.stringify({ config: { greeting: 'hi from config-2' } }),
    });
    const b = boot(iso('cfg2', 'config-2', dir));
    expect(b.code).toBe(0);
    expect(b.motd).toBe('greeting=hi from config-2\nplatform=configdrive\ninstance=c0ffee00-0000-4000-8000-000000000002\nhostname=cfg-host\n');
    expect(b.leftoverMounts.trim()).toBe('');
  });
});

describe('no config disk', () => {
  it('ignores a disk with another label: defaults apply', () => {
    const b = boot(iso('wrong', 'notcidata', files('wrong', seed('iid-wrong', 'must not be read'))));
    expect(b.code).toBe(0);
    expect(b.motd).toContain('greeting=default-greeting');
    expect(b.motd).toContain('platform=none');
  });

  it('ignores an empty (all-zero) disk: defaults apply', () => {
    const out = join(work, 'empty.img');
    writeFileSync(out, '');
    truncateSync(out, 2 << 20);
    const b = boot(out);
    expect(b.code).toBe(0);
    expect(b.motd).toContain('platform=none');
  });
});
