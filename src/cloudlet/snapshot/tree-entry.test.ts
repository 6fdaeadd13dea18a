// Path order: the root first, then UTF-8 byte order, so parents always precede their children.

import { describe, expect, it } from 'vitest';
import { comparePaths, parentPath } from './tree-entry';

describe('comparePaths', () => {
  it('puts the root first even before names that sort below "."', () => {
    expect(['b', '-x', '.', 'a'].sort(comparePaths)).toEqual(['.', '-x', 'a', 'b']);
  });

  it('orders by UTF-8 bytes, not UTF-16 units, and a parent before its children', () => {
    const astral = '\u{1F600}';
    const bmp = '\uFFFD';
    expect([astral, bmp].sort(comparePaths)).toEqual([bmp, astral]);
    expect(Buffer.compare(Buffer.from(bmp), Buffer.from(astral))).toBe(-1);
    expect(['a/b', 'a.b', 'a'].sort(comparePaths)).toEqual(['a', 'a.b', 'a/b']);
  });

  it('parentPath of a top-level name is the root', () => {
    expect(parentPath('etc')).toBe('.');
    expect(parentPath('etc/ssh/sshd_config')).toBe('etc/ssh');
  });
});
