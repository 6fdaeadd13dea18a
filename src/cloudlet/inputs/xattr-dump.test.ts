// The getfattr/setfattr dump text: odd file names survive the round trip, values are exact bytes.

import { describe, expect, it } from 'vitest';
import { escapeDumpText, parseDump, restoreDump, unescapeDumpText } from './xattr-dump';

describe('xattr dump', () => {
  it('escapes everything but printable ASCII, and reads it back', () => {
    const name = '/s/a b\\c\nd=é"';
    expect(escapeDumpText(name)).toBe('/s/a\\040b\\134c\\012d=\\303\\251"');
    expect(unescapeDumpText(escapeDumpText(name))).toBe(name);
  });

  it('writes one block per file, names sorted, values in hex (empty ones quoted)', () => {
    const dump = restoreDump([['/s/f', new Map([['user.z', Buffer.from('1')], ['security.capability', Buffer.from([1, 0])], ['user.e', Buffer.alloc(0)]])]]);
    expect(dump).toBe('# file: /s/f\nsecurity.capability=0x0100\nuser.e=""\nuser.z=0x31\n\n');
  });

  it('parses what getfattr --dump -e hex prints', () => {
    const files = parseDump('# file: /s/nl\\012x\nuser.q=0x31\nuser.empty=0x\n\n# file: /s/b\ntrusted.t=0s/w==\n');
    expect([...files.keys()]).toEqual(['/s/nl\nx', '/s/b']);
    expect(files.get('/s/nl\nx')?.get('user.q')?.toString()).toBe('1');
    expect(files.get('/s/nl\nx')?.get('user.empty')?.length).toBe(0);
    expect([...(files.get('/s/b')?.get('trusted.t') ?? [])]).toEqual([0xff]);
  });
});
