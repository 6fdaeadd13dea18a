// The kernel command line and the boot loaders' configuration files (syslinux for BIOS, systemd-boot for UEFI), as text.

import { AgentError } from '../../errors';

/** Where the kernel and initrd go on the ESP; both boot loaders read them from there. */
export const ESP_KERNEL = '/vmlinuz';
export const ESP_INITRD = '/initrd.img';
export const ESP_SYSLINUX_DIR = '/syslinux';
export const ESP_ENTRY = '/loader/entries/cloudlet.conf';

/** x86's COMMAND_LINE_SIZE less its terminating NUL: the kernel cuts a longer line. */
const MAX_CMDLINE = 2047;
const MAX_TITLE = 64;

/**
 * Bake's own arguments, then the caller's. `rootwait`: a kernel that mounts the root itself (no initrd,
 * NVMe built in) would otherwise look before the disk has been probed; an initrd ignores it. The last
 * console= is /dev/console: the serial port, which clouds log.
 */
export function kernelCmdline(rootPartUuid: string, extra: readonly string[]): string {
  for (const arg of extra) {
    if (arg === '' || /[\s"\u0000-\u001f\u007f]/.test(arg)) {
      throw new AgentError('E_BAKE_INPUT', `kernel argument ${JSON.stringify(arg)} is empty or holds a space, a quote or a control character`, {
        where: '/entrypoints/kernel/cmdline',
        fix: 'separate arguments with spaces and leave out quotes and control characters',
      });
    }
    if (arg.startsWith('root=')) {
      throw new AgentError('E_BAKE_INPUT', `kernel argument ${arg} would replace the baked disk's root`, {
        where: '/entrypoints/kernel/cmdline',
        fix: 'remove root= from the cmdline: bake sets root=PARTUUID= of the root partition it makes',
      });
    }
  }
  const line = [`root=PARTUUID=${rootPartUuid}`, 'ro', 'rootwait', 'console=tty0', 'console=ttyS0', ...extra].join(' ');
  if (line.length > MAX_CMDLINE) {
    throw new AgentError('E_BAKE_INPUT', `the kernel command line is ${line.length} characters; the kernel keeps ${MAX_CMDLINE}`, {
      where: '/entrypoints/kernel/cmdline',
      fix: 'shorten the manifest\'s kernel cmdline',
    });
  }
  return line;
}

/** A menu title on one line, without characters the config formats would read as syntax. */
export function bootTitle(title: string | undefined): string {
  const clean = (title ?? '').replace(/[\u0000-\u001f\u007f]+/g, ' ').trim().slice(0, MAX_TITLE);
  return clean || 'Cloudlet';
}

/** BIOS: no menu, no wait; the kernel's messages on the serial port as on the screen. */
export function syslinuxConfig(cmdline: string, hasInitrd: boolean): string {
  return [
    'SERIAL 0 115200',
    'DEFAULT cloudlet',
    'PROMPT 0',
    'TIMEOUT 0',
    'LABEL cloudlet',
    `  LINUX ${ESP_KERNEL}`,
    ...(hasInitrd ? [`  INITRD ${ESP_INITRD}`] : []),
    `  APPEND ${cmdline}`,
    '',
  ].join('\n');
}

/** UEFI: boot the one entry at once; `editor no` so nobody at the console can change the command line (init=/bin/sh). */
export function loaderConfig(): string {
  return ['timeout 0', `default ${ESP_ENTRY.split('/').pop() ?? ''}`, 'editor no', ''].join('\n');
}

/** The Boot Loader Specification (type 1) entry systemd-boot reads. */
export function loaderEntry(title: string, cmdline: string, hasInitrd: boolean): string {
  return [`title ${title}`, `linux ${ESP_KERNEL}`, ...(hasInitrd ? [`initrd ${ESP_INITRD}`] : []), `options ${cmdline}`, ''].join('\n');
}
