import { describe, expect, it } from 'vitest';
import { ext4TimesScript, usedInodes } from './ext4-times';

const DUMP = `Filesystem volume name:   root
Inode count:              48
Block count:              4096

Group 0: (Blocks 0-32767) csum 0x1234 [ITABLE_ZEROED]
  Free inodes: 15-16, 20-24
Group 1: (Blocks 32768-65535) csum 0x1234 [INODE_UNINIT, ITABLE_ZEROED]
  Free inodes: 25-48
`;

describe('ext4 times', () => {
  it('reads the inodes in use from dumpe2fs\' free ranges', () => {
    expect(usedInodes(DUMP)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 17, 18, 19]);
    expect(usedInodes('Inode count: 4\n  Free inodes: \n')).toEqual([1, 2, 3, 4]);
  });

  it('fails clearly when dumpe2fs said nothing usable', () => {
    expect(() => usedInodes('garbage')).toThrow(/inode count/);
  });

  it('sets atime and ctime of every copied inode, and the staged root\'s mode, owner and mtime on inode 2', () => {
    const script = ext4TimesScript([2, 11, 12, 17], 1700000000, { mode: 0o40750, uid: 0, gid: 5, mtime: 1600000000 }).trim().split('\n');
    expect(script).toEqual([
      'sif <2> mode 040750',
      'sif <2> uid 0',
      'sif <2> gid 5',
      'sif <2> mtime @1600000000',
      'sif <12> atime @1700000000',
      'sif <12> ctime @1700000000',
      'sif <17> atime @1700000000',
      'sif <17> ctime @1700000000',
    ]);
  });
});
