// readCapped and readUserDataFile on real temp files: whole small files, the cap plus one byte of big ones, missing files.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readCapped, readUserDataFile } from './user-data-file';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'cloudlet-files-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('readCapped', () => {
  it('reads a small file and one spanning several chunks whole', async () => {
    writeFileSync(join(dir, 'small'), 'abc');
    const big = Buffer.from(Array.from({ length: 200_000 }, (_, i) => i % 251));
    writeFileSync(join(dir, 'big'), big);
    expect(await readCapped(join(dir, 'small'))).toEqual(Buffer.from('abc'));
    expect(await readCapped(join(dir, 'big'))).toEqual(big);
  });

  it('stops one byte past the cap, so the caller sees the file as too large', async () => {
    writeFileSync(join(dir, 'over'), Buffer.alloc(100_010, 0x61));
    expect((await readCapped(join(dir, 'over'), 100_000))?.length).toBe(100_001);
  });

  it('answers null for a missing file and an error naming the file for one that cannot be read', async () => {
    expect(await readCapped(join(dir, 'missing'))).toBeNull();
    await expect(readCapped(dir)).rejects.toMatchObject({ code: 'E_IO', where: dir });
  });
});

describe('readUserDataFile', () => {
  it('is a usage error, with a fix, for a file that does not exist', async () => {
    await expect(readUserDataFile(join(dir, 'ud.json'))).rejects.toMatchObject({ code: 'E_USAGE', fix: 'pass an existing file to --user-data' });
  });
});
