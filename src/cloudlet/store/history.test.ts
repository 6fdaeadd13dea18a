import { describe, expect, it } from 'vitest';
import type { GraphNode } from './image-graph';
import { derivationTree, historyOf, rowText, treeLines } from './history';
import { CREATED, MEDIA, PARENT } from './oci-docs';

const digest = (c: string) => `sha256:${c.repeat(64)}`;
const layer = (c: string, size: number) => ({ mediaType: MEDIA.layerTar, digest: digest(c), size });

/** A manifest node with `layers` (their sizes) and an optional parent. */
function node(c: string, sizes: number[], opts: { parent?: string; refs?: string[]; created?: string } = {}): GraphNode {
  return {
    digest: digest(c),
    mediaType: MEDIA.manifest,
    refs: opts.refs ?? [],
    present: true,
    children: [],
    parentOnly: false,
    manifest: {
      config: { mediaType: MEDIA.config, digest: digest('c'), size: 1 },
      layers: sizes.map((s, i) => layer(String.fromCharCode(97 + i), s)),
      annotations: { [CREATED]: opts.created ?? '2026-01-01T00:00:00Z', ...(opts.parent ? { [PARENT]: digest(opts.parent) } : {}) },
    },
  };
}

function graph(...nodes: GraphNode[]): Map<string, GraphNode> {
  return new Map(nodes.map((n) => [n.digest, n]));
}

describe('historyOf', () => {
  it('follows parents newest first, each row with the bytes of the layer it adds', () => {
    const g = graph(node('1', [100], { refs: ['centos:7'] }), node('2', [100, 20], { parent: '1', refs: ['gnome:1'] }), node('3', [100, 20, 5], { parent: '2' }));
    const rows = historyOf(g, digest('3'));
    expect(rows.map((r) => [r.digest, r.layerBytes, r.refs])).toEqual([
      [digest('3'), 5, []],
      [digest('2'), 20, ['gnome:1']],
      [digest('1'), 100, ['centos:7']],
    ]);
  });

  it('stops at a parent that is not in the store, and says so', () => {
    const rows = historyOf(graph(node('2', [7, 9], { parent: '1' })), digest('2'));
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ parentMissing: true, layerBytes: 9 });
    expect(rowText(rows[0] as (typeof rows)[number])).toMatch(/parent 111111111111 not in this store/);
  });

  it('ends on a parent loop instead of running forever', () => {
    expect(historyOf(graph(node('1', [1], { parent: '2' }), node('2', [1], { parent: '1' })), digest('1'))).toHaveLength(2);
  });
});

describe('derivationTree', () => {
  it('puts base images at the roots and derived images under their parents, oldest first', () => {
    const g = graph(
      node('1', [100], { refs: ['centos:7'], created: '2026-01-01T00:00:00Z' }),
      node('3', [100, 3], { parent: '1', refs: ['centos-kde:1'], created: '2026-01-03T00:00:00Z' }),
      node('2', [100, 2], { parent: '1', refs: ['centos-gnome:1'], created: '2026-01-02T00:00:00Z' }),
      node('4', [100, 2, 1], { parent: '2', refs: ['centos-gnome:2'], created: '2026-01-04T00:00:00Z' }),
      node('5', [50], { refs: ['debian:12'], created: '2026-01-05T00:00:00Z' }),
    );
    const lines = treeLines(derivationTree(g)).map((l) => l.replace(/ {2}20.*$/, ''));
    expect(lines).toEqual([
      '111111111111  centos:7',
      '  222222222222  centos-gnome:1',
      '    444444444444  centos-gnome:2',
      '  333333333333  centos-kde:1',
      '555555555555  debian:12',
    ]);
    expect(treeLines(derivationTree(g, digest('2'))).map((l) => l.slice(0, 16))).toEqual(['222222222222  ce', '  444444444444  ']);
  });

  it('shows images on a parent loop instead of hiding them', () => {
    const rows = derivationTree(graph(node('1', [1], { parent: '2' }), node('2', [1], { parent: '1' })));
    expect(treeLines(rows)).toHaveLength(2);
  });
});
