// Unit tests of the handover plans: init's argv, the chroot exec, and what install writes.

import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { realSystem } from '../../system/real-system';
import { BOOT_FILES } from '../../install/boot-files';
import { planChroot } from './chroot';
import { initArgv } from './init';
import { planInstall } from '../../install/install-plan';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function root(files: Record<string, number>): string {
  const dir = mkdtempSync(join(tmpdir(), 'cloudlet-handover-'));
  dirs.push(dir);
  for (const [path, mode] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), '#!/bin/sh\n', { mode });
  }
  return dir;
}

describe('initArgv', () => {
  it('runs /sbin/init by default with what the kernel passed, after the manifest\'s own args', () => {
    expect(initArgv(undefined, ['single'])).toEqual({ path: '/sbin/init', argv: ['/sbin/init', 'single'] });
    expect(initArgv({ path: '/lib/systemd/systemd', args: ['--log-target=console'] }, ['-s'])).toEqual({
      path: '/lib/systemd/systemd',
      argv: ['/lib/systemd/systemd', '--log-target=console', '-s'],
    });
  });
});

describe('planChroot', () => {
  const system = { ...realSystem(), env: { PATH: '/usr/bin:/bin', TERM: 'vt100' } };

  it('execs the host chroot(1) with the root and the command found on the image\'s PATH, in a clean environment', async () => {
    const r = root({ 'usr/bin/app': 0o755 });
    const plan = await planChroot(system, r, { command: ['app', '--serve'], env: { APP_MODE: 'x' } });
    expect(plan.argv.slice(1)).toEqual([r, '/usr/bin/app', '--serve']);
    expect(plan.file).toMatch(/\/chroot$/);
    expect(plan.env).toEqual({ PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', HOME: '/', TERM: 'vt100', APP_MODE: 'x' });
  });

  it('prefers the command given on the command line over the entry point\'s', async () => {
    const r = root({ 'usr/bin/app': 0o755, 'bin/other': 0o755 });
    const plan = await planChroot(system, r, { command: ['/usr/bin/app'] }, ['/bin/other', '-x']);
    expect(plan.argv.slice(2)).toEqual(['/bin/other', '-x']);
  });

  it('goes through /bin/sh in the image to honour workdir', async () => {
    const r = root({ 'usr/bin/app': 0o755, 'bin/sh': 0o755 });
    const plan = await planChroot(system, r, { command: ['/usr/bin/app'], workdir: '/srv' });
    expect(plan.argv.slice(2)).toEqual(['/bin/sh', '-c', 'cd "$1" && shift && exec "$@"', 'sh', '/srv', '/usr/bin/app']);
  });

  it('with root "/" execs the command directly and leaves the change to workdir to the exec, not the plan', async () => {
    const before = process.cwd();
    const plan = await planChroot(system, '/', { command: ['sh', '-c', 'true'], workdir: '/tmp' });
    expect(plan.argv).toEqual([plan.file, '-c', 'true']);
    expect(plan.file).toMatch(/\/sh$/);
    expect(plan.cwd).toBe('/tmp');
    expect(process.cwd()).toBe(before);
  });

  it('refuses a command that is missing or not executable, and a missing entry point', async () => {
    const r = root({ 'usr/bin/data': 0o644 });
    await expect(planChroot(system, r, { command: ['/usr/bin/app'] })).rejects.toThrow(/\/usr\/bin\/app is not an executable in the image/);
    await expect(planChroot(system, r, { command: ['/usr/bin/data'] })).rejects.toThrow(/not an executable/);
    await expect(planChroot(system, r, undefined)).rejects.toMatchObject({ code: 'E_ENTRYPOINT_MISSING' });
  });
});

describe('planInstall', () => {
  const base = { binary: '/tmp/agent', files: BOOT_FILES };

  it('installs the hook\'s files and, in a systemd image, the units enabled in sysinit.target.wants', () => {
    const paths = planInstall({ ...base, hook: 'initramfs-tools', hasSystemd: true }).map((a) => a.path);
    expect(paths).toEqual([
      '/usr/lib/cloudlet/cloudlet-agent',
      '/usr/sbin/cloudlet-agent',
      '/.cloudlet/storage',
      '/usr/share/initramfs-tools/hooks/cloudlet-agent',
      '/usr/share/initramfs-tools/scripts/local-bottom/cloudlet-agent',
      '/usr/lib/systemd/system/cloudlet-agent.service',
      '/usr/lib/systemd/system/cloudlet-agent-ready.target',
      '/etc/systemd/system/sysinit.target.wants/cloudlet-agent.service',
    ]);
  });

  it('with no hook (the agent starts as init=) installs the executable and its link, and the units only where systemd is', () => {
    const bare = planInstall({ ...base, hook: undefined, hasSystemd: false }).map((a) => a.path);
    expect(bare).toEqual(['/usr/lib/cloudlet/cloudlet-agent', '/usr/sbin/cloudlet-agent', '/.cloudlet/storage']);
    const withSystemd = planInstall({ ...base, hook: undefined, hasSystemd: true }).map((a) => a.path);
    expect(withSystemd).toContain('/usr/lib/systemd/system/cloudlet-agent.service');
    expect(withSystemd.some((p) => p.includes('initramfs') || p.includes('dracut'))).toBe(false);
  });

  it('installs no units in an image without systemd unless asked', () => {
    const paths = planInstall({ ...base, hook: 'dracut', hasSystemd: false }).map((a) => a.path);
    expect(paths.some((p) => p.includes('systemd'))).toBe(false);
    expect(paths).toContain('/usr/lib/dracut/modules.d/90cloudlet-agent/module-setup.sh');
  });

  it('embeds the unit the [Install] section of which names sysinit.target', () => {
    const unit = BOOT_FILES.systemd.find((f) => f.path.endsWith('cloudlet-agent.service'));
    expect(unit?.text).toMatch(/^WantedBy=sysinit\.target$/m);
    expect(unit?.text).toMatch(/^ConditionPathExists=!\/run\/cloudlet\/status\.json$/m);
  });

  it('embeds every file of initramfs/ and systemd/, as it is in the repository, where the .deb installs it too', () => {
    const repo = resolve(__dirname, '..', '..', '..');
    const files = (dir: string): string[] =>
      readdirSync(join(repo, dir), { withFileTypes: true, recursive: true })
        .filter((e) => e.isFile())
        .map((e) => relative(repo, join(e.parentPath, e.name)));
    const installedAt = (file: string): string =>
      file
        .replace(/^initramfs\/initramfs-tools\//, '/usr/share/initramfs-tools/')
        .replace(/^initramfs\/dracut\//, '/usr/lib/dracut/modules.d/')
        .replace(/^systemd\//, '/usr/lib/systemd/system/');
    const embedded = new Map(Object.values(BOOT_FILES).flat().map((f) => [f.path, f.text]));
    const shipped = [...files('initramfs'), ...files('systemd')];
    expect(shipped.length).toBeGreaterThan(0);
    for (const file of shipped) expect(embedded.get(installedAt(file)), file).toBe(readFileSync(join(repo, file), 'utf8'));
    expect(embedded.size).toBe(shipped.length);
  });
});
