// Blackbox: `install` bakes the executable, the boot hook and the systemd units into an image tree.

import { existsSync, lstatSync, readFileSync, readlinkSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { agentCommand, REPO, runAgent, tempDir, writeTree } from './harness';

const cleanups: Array<() => void> = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()?.();
});

function tree(withSystemd = false): string {
  const { dir, cleanup } = tempDir('cloudlet-install-');
  cleanups.push(cleanup);
  if (withSystemd) writeTree(dir, { '/usr/lib/systemd/systemd': { content: '', mode: 0o755 } });
  return dir;
}

/** The file the agent installs: itself when it is the single executable, else the bundle it runs. */
function binary(): string {
  const cmd = agentCommand();
  return cmd.length === 1 ? (cmd[0] as string) : join(REPO, cmd[cmd.length - 1] as string);
}

const mode = (p: string) => (statSync(p).mode & 0o7777).toString(8);
const repoText = (p: string) => readFileSync(join(REPO, p), 'utf8');

describe('install', () => {
  it('installs the executable, its link, the initramfs-tools hook and script as in the repository', () => {
    const root = tree();
    const r = runAgent(['install', '--root', root, '--hook', 'initramfs-tools', '--binary', binary()], { namespace: false });
    expect(r.code, r.stderr).toBe(0);
    const agent = join(root, 'usr/lib/cloudlet/cloudlet-agent');
    expect(readFileSync(agent).equals(readFileSync(binary()))).toBe(true);
    expect(mode(agent)).toBe('755');
    expect(readlinkSync(join(root, 'usr/sbin/cloudlet-agent'))).toBe('../lib/cloudlet/cloudlet-agent');
    expect(readFileSync(join(root, 'usr/share/initramfs-tools/hooks/cloudlet-agent'), 'utf8')).toBe(repoText('initramfs/initramfs-tools/hooks/cloudlet-agent'));
    const script = join(root, 'usr/share/initramfs-tools/scripts/local-bottom/cloudlet-agent');
    expect(readFileSync(script, 'utf8')).toBe(repoText('initramfs/initramfs-tools/scripts/local-bottom/cloudlet-agent'));
    expect(mode(script)).toBe('755');
    expect(statSync(join(root, '.cloudlet/storage')).isDirectory()).toBe(true);
    // No systemd in this tree: no units.
    expect(existsSync(join(root, 'usr/lib/systemd/system/cloudlet-agent.service'))).toBe(false);
    expect(r.stdout).toContain('update-initramfs -u');
  });

  it('installs and enables the systemd units (as systemctl enable would) when the image has systemd', () => {
    const root = tree(true);
    const r = runAgent(['install', '--root', root, '--hook', 'dracut', '--binary', binary()], { namespace: false });
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(join(root, 'usr/lib/dracut/modules.d/90cloudlet-agent/module-setup.sh'), 'utf8')).toBe(repoText('initramfs/dracut/90cloudlet-agent/module-setup.sh'));
    expect(readFileSync(join(root, 'usr/lib/systemd/system/cloudlet-agent.service'), 'utf8')).toBe(repoText('systemd/cloudlet-agent.service'));
    expect(mode(join(root, 'usr/lib/systemd/system/cloudlet-agent-ready.target'))).toBe('644');
    const wants = join(root, 'etc/systemd/system/sysinit.target.wants/cloudlet-agent.service');
    expect(readlinkSync(wants)).toBe('/usr/lib/systemd/system/cloudlet-agent.service');
  });

  it('changes nothing with --dry-run, and a second install leaves the same tree', () => {
    const root = tree(true);
    const dry = runAgent(['install', '--root', root, '--binary', binary(), '--dry-run'], { namespace: false });
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toContain('write /usr/lib/systemd/system/cloudlet-agent.service');
    expect(existsSync(join(root, 'usr/lib/cloudlet'))).toBe(false);
    for (let i = 0; i < 2; i++) expect(runAgent(['install', '--root', root, '--binary', binary()], { namespace: false }).code).toBe(0);
    expect(lstatSync(join(root, 'usr/sbin/cloudlet-agent')).isSymbolicLink()).toBe(true);
    expect(existsSync(join(root, 'usr/lib/cloudlet/cloudlet-agent.cloudlet-new'))).toBe(false);
  });

  it('copies itself when it is the single executable, and says what to pass when it is not', () => {
    const root = tree();
    const r = runAgent(['install', '--root', root], { namespace: false });
    if (agentCommand().length === 1) {
      expect(r.code, r.stderr).toBe(0);
      expect(readFileSync(join(root, 'usr/lib/cloudlet/cloudlet-agent')).equals(readFileSync(binary()))).toBe(true);
    } else {
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('pass --binary');
    }
  });

  it('refuses an unknown hook and a missing --root', () => {
    expect(runAgent(['install', '--root', tree(), '--hook', 'grub', '--binary', binary()], { namespace: false }).stderr).toContain('unknown hook "grub"');
    expect(runAgent(['install'], { namespace: false }).code).toBe(2);
  });
});
