import { describe, expect, it } from 'vitest';
import { AgentError } from '../../errors';
import { bootTitle, kernelCmdline, loaderConfig, loaderEntry, syslinuxConfig } from './boot-config';

const UUID = '0773ce49-ebe3-55ac-a1e4-fafe9378fbe0';

function code(f: () => unknown): string | undefined {
  try {
    f();
  } catch (err) {
    return err instanceof AgentError ? err.code : 'not an AgentError';
  }
  return undefined;
}

describe('kernel command line', () => {
  it('puts root by PARTUUID, ro, rootwait and the consoles (serial last) before the caller\'s arguments', () => {
    expect(kernelCmdline(UUID, ['init=/usr/lib/cloudlet/cloudlet-agent', 'quiet'])).toBe(
      `root=PARTUUID=${UUID} ro rootwait console=tty0 console=ttyS0 init=/usr/lib/cloudlet/cloudlet-agent quiet`,
    );
  });

  it('refuses arguments that would break the config files or replace the root', () => {
    expect(code(() => kernelCmdline(UUID, ['a b']))).toBe('E_BAKE_INPUT');
    expect(code(() => kernelCmdline(UUID, ['x="y"']))).toBe('E_BAKE_INPUT');
    expect(code(() => kernelCmdline(UUID, ['x\ny']))).toBe('E_BAKE_INPUT');
    expect(code(() => kernelCmdline(UUID, ['']))).toBe('E_BAKE_INPUT');
    expect(code(() => kernelCmdline(UUID, ['root=/dev/sda1']))).toBe('E_BAKE_INPUT');
    expect(code(() => kernelCmdline(UUID, ['rootwait', 'quiet']))).toBeUndefined();
  });

  it('refuses a line longer than the kernel keeps', () => {
    expect(code(() => kernelCmdline(UUID, ['x'.repeat(2000)]))).toBe('E_BAKE_INPUT');
    expect(code(() => kernelCmdline(UUID, ['x'.repeat(1900)]))).toBeUndefined();
  });
});

describe('boot loader configuration', () => {
  it('syslinux boots the one entry at once, with the initrd only when there is one', () => {
    const cfg = syslinuxConfig('root=PARTUUID=x ro', true);
    expect(cfg.split('\n')).toEqual(expect.arrayContaining(['DEFAULT cloudlet', 'TIMEOUT 0', '  LINUX /vmlinuz', '  INITRD /initrd.img', '  APPEND root=PARTUUID=x ro']));
    expect(syslinuxConfig('ro', false)).not.toContain('INITRD');
  });

  it('systemd-boot boots the entry at once and refuses command line edits', () => {
    expect(loaderConfig().split('\n')).toEqual(expect.arrayContaining(['timeout 0', 'default cloudlet.conf', 'editor no']));
    expect(loaderEntry('hello 1.0', 'root=PARTUUID=x ro', true).split('\n')).toEqual(['title hello 1.0', 'linux /vmlinuz', 'initrd /initrd.img', 'options root=PARTUUID=x ro', '']);
    expect(loaderEntry('t', 'ro', false)).not.toContain('initrd');
  });

  it('keeps a title on one line', () => {
    expect(bootTitle('a\nb\u0007c')).toBe('a b c');
    expect(bootTitle(undefined)).toBe('Cloudlet');
    expect(bootTitle('x'.repeat(100))).toHaveLength(64);
  });
});
