import { describe, expect, it } from 'vitest';
import { normalizeManifest } from '../../manifest/normalize';
import { exampleManifest } from '../../manifest/test-fixtures';
import type { Manifest } from '../../manifest/types';
import type { NormalizedManifest } from '../../manifest/types';
import { AGENT_IMAGE_PATH, planBootEntry } from './boot-entry';

function withEntrypoints(entrypoints: NormalizedManifest['entrypoints']): NormalizedManifest {
  return { ...normalizeManifest(exampleManifest() as unknown as Manifest, new Uint8Array()), entrypoints };
}

describe('planBootEntry', () => {
  it('makes the agent init and keeps the manifest\'s own kernel arguments', () => {
    const entry = planBootEntry(withEntrypoints({ kernel: { path: '/boot/vmlinuz', initrd: '/boot/initrd.img', cmdline: 'quiet  net.ifnames=0' }, init: { path: '/sbin/init' } }), false);
    expect(entry).toEqual({ kernel: '/boot/vmlinuz', initrd: '/boot/initrd.img', cmdline: ['quiet', 'net.ifnames=0', `init=${AGENT_IMAGE_PATH}`], agentStart: 'init' });
  });

  it('leaves init alone when the image carries the agent\'s initramfs hook', () => {
    const entry = planBootEntry(withEntrypoints({ kernel: { path: '/vmlinuz' } }), true);
    expect(entry.agentStart).toBe('hook');
    expect(entry.cmdline).toEqual([]);
  });

  it('refuses an image with no kernel entry point, naming the key to add', () => {
    expect(() => planBootEntry(withEntrypoints({ init: {} }), false)).toThrow(/no kernel entry point/);
  });

  it('refuses a kernel for another architecture and accepts aliases of x86_64', () => {
    expect(() => planBootEntry(withEntrypoints({ kernel: { path: '/vmlinuz', requires: { arch: 'arm64' } }, init: {} }), false)).toThrow(/requires arch arm64/);
    expect(planBootEntry(withEntrypoints({ kernel: { path: '/vmlinuz', requires: { arch: ['arm64', 'amd64'] } }, init: {} }), false).kernel).toBe('/vmlinuz');
  });

  it('refuses init= in the manifest\'s cmdline and an image with neither init entry point nor hook', () => {
    expect(() => planBootEntry(withEntrypoints({ kernel: { path: '/vmlinuz', cmdline: 'init=/bin/sh' }, init: {} }), false)).toThrow(/sets init=/);
    expect(() => planBootEntry(withEntrypoints({ kernel: { path: '/vmlinuz' } }), false)).toThrow(/no init entry point/);
  });
});
