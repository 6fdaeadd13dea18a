// writeAtomic and writeAtomicSync against a real temp dir: rename semantics, final mode/owner, parents, cleanup on failure.

import { linkSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DirSyncs, writeAtomic, writeAtomicSync } from './atomic-write';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'cloudlet-atomic-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('writeAtomic', () => {
  it('replaces the file by rename: a hard link to the old file still holds the old bytes', () => {
    const target = join(dir, 'app.conf');
    writeFileSync(target, 'old');
    linkSync(target, join(dir, 'old-link'));
    return writeAtomic(target, Buffer.from('new'), { mode: 0o640, uid: 0, gid: 0 }).then(() => {
      expect(readFileSync(target, 'utf8')).toBe('new');
      expect(readFileSync(join(dir, 'old-link'), 'utf8')).toBe('old');
    });
  });

  it('sets the final mode whatever the umask, and the owner', async () => {
    const target = join(dir, 'x');
    const old = process.umask(0o077);
    try {
      await writeAtomic(target, Buffer.from('x'), { mode: 0o4755, uid: 1234, gid: 5678 });
    } finally {
      process.umask(old);
    }
    const st = statSync(target);
    expect([st.mode & 0o7777, st.uid, st.gid]).toEqual([0o4755, 1234, 5678]);
  });

  it('creates missing parents with mode 0755 and leaves no temp file beside the target', async () => {
    const old = process.umask(0o077);
    try {
      await writeAtomic(join(dir, 'a/b/c.conf'), Buffer.from('x'), { mode: 0o644, uid: 0, gid: 0 });
    } finally {
      process.umask(old);
    }
    expect(statSync(join(dir, 'a')).mode & 0o7777).toBe(0o755);
    expect(statSync(join(dir, 'a/b')).mode & 0o7777).toBe(0o755);
    expect(readdirSync(join(dir, 'a/b'))).toEqual(['c.conf']);
  });

  it('leaves the old file and no temp file when setting the mode fails', async () => {
    const target = join(dir, 'keep');
    writeFileSync(target, 'old');
    await expect(writeAtomic(target, Buffer.from('new'), { mode: -1, uid: 0, gid: 0 })).rejects.toThrow();
    expect(readFileSync(target, 'utf8')).toBe('old');
    expect(readdirSync(dir)).toEqual(['keep']);
  });

  it('keeps the writer as owner when the meta names none', async () => {
    await writeAtomic(join(dir, 'mine'), 'x', { mode: 0o600 });
    const st = statSync(join(dir, 'mine'));
    expect([st.mode & 0o7777, st.uid]).toEqual([0o600, process.getuid?.()]);
  });

  it('leaves no temp file when the rename fails', async () => {
    mkdirSync(join(dir, 'busy'));
    writeFileSync(join(dir, 'busy/inside'), 'x');
    await expect(writeAtomic(join(dir, 'busy'), Buffer.from('new'), { mode: 0o644, uid: 0, gid: 0 })).rejects.toMatchObject({ code: 'EISDIR' });
    expect(readdirSync(dir)).toEqual(['busy']);
  });
});

describe('writeAtomicSync', () => {
  it('replaces the file by rename with the final mode whatever the umask, creating the directory', () => {
    const target = join(dir, 'run/status.json');
    mkdirSync(join(dir, 'run'));
    writeFileSync(target, 'old');
    linkSync(target, join(dir, 'old-link'));
    const old = process.umask(0o077);
    try {
      writeAtomicSync(target, 'new');
      writeAtomicSync(join(dir, 'fresh/report.json'), '{}', 0o640);
    } finally {
      process.umask(old);
    }
    expect(readFileSync(target, 'utf8')).toBe('new');
    expect(readFileSync(join(dir, 'old-link'), 'utf8')).toBe('old');
    expect(statSync(target).mode & 0o7777).toBe(0o644);
    expect(statSync(join(dir, 'fresh/report.json')).mode & 0o7777).toBe(0o640);
    expect(readdirSync(join(dir, 'run'))).toEqual(['status.json']);
  });

  it('leaves no temp file when the rename fails', () => {
    mkdirSync(join(dir, 'busy'));
    writeFileSync(join(dir, 'busy/inside'), 'x');
    expect(() => writeAtomicSync(join(dir, 'busy'), 'new')).toThrow(expect.objectContaining({ code: 'EISDIR' }));
    expect(readdirSync(dir)).toEqual(['busy']);
  });
});

describe('DirSyncs', () => {
  it('takes the directory fsync of the writes given it, once per directory, until flushed', async () => {
    const syncs = new DirSyncs();
    mkdirSync(join(dir, 'b'));
    await writeAtomic(join(dir, 'one'), Buffer.from('1'), { mode: 0o644 }, syncs);
    await writeAtomic(join(dir, 'b/two'), Buffer.from('2'), { mode: 0o644 }, syncs);
    await writeAtomic(join(dir, 'three'), Buffer.from('3'), { mode: 0o644 }, syncs);
    expect(syncs.pending()).toEqual([dir, join(dir, 'b')]);
    expect(readFileSync(join(dir, 'b/two'), 'utf8')).toBe('2');
    await syncs.flush();
    expect(syncs.pending()).toEqual([]);
  });

  it('names the directory it cannot sync, keeping the error code', async () => {
    const syncs = new DirSyncs();
    syncs.add(join(dir, 'gone'));
    await expect(syncs.flush()).rejects.toMatchObject({ code: 'ENOENT', message: expect.stringContaining(join(dir, 'gone')) });
  });
});
