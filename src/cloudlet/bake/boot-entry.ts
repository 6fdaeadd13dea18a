// What the baked disk boots: the manifest's kernel entry point, checked against the image and the target arch.

import { AgentError } from '../../errors';
import { canonicalArch } from '../../manifest/requirement-names';
import type { NormalizedManifest } from '../../manifest/types';

/** Where bake puts the agent inside the image; the same place `cloudlet-agent install` uses. */
export const AGENT_IMAGE_PATH = '/usr/lib/cloudlet/cloudlet-agent';

export interface BootEntry {
  /** image paths of the kernel and initrd */
  kernel: string;
  initrd?: string;
  /** the kernel command line bake adds after root= and the consoles */
  cmdline: string[];
  /** how the agent starts: as init= (it then execs the image's init), or from a hook already in the image's initramfs */
  agentStart: 'init' | 'hook';
}

/** Bake targets boot x86_64 firmware (SeaBIOS and OVMF); a kernel for another arch cannot boot there. */
export const BAKE_ARCH = 'x86_64';

/**
 * The boot entry of a manifest, pure: `hasHook` says whether the image carries the agent's initramfs
 * hook (then the agent runs from the initramfs and is not made init).
 */
export function planBootEntry(manifest: NormalizedManifest, hasHook: boolean): BootEntry {
  const kernel = manifest.entrypoints.kernel;
  if (!kernel) {
    throw new AgentError('E_BAKE_INPUT', `image ${manifest.name} has no kernel entry point, so there is nothing to boot`, {
      where: '/entrypoints/kernel',
      fix: 'add "kernel": { "path": "/boot/vmlinuz", "initrd": "/boot/initrd.img" } to the manifest\'s entrypoints',
    });
  }
  const wanted = kernel.requires?.arch;
  if (wanted !== undefined) {
    const list = Array.isArray(wanted) ? wanted : [wanted];
    if (!list.some((a) => canonicalArch(a) === BAKE_ARCH)) {
      throw new AgentError('E_BAKE_INPUT', `the kernel entry point requires arch ${list.join(' or ')}, but bake makes ${BAKE_ARCH} disks`, {
        where: '/entrypoints/kernel/requires/arch',
        fix: `bake an image whose kernel is built for ${BAKE_ARCH}`,
      });
    }
  }
  if (!hasHook && !manifest.entrypoints.init) {
    throw new AgentError('E_BAKE_INPUT', `image ${manifest.name} has no init entry point, so the agent has nothing to hand over to at boot`, {
      where: '/entrypoints/init',
      fix: 'add "init": { "path": "/sbin/init" } to the manifest\'s entrypoints, or install the agent\'s initramfs hook in the image (cloudlet-agent install --hook initramfs-tools)',
    });
  }
  const extra = (kernel.cmdline ?? '').split(/\s+/).filter(Boolean);
  const agentStart = hasHook ? 'hook' : 'init';
  if (agentStart === 'init' && extra.some((a) => a.startsWith('init='))) {
    throw new AgentError('E_BAKE_INPUT', 'the kernel entry point\'s cmdline sets init=, but bake starts the agent as init', {
      where: '/entrypoints/kernel/cmdline',
      fix: 'remove init= from the cmdline and name the real init in "entrypoints": { "init": { "path": ... } }; the agent execs it',
    });
  }
  return {
    kernel: kernel.path,
    ...(kernel.initrd ? { initrd: kernel.initrd } : {}),
    cmdline: agentStart === 'init' ? [...extra, `init=${AGENT_IMAGE_PATH}`] : extra,
    agentStart,
  };
}
