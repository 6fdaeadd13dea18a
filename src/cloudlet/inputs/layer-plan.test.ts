// Whiteouts and opaque directories as planned: which member does what, and what a whiteout removes from lower layers.

import { describe, expect, it } from 'vitest';
import type { TarEntry } from './tar-entry';
import { LayerPaths, type TreeView, lowerPaths, opaquePaths, planMember } from './layer-plan';

const entry = (path: string, type: TarEntry['type'] = 'file', linkname = ''): TarEntry => ({
  path, type, mode: 0o644, uid: 0, gid: 0, mtime: 0, size: 0, linkname, devmajor: 0, devminor: 0, xattrs: new Map(),
});

/** An in-memory tree: paths ending in "/" are directories. */
function tree(paths: string[]): TreeView {
  const dirs = new Set(['', ...paths.filter((p) => p.endsWith('/')).map((p) => p.slice(0, -1))]);
  const all = new Set([...dirs, ...paths.map((p) => p.replace(/\/$/, ''))]);
  return {
    exists: (p) => all.has(p),
    children: (p) => (dirs.has(p) ? [...all].filter((q) => q !== p && q.startsWith(p ? `${p}/` : '') && !q.slice(p ? p.length + 1 : 0).includes('/')).map((q) => q.slice(p ? p.length + 1 : 0)).sort() : []),
  };
}

describe('planMember', () => {
  it('reads whiteouts and opaque markers in layers', () => {
    expect(planMember(entry('etc/.wh.motd'), true, 'l')).toEqual({ kind: 'whiteout', path: 'etc/motd' });
    expect(planMember(entry('./.wh.opt'), true, 'l')).toEqual({ kind: 'whiteout', path: 'opt' });
    expect(planMember(entry('usr/share/.wh..wh..opq'), true, 'l')).toEqual({ kind: 'opaque', dir: 'usr/share' });
    expect(planMember(entry('.wh..wh..opq'), true, 'l')).toEqual({ kind: 'opaque', dir: '' });
    expect(planMember(entry('.wh..wh.plnk/1234'), true, 'l')).toEqual({ kind: 'skip' });
    expect(planMember(entry('.wh..wh.plnk'), true, 'l')).toEqual({ kind: 'skip' });
  });

  it('takes whiteout names literally in a plain tarball', () => {
    expect(planMember(entry('etc/.wh.motd'), false, 't')).toEqual({ kind: 'put', path: 'etc/.wh.motd' });
  });

  it('plans the root entry, hard links with their target, and refuses escaping links', () => {
    expect(planMember(entry('./', 'dir'), false, 't')).toEqual({ kind: 'root' });
    expect(planMember(entry('./bin/b', 'hardlink', './bin/a'), false, 't')).toEqual({ kind: 'put', path: 'bin/b', link: 'bin/a' });
    expect(() => planMember(entry('b', 'hardlink', '/etc/shadow'), false, 't')).toThrow(/hard link target "\/etc\/shadow"/);
    expect(() => planMember(entry('b', 'hardlink', '../x'), false, 't')).toThrow(/climb out/);
    expect(() => planMember(entry('l', 'symlink', '../../x'), false, 't')).toThrow(/leads out of the image/);
    expect(() => planMember(entry('.', 'file'), false, 't')).toThrow(/not a directory/);
  });
});

describe('whiteouts apply to lower layers only', () => {
  const lower = tree(['a/', 'a/b/', 'a/b/c/', 'a/b/c/bar', 'a/keep', 'etc/', 'etc/motd']);

  it('a whiteout removes the whole lower path', () => {
    expect(lowerPaths('etc/motd', lower, new LayerPaths())).toEqual(['etc/motd']);
    expect(lowerPaths('a/b', lower, new LayerPaths())).toEqual(['a/b']);
    expect(lowerPaths('nope', lower, new LayerPaths())).toEqual([]);
  });

  it('an opaque directory hides every lower child, at any depth', () => {
    expect(opaquePaths('a', lower, new LayerPaths())).toEqual(['a/b', 'a/keep']);
  });

  it('what this layer put stays, whichever comes first in the layer (the spec example)', () => {
    // Layer 2 recreates a/b/c/foo and makes a opaque; its members were already applied before the marker.
    const now = tree(['a/', 'a/b/', 'a/b/c/', 'a/b/c/bar', 'a/b/c/foo', 'a/keep', 'etc/', 'etc/motd']);
    const layer = new LayerPaths();
    layer.add('a/b/c/foo');
    expect(opaquePaths('a', now, layer)).toEqual(['a/b/c/bar', 'a/keep']);
    // The same whiteout seen before any member of the layer: everything lower goes, then the layer adds its own.
    expect(opaquePaths('a', lower, new LayerPaths())).toEqual(['a/b', 'a/keep']);
  });

  it('a whiteout of a path this layer put keeps that path but clears what lower layers left below it', () => {
    const now = tree(['a/', 'a/b/', 'a/b/new', 'a/b/old']);
    const layer = new LayerPaths();
    layer.add('a/b/new');
    expect(lowerPaths('a/b', now, layer)).toEqual(['a/b/old']);
    layer.add('a/file');
    expect(lowerPaths('a/file', tree(['a/', 'a/file']), layer)).toEqual([]);
  });
});
