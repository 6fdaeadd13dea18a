import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { defaultCacheDir, StageCache } from './stage-cache';
import { stageKey } from './stage-key';

const dirs: string[] = [];
function cacheDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'cloudlet-cache-'));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const NOW = new Date('2026-01-01T00:00:00Z');

describe('StageCache', () => {
  it('finds an entry only after it was put whole', async () => {
    const cache = new StageCache(cacheDir());
    const key = stageKey('disk', { a: 1 });
    expect(await cache.lookup('disk', key)).toBeUndefined();
    const entry = await cache.put('disk', key, { a: 1 }, async (dir) => writeFileSync(join(dir, 'disk.raw'), 'bytes'), NOW);
    expect(readFileSync(join(entry.dir, 'disk.raw'), 'utf8')).toBe('bytes');
    const found = await cache.lookup('disk', key);
    expect(found?.dir).toBe(entry.dir);
    expect(found?.meta.inputs).toEqual({ a: 1 });
  });

  it('leaves no entry and no temporary directory when the build fails', async () => {
    const dir = cacheDir();
    const cache = new StageCache(dir);
    const key = stageKey('disk', { a: 2 });
    await expect(
      cache.put('disk', key, {}, async (d) => {
        writeFileSync(join(d, 'half'), 'x');
        throw new Error('mkfs failed');
      }, NOW),
    ).rejects.toThrow('mkfs failed');
    expect(await cache.lookup('disk', key)).toBeUndefined();
    expect(readdirSync(join(dir, 'tmp'))).toEqual([]);
  });

  it('keeps the first entry when two bakes finish the same key', async () => {
    const cache = new StageCache(cacheDir());
    const key = stageKey('disk', { a: 3 });
    const first = await cache.put('disk', key, {}, async (d) => writeFileSync(join(d, 'f'), 'first'), NOW);
    const second = await cache.put('disk', key, {}, async (d) => writeFileSync(join(d, 'f'), 'second'), NOW);
    expect(second.dir).toBe(first.dir);
    expect(readFileSync(join(first.dir, 'f'), 'utf8')).toBe('first');
  });

  it('sweeps temporary directories of dead bakes and keeps those of live ones', async () => {
    const dir = cacheDir();
    mkdirSync(join(dir, 'tmp', `disk-${process.pid}-abc`), { recursive: true });
    mkdirSync(join(dir, 'tmp', 'disk-999999999-abc'), { recursive: true });
    await new StageCache(dir).sweep();
    expect(existsSync(join(dir, 'tmp', `disk-${process.pid}-abc`))).toBe(true);
    expect(existsSync(join(dir, 'tmp', 'disk-999999999-abc'))).toBe(false);
  });

  it('lives under XDG_CACHE_HOME, else ~/.cache', () => {
    expect(defaultCacheDir({ XDG_CACHE_HOME: '/x', HOME: '/h' })).toBe('/x/cloudlet');
    expect(defaultCacheDir({ HOME: '/h' })).toBe('/h/.cache/cloudlet');
    expect(() => defaultCacheDir({})).toThrow(expect.objectContaining({ fix: 'pass --cache DIR' }));
  });
});
