// `cloudlet-agent install`: bakes the executable, a boot hook and the systemd units into an image tree.

import { isSea } from 'node:sea';
import { AgentError, EXIT } from '../../errors';
import { applyInstallAction } from '../../install/apply';
import { BOOT_FILES, HOOKS, type Hook } from '../../install/boot-files';
import { describeInstall, planInstall } from '../../install/install-plan';
import { kindOf } from '../mounts/probe';
import { joinRoot } from '../../system/root-path';
import type { Command } from './command';
import { boolFlag, printJson, stringFlag } from './command';

export const installCommand: Command = {
  name: 'install',
  usage: '--root DIR [--hook initramfs-tools|dracut|systemd] [--binary FILE] [--dry-run] [--json]',
  details: [
    '--root DIR      the image tree to install into (required)',
    '--hook H        how the agent runs at boot: initramfs-tools, dracut or systemd (default systemd);',
    '                the systemd units are installed too whenever the image has systemd',
    '--binary FILE   the executable to install (default: this executable)',
    '--dry-run       print what would be installed and change nothing',
    '--json          the actions as JSON',
    'Afterwards rebuild the image\'s initramfs (update-initramfs -u, or dracut -f) for the initramfs hooks.',
  ],
  examples: [
    'cloudlet-agent install --root /srv/images/debian --hook initramfs-tools',
    'cloudlet-agent install --root ./rootfs --hook systemd --dry-run',
  ],
  flags: { root: { type: 'string' }, hook: { type: 'string' }, binary: { type: 'string' }, 'dry-run': { type: 'boolean' }, json: { type: 'boolean' } },
  async run(args, system) {
    const root = stringFlag(args, 'root');
    if (!root) throw new AgentError('E_USAGE', 'install needs --root DIR', { fix: 'cloudlet-agent install --root /path/to/image' });
    if ((await kindOf(root)) !== 'dir') throw new AgentError('E_USAGE', `--root ${root} is not a directory`, { where: root, fix: 'point --root at an unpacked image tree' });
    const hook = (stringFlag(args, 'hook') ?? 'systemd') as Hook;
    if (!HOOKS.includes(hook)) throw new AgentError('E_USAGE', `unknown hook "${hook}"`, { fix: `use --hook ${HOOKS.join(', ')}` });
    const binary = stringFlag(args, 'binary') ?? (isSea() ? process.execPath : undefined);
    if (!binary) {
      throw new AgentError('E_USAGE', 'this is not the single executable, so there is nothing to copy', {
        fix: 'pass --binary dist/cloudlet-agent',
      });
    }
    if ((await kindOf(binary)) !== 'file') {
      throw new AgentError('E_USAGE', `--binary ${binary} is not a file`, { where: binary, fix: 'build it first (npm run build), or pass --binary dist/cloudlet-agent' });
    }
    const hasSystemd = (await kindOf(await joinRoot(root, '/usr/lib/systemd/systemd'))) === 'file' || (await kindOf(await joinRoot(root, '/lib/systemd/systemd'))) === 'file';
    const actions = planInstall({ binary, hook, files: BOOT_FILES, hasSystemd });

    if (boolFlag(args, 'dry-run')) {
      if (boolFlag(args, 'json')) printJson(system, { dryRun: true, actions: actions.map((a) => (a.kind === 'file' ? { ...a, text: undefined } : a)) });
      else for (const a of actions) system.out(describeInstall(a));
      return EXIT.ok;
    }
    for (const a of actions) await applyInstallAction(root, a);
    if (boolFlag(args, 'json')) printJson(system, { ok: true, installed: actions.map((a) => a.path) });
    else {
      for (const a of actions) system.out(describeInstall(a));
      if (hook !== 'systemd') system.out(`now rebuild the image's initramfs (${hook === 'dracut' ? 'dracut -f' : 'update-initramfs -u'} inside it)`);
    }
    return EXIT.ok;
  },
};
