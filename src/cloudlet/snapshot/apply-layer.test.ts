// Applying layers to an in-memory tree: whiteouts act on lower layers only, entries replace, parents appear.

import { describe, expect, it } from 'vitest';
import { applyLayer } from './apply-layer';
import { dir, entry } from './test-entries';
import type { TreeEntry } from './tree-entry';

const tree = (...es: TreeEntry[]) => new Map(es.map((e) => [e.path, e]));
const paths = (t: Map<string, TreeEntry>) => [...t.keys()].sort();

describe('applyLayer', () => {
  it('removes a whited-out path with everything below it, but keeps what the same layer puts there', () => {
    const t = tree(dir('.'), dir('d'), entry('d/f'), dir('d/sub'), entry('d/sub/g'));
    applyLayer(t, [{ path: 'd/sub', opaque: false }], [dir('d/sub'), entry('d/sub/new')]);
    expect(paths(t)).toEqual(['.', 'd', 'd/f', 'd/sub', 'd/sub/new']);
  });

  it('empties an opaque directory of lower content and keeps the directory', () => {
    const t = tree(dir('.'), dir('d'), entry('d/f'), entry('top'));
    applyLayer(t, [{ path: 'd', opaque: true }], [entry('d/g')]);
    expect(paths(t)).toEqual(['.', 'd', 'd/g', 'top']);
  });

  it('replaces a directory by a file, dropping what was below it, and makes missing parents 0755 root', () => {
    const t = tree(dir('.'), dir('x', { uid: 5 }), entry('x/y'));
    applyLayer(t, [], [entry('x'), entry('p/q/r')]);
    expect(paths(t)).toEqual(['.', 'p', 'p/q', 'p/q/r', 'x']);
    expect([t.get('p')?.type, t.get('p')?.mode, t.get('p')?.uid]).toEqual(['dir', 0o755, 0]);
  });

  it('keeps a directory\'s children when a layer only changes the directory', () => {
    const t = tree(dir('.'), dir('x'), entry('x/y'));
    applyLayer(t, [], [dir('x', { mode: 0o700 })]);
    expect(paths(t)).toEqual(['.', 'x', 'x/y']);
    expect(t.get('x')?.mode).toBe(0o700);
  });
});
