// Normalised tar headers read back by the inputs' own tar reader: long and non-ASCII names, big ids, xattrs, devices.

import { describe, expect, it } from 'vitest';
import { BLOCK } from '../inputs/tar-format';
import { readAll } from '../inputs/tar-test-support';
import { memberHeader, paxRecords, type MemberHeader } from './tar-member';

const base: MemberHeader = { name: 'a', type: 'file', mode: 0o644, uid: 0, gid: 0, size: 0, mtime: 1_700_000_000, linkname: '', devmajor: 0, devminor: 0, xattrs: new Map() };

async function readBack(headers: Buffer[]) {
  return readAll(Buffer.concat([...headers, Buffer.alloc(2 * BLOCK)]));
}

describe('memberHeader', () => {
  it('is one plain ustar block with empty owner names when everything fits', () => {
    const h = memberHeader({ ...base, name: 'etc/hosts', uid: 1000, gid: 100 });
    expect(h.length).toBe(BLOCK);
    expect(h.subarray(257, 265).toString('latin1')).toBe('ustar\u000000');
    expect(h.subarray(265, 329).every((b) => b === 0)).toBe(true);
  });

  it('moves long and non-ASCII names, large ids and xattrs to a pax header the reader understands', async () => {
    const long = `${'d/'.repeat(80)}f`;
    const xattrs = new Map([['security.capability', Buffer.from([1, 0, 0, 2])], ['user.empty', Buffer.alloc(0)]]);
    const members = await readBack([
      memberHeader({ ...base, name: long, uid: 3_000_000, gid: 2_097_152, xattrs }),
      memberHeader({ ...base, name: 'caf\u00e9', type: 'symlink', linkname: `${'x'.repeat(120)}\u00e9` }),
      memberHeader({ ...base, name: 'dev/big', type: 'block', devmajor: 259, devminor: 3_000_000 }),
    ]);
    const [a, b, c] = members.map((m) => m.entry);
    expect([a?.path, a?.uid, a?.gid]).toEqual([long, 3_000_000, 2_097_152]);
    expect(a?.xattrs).toEqual(xattrs);
    expect([b?.path, b?.type, b?.linkname]).toEqual(['caf\u00e9', 'symlink', `${'x'.repeat(120)}\u00e9`]);
    expect([c?.type, c?.devmajor, c?.devminor]).toEqual(['block', 259, 3_000_000]);
  });

  it('gives the same bytes for the same member, whatever order its xattrs came in', () => {
    const one = memberHeader({ ...base, xattrs: new Map([['user.a', Buffer.from('1')], ['user.b', Buffer.from('2')]]) });
    const two = memberHeader({ ...base, xattrs: new Map([['user.b', Buffer.from('2')], ['user.a', Buffer.from('1')]]) });
    expect(one.equals(two)).toBe(true);
  });

  it('keeps only permission bits of the mode, setuid included', async () => {
    const [m] = await readBack([memberHeader({ ...base, mode: 0o104755 })]);
    expect(m?.entry.mode).toBe(0o4755);
  });
});

describe('paxRecords', () => {
  it('counts each record\'s own length digits, also where adding them adds a digit', () => {
    for (const n of [0, 1, 80, 89, 90, 91, 992, 993, 994, 995]) {
      const rec = paxRecords(new Map([['path', Buffer.from('p'.repeat(n))]])).toString();
      expect(Number(rec.slice(0, rec.indexOf(' ')))).toBe(rec.length);
    }
  });
});
