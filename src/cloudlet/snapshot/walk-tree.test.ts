// Walking a real tree: path order, hard links at their first path, whole-second mtimes clamped to the epoch, no sockets.

import { spawnSync } from 'node:child_process';
import { linkSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { realSystem } from '../../system/real-system';
import { walkTree } from './walk-tree';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

function tree(): string {
  const root = mkdtempSync(join(tmpdir(), 'walk-tree-'));
  dirs.push(root);
  mkdirSync(join(root, 'b'));
  writeFileSync(join(root, 'b', 'z'), 'same inode');
  linkSync(join(root, 'b', 'z'), join(root, 'a'));
  symlinkSync('b/z', join(root, 'c'));
  writeFileSync(join(root, 'b.txt'), '');
  utimesSync(join(root, 'b.txt'), 1_000.75, 2_000.75);
  return root;
}

describe('walkTree', () => {
  it('lists entries in path order, a hard-linked file as content at its first path and a link elsewhere', async () => {
    const entries = await walkTree(tree(), { system: realSystem() });
    expect(entries.map((e) => [e.path, e.type, e.linkname])).toEqual([
      ['.', 'dir', ''],
      ['a', 'file', ''],
      ['b', 'dir', ''],
      ['b.txt', 'file', ''],
      ['b/z', 'hardlink', 'a'],
      ['c', 'symlink', 'b/z'],
    ]);
    expect(entries[1]?.size).toBe(10);
    expect(entries[1]?.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(entries[3]?.mtime).toBe(2_000);
  });

  it('clamps mtimes to the epoch and leaves out sockets', async () => {
    const root = tree();
    const server = createServer();
    await new Promise<void>((r) => server.listen(join(root, 'sock'), r));
    try {
      const entries = await walkTree(root, { system: realSystem(), epoch: 1_500 });
      expect(entries.map((e) => e.path)).not.toContain('sock');
      expect(Math.max(...entries.map((e) => e.mtime))).toBe(1_500);
      expect(entries.find((e) => e.path === 'b.txt')?.mtime).toBe(1_500);
    } finally {
      server.close();
    }
  });

  it('reads extended attributes from one getfattr run', async () => {
    const root = tree();
    const r = spawnSync('setfattr', ['-n', 'user.note', '-v', '0x0001', join(root, 'b.txt')]);
    expect(r.status).toBe(0);
    const entries = await walkTree(root, { system: realSystem() });
    expect(entries.find((e) => e.path === 'b.txt')?.xattrs).toEqual(new Map([['user.note', Buffer.from([0, 1])]]));
  });
});
