// The listing format: one line per path whatever its name, every kept attribute, no mtime.

import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { listingText } from './listing';
import { dir, entry } from './test-entries';

describe('listingText', () => {
  it('writes type, mode, owner, size, sha256 and link target, "-" where a type has none', () => {
    const text = listingText([dir('.'), entry('etc/passwd', { content: 'root\n', uid: 0, gid: 42, mode: 0o640 }), entry('bin', { type: 'symlink', linkname: 'usr/bin', mode: 0o777 })]);
    const sha = createHash('sha256').update('root\n').digest('hex');
    expect(text).toBe(`"." dir 0755 0:0 0 - -\n"etc/passwd" file 0640 0:42 5 ${sha} -\n"bin" symlink 0777 0:0 0 - "usr/bin"\n`);
  });

  it('keeps a name with a newline, quote or backslash on one line', () => {
    const text = listingText([entry('we\nird "na\\me"', { content: '' })]);
    expect(text.split('\n')).toHaveLength(2);
    expect(JSON.parse(text.slice(0, text.indexOf(' file')))).toBe('we\nird "na\\me"');
  });

  it('adds xattrs by name with the sha256 of the value, sorted, and device numbers', () => {
    const value = Buffer.from([0, 1, 2]);
    const line = listingText([entry('dev/null', { type: 'char', devmajor: 1, devminor: 3, mode: 0o666, xattrs: new Map([['user.b', Buffer.alloc(0)], ['security.a', value]]) })]);
    const h = (b: Buffer) => createHash('sha256').update(b).digest('hex');
    expect(line).toBe(`"dev/null" char 0666 0:0 0 - - xattr="security.a":${h(value)} xattr="user.b":${h(Buffer.alloc(0))} dev=1,3\n`);
  });

  it('does not show mtimes: the same tree touched later lists the same', () => {
    expect(listingText([entry('a', { mtime: 1 })])).toBe(listingText([entry('a', { mtime: 2 })]));
  });
});
