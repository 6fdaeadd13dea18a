// The listings cache format: what is written reads back the same, and anything else is refused (then rebuilt).

import { describe, expect, it } from 'vitest';
import { parseEntries, serialiseEntries } from './entries-cache';
import { dir, entry } from './test-entries';

describe('entries cache', () => {
  it('reads back exactly what it wrote, xattr bytes included', () => {
    const entries = [dir('.'), entry('a\nb', { xattrs: new Map([['user.x', Buffer.from([0, 255])]]), uid: 7 }), entry('n', { type: 'char', devmajor: 1, devminor: 3 })];
    expect(parseEntries(serialiseEntries(entries))).toEqual(entries);
  });

  it('refuses a truncated file, a wrong header, a bad type or a bad number', () => {
    const good = serialiseEntries([dir('.'), entry('a')]);
    expect(() => parseEntries(good.slice(0, -3))).toThrow();
    expect(() => parseEntries(good.replace('cloudlet-entries 1', 'cloudlet-entries 2'))).toThrow();
    expect(() => parseEntries(good.replace('"file"', '"socket"'))).toThrow();
    expect(() => parseEntries(good.replace(',420,', ',4.5,'))).toThrow();
  });
});
