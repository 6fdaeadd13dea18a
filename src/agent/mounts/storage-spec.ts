// Merges the storage spec of the manifest, the user data and the kernel command line (later wins).

import { kernelParam, parseKernelCmdline } from '../../readers/kernel-cmdline';
import { AgentError } from '../../errors';
import type { StorageSpec } from '../../manifest/types';
import type { EffectiveStorage } from './types';

const DEVICE_FORMS = /^(LABEL=.+|UUID=[0-9A-Fa-f-]+|\/dev\/[A-Za-z0-9._/-]+)$/;

/** The last `cloudlet.storage=` value on the kernel command line. */
function cmdlineStorage(cmdline: string | undefined): string | undefined {
  return kernelParam(parseKernelCmdline(cmdline ?? ''), 'cloudlet.storage');
}

/**
 * The storage the agent uses this boot, or undefined when none is declared anywhere. The kernel
 * command line names only the device: it is the operator's per-boot override, e.g. to attach a
 * different disk; format rules still come from the manifest and user data.
 */
export function effectiveStorage(
  manifest: StorageSpec | undefined,
  user: Partial<StorageSpec> | undefined,
  cmdline: string | undefined,
): EffectiveStorage | undefined {
  const fromCmdline = cmdlineStorage(cmdline);
  const device = fromCmdline ?? user?.device ?? manifest?.device;
  if (device === undefined) return undefined;
  const from = fromCmdline !== undefined ? 'cmdline' : user?.device !== undefined ? 'user-data' : 'manifest';
  if (!DEVICE_FORMS.test(device) || device.split('/').includes('..')) {
    throw new AgentError('E_STORAGE', `storage device "${device}" is not LABEL=..., UUID=... or a /dev/ path`, {
      where: from === 'cmdline' ? 'kernel command line cloudlet.storage=' : from === 'user-data' ? 'user data storage.device' : 'manifest storage.device',
      fix: 'name the volume as LABEL=cloudlet-data, UUID=<uuid> or /dev/vdb',
    });
  }
  const fstype = user?.fstype ?? manifest?.fstype;
  const options = user?.options ?? manifest?.options;
  // A disk named by path for its first boot still gets the label or UUID the other layers use, so
  // later boots find it by LABEL=/UUID= without the override.
  const identity = [device, user?.device, manifest?.device].map((d) => (d ? identityOf(d) : {})).find((i) => i.label ?? i.uuid) ?? {};
  return {
    device,
    identity,
    format: user?.format ?? manifest?.format ?? 'never',
    from,
    ...(fstype ? { fstype } : {}),
    ...(options ? { options } : {}),
  };
}

/** Label or UUID to give a new filesystem so the spec finds it on the next boot. */
function identityOf(device: string): { label?: string; uuid?: string } {
  if (device.startsWith('LABEL=')) return { label: device.slice('LABEL='.length) };
  if (device.startsWith('UUID=')) return { uuid: device.slice('UUID='.length) };
  return {};
}
