// Unit tests of the mountinfo parser: escapes, optional fields, topmost mount wins.

import { describe, expect, it } from 'vitest';
import { mountEntryAt, mountedAt, parseMountinfo } from './mountinfo';

const TEXT = [
  '22 1 254:1 / / rw,relatime shared:1 - ext4 /dev/vda1 rw',
  '40 22 0:35 / /tmp rw,nosuid shared:20 - tmpfs tmpfs rw,size=65536k',
  '41 22 254:16 / /.cloudlet/storage rw,relatime - ext4 /dev/vdb rw',
  '42 22 254:16 /var/lib/my\\040app /var/lib/my\\040app rw,relatime - ext4 /dev/vdb rw',
  '43 40 0:36 / /tmp rw master:3 - tmpfs tmpfs rw,size=1024k',
  '',
].join('\n');

describe('parseMountinfo', () => {
  it('reads mount points, roots and types, skipping optional fields and decoding octal escapes', () => {
    const entries = parseMountinfo(TEXT);
    expect(entries).toHaveLength(5);
    expect(entries[3]).toEqual({ majorMinor: '254:16', fsRoot: '/var/lib/my app', mountPoint: '/var/lib/my app', fstype: 'ext4', source: '/dev/vdb', readOnly: false });
  });

  it('tells a read-only mount by its own options, not by the superblock\'s', () => {
    const entries = parseMountinfo([
      '22 1 254:1 / / ro,relatime shared:1 - ext4 /dev/vda1 rw,errors=remount-ro',
      '30 22 254:1 /srv /srv rw,noatime - ext4 /dev/vda1 ro',
      '31 22 0:40 / /mnt/ro-ish rw,nosuid,errors=ro - tmpfs tmpfs rw',
    ].join('\n'));
    expect(entries.map((e) => [e.mountPoint, e.readOnly])).toEqual([['/', true], ['/srv', false], ['/mnt/ro-ish', false]]);
  });

  it('returns the topmost mount at a path', () => {
    expect(mountedAt(parseMountinfo(TEXT), '/tmp')).toEqual({ fstype: 'tmpfs', majorMinor: '0:36', fsRoot: '/' });
    expect(mountedAt(parseMountinfo(TEXT), '/var')).toBeUndefined();
    expect(mountEntryAt(parseMountinfo(TEXT), '/tmp')?.source).toBe('tmpfs');
  });
});
