// Pax records: lengths, binary values, and malformed records refused rather than guessed at.

import { describe, expect, it } from 'vitest';
import { applyPax, parsePax } from './pax';
import type { Header } from './tar-header';
import { agentErrorOf as error } from '../../test-support';

const base = (): Header => ({ name: 'n', linkname: '', typeflag: '0', mode: 0o644, uid: 0, gid: 0, size: 0, mtime: 0, devmajor: 0, devminor: 0 });

describe('parsePax', () => {
  it('reads records whose values hold newlines, "=" and binary bytes', () => {
    const value = Buffer.from([0x0a, 0x3d, 0x00, 0xff]);
    const rec = Buffer.concat([Buffer.from('28 SCHILY.xattr.user.b='), value, Buffer.from('\n')]);
    expect(rec.length).toBe(28);
    const records = parsePax(Buffer.concat([Buffer.from('12 path=a/b\n'), rec]), 'w');
    expect(records.get('path')?.toString()).toBe('a/b');
    expect([...(records.get('SCHILY.xattr.user.b') ?? [])]).toEqual([...value]);
  });

  it('refuses lengths that run past the header, missing "=" and non-numeric lengths', () => {
    expect(error(() => parsePax(Buffer.from('99 path=a\n'), 'w')).message).toContain('runs past');
    expect(error(() => parsePax(Buffer.from('8 patha\n'), 'w')).message).toContain('"="');
    expect(error(() => parsePax(Buffer.from('x9 path=a\n'), 'w')).message).toContain('length');
    expect(error(() => parsePax(Buffer.from('nolength'), 'w')).message).toContain('no length');
  });
});

describe('applyPax', () => {
  it('overrides numbers and takes fractional, negative mtimes', () => {
    const h = base();
    applyPax(h, new Map([['mtime', Buffer.from('-12.5')], ['size', Buffer.from('9000000000')], ['uid', Buffer.from('100000')]]), 'w');
    expect([h.mtime, h.size, h.uid]).toEqual([-12.5, 9_000_000_000, 100000]);
  });

  it('refuses malformed numbers and xattr names', () => {
    expect(error(() => applyPax(base(), new Map([['size', Buffer.from('12a')]]), 'w')).message).toContain('bad pax size');
    expect(error(() => applyPax(base(), new Map([['mtime', Buffer.from('soon')]]), 'w')).message).toContain('bad pax mtime');
    expect(error(() => applyPax(base(), new Map([['SCHILY.xattr.noprefix', Buffer.from('v')]]), 'w')).message).toContain('extended attribute name');
  });

  it('decodes libarchive xattrs (URL-encoded name, base64 value) unless SCHILY has the same one', () => {
    const out = applyPax(base(), new Map([['LIBARCHIVE.xattr.user.a%20b', Buffer.from(Buffer.from('val').toString('base64'))]]), 'w');
    expect(out.xattrs.get('user.a b')?.toString()).toBe('val');
  });
});
