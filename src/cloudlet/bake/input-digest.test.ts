import { execFileSync } from 'node:child_process';
import { chmodSync, lutimesSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { realSystem } from '../../system/real-system';
import { DigestMemo } from './input-digest';

async function inputDigest(path: string, memoDir: string, system: ReturnType<typeof realSystem>) {
  const memo = await DigestMemo.load(memoDir);
  const result = await memo.digest(path, system);
  await memo.save();
  return result;
}

const dirs: string[] = [];
function temp(): string {
  const d = mkdtempSync(join(tmpdir(), 'cloudlet-digest-'));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tree(): string {
  const root = temp();
  mkdirSync(join(root, 'etc'));
  writeFileSync(join(root, 'etc', 'motd'), 'hello\n');
  symlinkSync('motd', join(root, 'etc', 'link'));
  lutimesSync(join(root, 'etc', 'link'), 1_600_000_000, 1_600_000_000);
  for (const p of ['etc/motd', 'etc', '.']) utimesSync(join(root, p), 1_700_000_000, 1_700_000_000);
  return root;
}

describe('inputDigest', () => {
  it('gives equal trees equal digests wherever they are', async () => {
    const a = await inputDigest(tree(), temp(), realSystem());
    const b = await inputDigest(tree(), temp(), realSystem());
    expect(a.digest).toBe(b.digest);
    expect(a).toMatchObject({ files: 3, bytes: 6 });
  });

  it('changes with an extended attribute alone (a file capability), though stat and content are the same', async () => {
    const root = tree();
    const memo = temp();
    const before = await inputDigest(root, memo, realSystem());
    execFileSync('setfattr', ['-n', 'user.cloudlet-test', '-v', 'x', join(root, 'etc', 'motd')]);
    utimesSync(join(root, 'etc', 'motd'), 1_700_000_000, 1_700_000_000);
    expect((await inputDigest(root, memo, realSystem())).digest).not.toBe(before.digest);
  });

  it('sees a same-size edit with the same mtime (content is hashed, not trusted from stat alone)', async () => {
    const root = tree();
    const memo = temp();
    const before = await inputDigest(root, memo, realSystem());
    writeFileSync(join(root, 'etc', 'motd'), 'jello\n');
    utimesSync(join(root, 'etc', 'motd'), 1_700_000_000, 1_700_000_000);
    expect((await inputDigest(root, memo, realSystem())).digest).not.toBe(before.digest);
  });

  it('changes with a mode, and digests a file input by its bytes', async () => {
    const root = tree();
    const before = await inputDigest(root, temp(), realSystem());
    chmodSync(join(root, 'etc', 'motd'), 0o600);
    expect((await inputDigest(root, temp(), realSystem())).digest).not.toBe(before.digest);
    const file = join(temp(), 'image.tar');
    writeFileSync(file, 'abc');
    expect((await inputDigest(file, temp(), realSystem())).digest).toBe('sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it('says clearly when the input does not exist', async () => {
    await expect(inputDigest(join(temp(), 'nope.tar'), temp(), realSystem())).rejects.toThrow(/does not exist/);
  });
});
