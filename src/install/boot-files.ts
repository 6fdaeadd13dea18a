// The boot glue (initramfs hooks, dracut module, systemd units), built into the executable as text.

import initramfsHook from '../../initramfs/initramfs-tools/hooks/cloudlet-agent?raw';
import initramfsScript from '../../initramfs/initramfs-tools/scripts/local-bottom/cloudlet-agent?raw';
import dracutSetup from '../../initramfs/dracut/90cloudlet-agent/module-setup.sh?raw';
import dracutHook from '../../initramfs/dracut/90cloudlet-agent/cloudlet-agent-pre-pivot.sh?raw';
import serviceUnit from '../../systemd/cloudlet-agent.service?raw';
import readyTarget from '../../systemd/cloudlet-agent-ready.target?raw';

export type Hook = 'initramfs-tools' | 'dracut' | 'systemd';
export const HOOKS: readonly Hook[] = ['initramfs-tools', 'dracut', 'systemd'];

export interface BootFile {
  /** image path where the file is installed */
  path: string;
  text: string;
  mode: number;
}

export const BOOT_FILES: Readonly<Record<Hook, readonly BootFile[]>> = {
  'initramfs-tools': [
    { path: '/usr/share/initramfs-tools/hooks/cloudlet-agent', text: initramfsHook, mode: 0o755 },
    { path: '/usr/share/initramfs-tools/scripts/local-bottom/cloudlet-agent', text: initramfsScript, mode: 0o755 },
  ],
  dracut: [
    { path: '/usr/lib/dracut/modules.d/90cloudlet-agent/module-setup.sh', text: dracutSetup, mode: 0o755 },
    { path: '/usr/lib/dracut/modules.d/90cloudlet-agent/cloudlet-agent-pre-pivot.sh', text: dracutHook, mode: 0o755 },
  ],
  systemd: [
    { path: '/usr/lib/systemd/system/cloudlet-agent.service', text: serviceUnit, mode: 0o644 },
    { path: '/usr/lib/systemd/system/cloudlet-agent-ready.target', text: readyTarget, mode: 0o644 },
  ],
};
