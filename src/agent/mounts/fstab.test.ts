// Proves what an fstab says of the root, and when a read-only root is the early boot's (made writable for the run) or the image's choice.

import { describe, expect, it } from 'vitest';
import { fstabRootOptions, rootReadOnlyForNow } from './fstab';

describe('fstabRootOptions', () => {
  it('reads the options of the entry for "/", past comments, blank lines and other entries', () => {
    const fstab = [
      '# <file system> <mount point> <type> <options> <dump> <pass>',
      '',
      'UUID=1b2c / ext4 errors=remount-ro,noatime 0 1',
      'LABEL=boot\t/boot\text4\tdefaults\t0\t2',
      '/dev/vdb /var/lib/app ext4 ro 0 2',
    ].join('\n');
    expect(fstabRootOptions(fstab)).toEqual(['errors=remount-ro', 'noatime']);
  });

  it('takes "defaults" for an entry without options, the last entry for "/" when there are two, and undefined without one', () => {
    expect(fstabRootOptions('/dev/vda /')).toEqual(['defaults']);
    expect(fstabRootOptions('/dev/vda / ext4 rw 0 1\n/dev/vda / ext4 ro 0 1\n')).toEqual(['ro']);
    expect(fstabRootOptions('/dev/vdb /srv ext4 defaults 0 2\n# /dev/vda / ext4 defaults 0 1\n')).toBeUndefined();
    expect(fstabRootOptions('')).toBeUndefined();
  });
});

describe('rootReadOnlyForNow', () => {
  it('is true only for a read-only root mount whose fstab mounts "/" without ro', () => {
    expect(rootReadOnlyForNow({ readOnly: true, fstabOptions: ['errors=remount-ro'] })).toBe(true);
    expect(rootReadOnlyForNow({ readOnly: true, fstabOptions: ['defaults'] })).toBe(true);
    // Read-only on purpose: fstab says so, or names no "/" (the kernel's "ro" is then final).
    expect(rootReadOnlyForNow({ readOnly: true, fstabOptions: ['ro', 'noatime'] })).toBe(false);
    expect(rootReadOnlyForNow({ readOnly: true })).toBe(false);
    expect(rootReadOnlyForNow({ readOnly: false, fstabOptions: ['defaults'] })).toBe(false);
    expect(rootReadOnlyForNow(undefined)).toBe(false);
  });
});
