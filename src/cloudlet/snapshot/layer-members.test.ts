// Layer contents for a diff: whiteouts only at the top of what was removed, opaque markers, type changes, order.

import { describe, expect, it } from 'vitest';
import { agentErrorOf } from '../../test-support';
import { diffTrees } from './diff-trees';
import { layerMembers } from './layer-members';
import { dir, entry } from './test-entries';
import type { TreeEntry } from './tree-entry';

const names = (a: TreeEntry[], b: TreeEntry[]) => layerMembers(diffTrees(a, b)).map((m) => m.name);

describe('layerMembers', () => {
  it('writes a base tree whole, root first, directories with a slash', () => {
    expect(names([], [dir('.'), dir('etc'), entry('etc/hosts'), entry('z')])).toEqual(['./', 'etc/', 'etc/hosts', 'z']);
  });

  it('whites out only the topmost removed path, and puts whiteouts before the other children of their directory', () => {
    const a = [dir('.'), dir('d'), entry('d/a'), dir('d/gone'), entry('d/gone/f'), entry('d/keep')];
    const b = [dir('.'), dir('d'), entry('d/a', { content: 'new' }), entry('d/keep')];
    expect(names(a, b)).toEqual(['d/.wh.gone', 'd/a']);
  });

  it('replaces a directory by a file without whiteouts for what was inside (applying the entry removes it)', () => {
    expect(names([dir('.'), dir('x'), entry('x/y')], [dir('.'), entry('x')])).toEqual(['x']);
  });

  it('replaces a file by a directory with the directory and its children', () => {
    expect(names([dir('.'), entry('x')], [dir('.'), dir('x'), entry('x/y')])).toEqual(['x/', 'x/y']);
  });

  it('hides an emptied and refilled directory with one opaque marker instead of a whiteout per child', () => {
    const a = [dir('.'), dir('d'), entry('d/1'), entry('d/2'), entry('d/3')];
    const b = [dir('.'), dir('d'), entry('d/4')];
    expect(names(a, b)).toEqual(['d/.wh..wh..opq', 'd/4']);
  });

  it('writes nothing for an unchanged tree', () => {
    const t = [dir('.'), entry('a')];
    expect(names(t, t)).toEqual([]);
  });

  it('refuses a file whose name would read as a whiteout', () => {
    const err = agentErrorOf(() => layerMembers(diffTrees([], [dir('.'), entry('.wh.x')])));
    expect(err.code).toBe('E_BAKE_INPUT');
    expect(err.message).toContain('.wh.x');
  });
});
