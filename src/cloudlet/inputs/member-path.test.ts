// Member names and symlink targets: what stays inside the image, and the clear refusals for what would not.

import { describe, expect, it } from 'vitest';
import { checkSymlinkTarget, memberComponents } from './member-path';
import type { TarEntry } from './tar-entry';
import { agentErrorOf as error } from '../../test-support';

const link = (path: string, linkname: string): TarEntry => ({ path, type: 'symlink', mode: 0o777, uid: 0, gid: 0, mtime: 0, size: 0, linkname, devmajor: 0, devminor: 0, xattrs: new Map() });

describe('memberComponents', () => {
  it('drops "./", empty and "." components', () => {
    expect(memberComponents('./etc/hosts', 'a.tar')).toEqual(['etc', 'hosts']);
    expect(memberComponents('etc//x/./y/', 'a.tar')).toEqual(['etc', 'x', 'y']);
    expect(memberComponents('./', 'a.tar')).toEqual([]);
    expect(memberComponents('.', 'a.tar')).toEqual([]);
  });

  it('refuses absolute names and any "..", naming the member and the archive', () => {
    for (const name of ['/etc/x', '../x', 'a/../../x', 'a/..', './..']) {
      const err = error(() => memberComponents(name, 'image.tar'));
      expect(err.code).toBe('E_PATH_ESCAPE');
      expect(err.message).toContain(`"${name}"`);
      expect(err.message).toContain('image.tar');
      expect(err.where).toBe(`image.tar: member ${JSON.stringify(name)}`);
    }
  });

  it('refuses a name with ".." even when it would end up inside', () => {
    expect(error(() => memberComponents('a/b/../c', 't')).code).toBe('E_PATH_ESCAPE');
  });

  it('refuses empty names, NUL bytes and components longer than NAME_MAX', () => {
    expect(error(() => memberComponents('', 't')).code).toBe('E_BAKE_INPUT');
    expect(error(() => memberComponents('a\0b', 't')).code).toBe('E_BAKE_INPUT');
    expect(error(() => memberComponents(`a/${'x'.repeat(256)}`, 't')).message).toContain('longer than 255');
  });
});

describe('checkSymlinkTarget', () => {
  it('accepts absolute targets and relative ones that stay inside', () => {
    expect(() => checkSymlinkTarget(['etc', 'localtime'], link('etc/localtime', '/usr/share/zoneinfo/UTC'), 't')).not.toThrow();
    expect(() => checkSymlinkTarget(['lib'], link('lib', 'usr/lib'), 't')).not.toThrow();
    expect(() => checkSymlinkTarget(['a', 'b', 'l'], link('a/b/l', '../../x'), 't')).not.toThrow();
    expect(() => checkSymlinkTarget(['a', 'l'], link('a/l', './../.'), 't')).not.toThrow();
  });

  it('refuses relative targets that climb above the root from where the link sits', () => {
    for (const [path, target] of [
      ['l', '../x'],
      ['a/l', '../../etc/shadow'],
      ['a/b/l', 'c/../../../..'],
    ] as const) {
      const err = error(() => checkSymlinkTarget(path.split('/'), link(path, target), 'img.tar'));
      expect(err.code).toBe('E_PATH_ESCAPE');
      expect(err.message).toContain(`"${path}" -> "${target}"`);
    }
  });

  it('refuses empty targets', () => {
    expect(error(() => checkSymlinkTarget(['l'], link('l', ''), 't')).code).toBe('E_BAKE_INPUT');
  });
});
