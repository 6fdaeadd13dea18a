// Tree diffs: added, removed and changed with what changed; mtimes ignored; hard links follow their target.

import { describe, expect, it } from 'vitest';
import { diffTrees } from './diff-trees';
import { dir, entry } from './test-entries';

describe('diffTrees', () => {
  it('lists added, removed and changed paths, each with what changed', () => {
    const a = [dir('.'), entry('a'), entry('b', { mode: 0o600 }), dir('c'), entry('c/x'), entry('l', { type: 'symlink', linkname: 'a' }), entry('n', { type: 'char', devmajor: 1, devminor: 3 })];
    const b = [dir('.'), entry('a', { content: 'new' }), entry('b', { uid: 7 }), entry('d'), entry('l', { type: 'symlink', linkname: 'b' }), entry('n', { type: 'char', devmajor: 1, devminor: 5, xattrs: new Map([['user.x', Buffer.from('1')]]) })];
    const d = diffTrees(a, b);
    expect(d.added.map((e) => e.path)).toEqual(['d']);
    expect(d.removed.map((e) => e.path)).toEqual(['c', 'c/x']);
    expect(d.changed.map((c) => [c.path, c.what])).toEqual([
      ['a', ['content', 'size']],
      ['b', ['mode', 'owner']],
      ['l', ['link']],
      ['n', ['xattrs', 'device']],
    ]);
  });

  it('does not count a different mtime as a change', () => {
    const d = diffTrees([dir('.'), entry('a', { mtime: 5 })], [dir('.', { mtime: 9 }), entry('a', { mtime: 6 })]);
    expect([d.added, d.removed, d.changed]).toEqual([[], [], []]);
  });

  it('reports a file replaced by a directory as a type change', () => {
    const d = diffTrees([dir('.'), entry('x')], [dir('.'), dir('x'), entry('x/y')]);
    expect(d.changed.map((c) => [c.path, c.what[0]])).toEqual([['x', 'type']]);
    expect(d.added.map((e) => e.path)).toEqual(['x/y']);
  });

  it('makes a hard link again when its target is written again', () => {
    const a = [dir('.'), entry('a'), entry('h', { type: 'hardlink', linkname: 'a', size: 0, sha256: '' })];
    const b = [dir('.'), entry('a', { content: 'changed' }), entry('h', { type: 'hardlink', linkname: 'a', size: 0, sha256: '' })];
    expect(diffTrees(a, b).changed.map((c) => [c.path, c.what])).toEqual([
      ['a', ['content', 'size']],
      ['h', ['content', 'size']],
    ]);
    expect(diffTrees(a, a).changed).toEqual([]);
  });

  it('marks a directory opaque only when nothing the parent had below it stays as it was', () => {
    const a = [dir('.'), dir('emptied'), entry('emptied/old'), dir('emptied/sub'), entry('emptied/sub/f'), dir('kept'), entry('kept/goes'), entry('kept/stays')];
    const b = [dir('.'), dir('emptied'), entry('emptied/new'), dir('emptied/sub', { mode: 0o700 }), entry('emptied/sub/f', { content: 'rewritten' }), dir('kept'), entry('kept/stays')];
    expect(diffTrees(a, b).opaque).toEqual(['emptied']);
    // An unchanged directory below would be hidden and not written again.
    const c = b.map((e) => (e.path === 'emptied/sub' ? dir('emptied/sub') : e));
    expect(diffTrees(a, c).opaque).toEqual([]);
  });
});
