// Pure plan of `install`: which files, links and directories bake the agent into an image tree.

import type { BootFile, Hook } from './boot-files';

export const AGENT_PATH = '/usr/lib/cloudlet/cloudlet-agent';
export const AGENT_LINK = '/usr/sbin/cloudlet-agent';

export type InstallAction =
  | { kind: 'binary'; from: string; path: string }
  | { kind: 'file'; path: string; text: string; mode: number }
  | { kind: 'symlink'; path: string; target: string }
  | { kind: 'dir'; path: string; mode: number };

export interface InstallInput {
  binary: string;
  /** the boot hook to install; undefined installs none (the agent starts as init=, or a hook already in the image) */
  hook: Hook | undefined;
  files: Readonly<Record<Hook, readonly BootFile[]>>;
  /** the image has systemd: its units are installed whatever the hook, so the ready target exists */
  hasSystemd: boolean;
}

export function planInstall(input: InstallInput): InstallAction[] {
  const actions: InstallAction[] = [
    { kind: 'binary', from: input.binary, path: AGENT_PATH },
    // Relative, so the link works inside the image and when the tree is looked at from the host.
    { kind: 'symlink', path: AGENT_LINK, target: '../lib/cloudlet/cloudlet-agent' },
    // The volume's mountpoint must exist in the image: on a read-only root it cannot be made at boot.
    { kind: 'dir', path: '/.cloudlet/storage', mode: 0o755 },
  ];
  const hooks: Hook[] = input.hook ? [input.hook] : [];
  if (input.hook !== 'systemd' && input.hasSystemd) hooks.push('systemd');
  for (const hook of hooks) {
    for (const f of input.files[hook]) actions.push({ kind: 'file', path: f.path, text: f.text, mode: f.mode });
  }
  if (hooks.includes('systemd')) {
    // What "systemctl enable" would do, per the unit's [Install] WantedBy=sysinit.target.
    actions.push({
      kind: 'symlink',
      path: '/etc/systemd/system/sysinit.target.wants/cloudlet-agent.service',
      target: '/usr/lib/systemd/system/cloudlet-agent.service',
    });
  }
  return actions;
}

export function describeInstall(a: InstallAction): string {
  switch (a.kind) {
    case 'binary':
      return `install ${a.from} -> ${a.path} (0755)`;
    case 'file':
      return `write ${a.path} (${a.mode.toString(8).padStart(4, '0')}, ${Buffer.byteLength(a.text)} bytes)`;
    case 'symlink':
      return `link ${a.path} -> ${a.target}`;
    case 'dir':
      return `mkdir ${a.path}`;
  }
}
