// Path-escape corpus for joinRoot: real temp dirs with hostile symlinks, plus the paths that must keep working.

import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AgentError } from '../errors';
import { imagePathOf, joinRoot } from './root-path';

let base: string;
let root: string;

/** Builds the image: "dir/" is a directory, "->target" a symlink, anything else a file with that content. */
function build(tree: Record<string, string>): void {
  for (const [path, what] of Object.entries(tree)) {
    const host = join(root, path);
    mkdirSync(dirname(host), { recursive: true });
    if (path.endsWith('/')) mkdirSync(host, { recursive: true });
    else if (what.startsWith('->')) symlinkSync(what.slice(2), host);
    else writeFileSync(host, what);
  }
}

beforeAll(() => {
  base = mkdtempSync(join(tmpdir(), 'cloudlet-rootpath-'));
  root = join(base, 'image');
  // A file beside the image that no escape may reach.
  writeFileSync(join(base, 'secret'), 'outside');
  mkdirSync(join(base, 'outside-dir'));
  build({
    'etc/motd': 'hello',
    'etc/app/app.conf': 'conf',
    'usr/lib/os-release': 'debian',
    'var/': '',
    // legit links
    'etc/os-release': '->../usr/lib/os-release',
    'etc/os-release-abs': '->/usr/lib/os-release',
    'lib': '->usr/lib',
    'etc/chain1': '->chain2',
    'etc/chain2': '->/etc/chain3',
    'etc/chain3': '->../usr/lib/os-release',
    'etc/self': '->.',
    'etc/to-root': '->/',
    'etc/to-root-rel': '->..',
    'etc/dangling-in': '->/nowhere/file',
    'etc/absolute-host': `->${join(base, 'secret')}`,
    // escapes
    'up-first': '->../secret',
    'etc/up-middle': '->../../outside-dir',
    'etc/up-last': '->../../secret',
    'etc/deep/a/b': '->../../../../secret',
    'etc/chain-out1': '->chain-out2',
    'etc/chain-out2': '->/etc/chain-out3',
    'etc/chain-out3': '->../../secret',
    'etc/slash-dotdot': '->/..',
    'etc/slash-dotdot-secret': '->/../secret',
    'etc/dangling-out': '->../../nowhere',
    'etc/loop-a': '->loop-b',
    'etc/loop-b': '->loop-a',
    'etc/loop-self': '->loop-self',
    // climbs back out through a component that does not exist yet
    'etc/via-missing': '->missing/../../../secret',
    'etc/evil': '->../../secret',
    'etc/hide-evil': '->nothing-here/../evil',
  });
});

afterAll(() => rmSync(base, { recursive: true, force: true }));

async function escapeOf(imagePath: string, followFinal = true): Promise<AgentError> {
  const err = await joinRoot(root, imagePath, { followFinal }).then(
    (p) => new Error(`expected a refusal, got ${p}`),
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AgentError);
  return err as AgentError;
}

describe('joinRoot refuses escapes', () => {
  it.each([
    ['".." in the path itself', '/etc/../../secret'],
    ['a lone ".."', '/..'],
    ['a relative path', 'etc/motd'],
    ['an empty path', ''],
    ['a NUL byte', '/etc/mo\0td'],
  ])('refuses %s', async (_why, p) => {
    expect((await escapeOf(p)).code).toBe('E_PATH_ESCAPE');
  });

  it.each([
    ['a relative symlink climbing out at the first component', '/up-first'],
    ['a relative symlink climbing out at the first component, with more after it', '/up-first/x'],
    ['a relative symlink climbing out at a middle component', '/etc/up-middle/file'],
    ['a relative symlink climbing out at the last component', '/etc/up-last'],
    ['a deep relative symlink climbing out', '/etc/deep/a/b'],
    ['a chain of symlinks whose last link climbs out', '/etc/chain-out1'],
    ['a symlink to "/.."', '/etc/slash-dotdot'],
    ['a symlink to "/.." used as a directory', '/etc/slash-dotdot/secret'],
    ['a symlink to "/../secret"', '/etc/slash-dotdot-secret'],
    ['a dangling symlink that points outside', '/etc/dangling-out'],
    ['a symlink that climbs back out through a missing directory', '/etc/via-missing'],
  ])('refuses %s', async (_why, p) => {
    expect((await escapeOf(p)).code).toBe('E_PATH_ESCAPE');
  });

  it('refuses a path that reaches an escaping symlink through a missing directory and ".."', async () => {
    // The kernel would fail on "nothing-here/..", but the joined path must never point at the link "evil".
    expect((await escapeOf('/etc/hide-evil')).code).toBe('E_PATH_ESCAPE');
  });

  it.each([
    ['two links pointing at each other', '/etc/loop-a'],
    ['a link pointing at itself', '/etc/loop-self'],
    ['a loop used as a directory', '/etc/loop-a/x'],
  ])('stops a symlink loop (%s) with an error instead of spinning', async (_why, p) => {
    const err = await escapeOf(p);
    expect(err.code).toBe('E_PATH_ESCAPE');
    expect(err.message).toMatch(/symlinks \(a loop\?\)/);
  });

  it('reports a file used as a directory as an I/O error rather than joining past it', async () => {
    expect((await escapeOf('/etc/motd/x')).code).toBe('E_IO');
  });

  it('refuses an escaping link in a middle component even when the final component is not followed', async () => {
    expect((await escapeOf('/etc/up-middle/file', false)).code).toBe('E_PATH_ESCAPE');
  });
});

describe('joinRoot keeps legitimate paths inside the root', () => {
  it.each([
    ['a plain file', '/etc/motd', 'etc/motd'],
    ['the root itself', '/', ''],
    ['repeated and trailing slashes', '//etc///app//app.conf/', 'etc/app/app.conf'],
    ['"." components', '/etc/./app/./app.conf', 'etc/app/app.conf'],
    ['a relative symlink that stays inside', '/etc/os-release', 'usr/lib/os-release'],
    ['an absolute symlink, read relative to the root', '/etc/os-release-abs', 'usr/lib/os-release'],
    ['a symlinked directory in the first component', '/lib/os-release', 'usr/lib/os-release'],
    ['a chain of relative and absolute symlinks', '/etc/chain1', 'usr/lib/os-release'],
    ['a symlink to "."', '/etc/self/motd', 'etc/motd'],
    ['a symlink pointing at the root itself', '/etc/to-root', ''],
    ['a path through a symlink to the root', '/etc/to-root/etc/motd', 'etc/motd'],
    ['a relative symlink to ".." (the root)', '/etc/to-root-rel/usr/lib', 'usr/lib'],
    ['a dangling symlink that points inside', '/etc/dangling-in', 'nowhere/file'],
    ['a file that does not exist yet', '/var/new/file', 'var/new/file'],
  ])('joins %s', async (_why, p, expected) => {
    const joined = await joinRoot(root, p);
    expect(joined).toBe(expected ? join(root, expected) : root);
  });

  it('reads an absolute symlink to a host path as a path inside the image, never on the host', async () => {
    expect(await joinRoot(root, '/etc/absolute-host')).toBe(join(root, base.slice(1), 'secret'));
  });

  it('returns the link itself when the final component is not followed', async () => {
    expect(await joinRoot(root, '/etc/up-last', { followFinal: false })).toBe(join(root, 'etc/up-last'));
  });

  it('follows links in earlier components when the final one is not followed', async () => {
    expect(await joinRoot(root, '/lib/os-release', { followFinal: false })).toBe(join(root, 'usr/lib/os-release'));
  });
});

describe('imagePathOf', () => {
  it('maps a host path below the root back to its image path', () => {
    expect(imagePathOf(root, join(root, 'etc/motd'))).toBe('/etc/motd');
    expect(imagePathOf(root, root)).toBe('/');
  });

  it('accepts a top-level name that merely starts with ".."', () => {
    expect(imagePathOf(root, join(root, '..data'))).toBe('/..data');
  });

  it('refuses a host path outside the root', () => {
    expect(() => imagePathOf(root, join(base, 'secret'))).toThrow(AgentError);
  });
});
