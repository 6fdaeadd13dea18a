// findStaleTemps / removeStaleTemps on a real directory: only the agent's temp files of gone writers go.

import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { findStaleTemps, removeStaleTemps } from './stale-temps';
import type { Now } from './temp-names';

const BOOT = 'a1b2c3d4e5f6';
const now: Now = { boot: BOOT, pid: 4242, alive: (pid) => pid === 300 };

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'cloudlet-stale-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('findStaleTemps and removeStaleTemps', () => {
  it('remove the temp files of gone writers, files and links alike, and nothing else', async () => {
    const keep = ['app.conf', '.app.conf.swp', `.app.conf.cloudlet-${BOOT}-300-live`, `.app.conf.cloudlet-${BOOT}-4242-mine`];
    for (const name of keep) writeFileSync(join(dir, name), 'x');
    mkdirSync(join(dir, `.sub.cloudlet-0f0e0d0c0b0a-1-dir`));
    writeFileSync(join(dir, 'outside'), 'kept');
    const stale = [`.app.conf.cloudlet-0f0e0d0c0b0a-1-old`, `.app.conf.cloudlet-${BOOT}-977-dead`];
    for (const name of stale) writeFileSync(join(dir, name), 'old secret');
    symlinkSync(join(dir, 'outside'), join(dir, `.link.cloudlet-${BOOT}-977-lnk`));

    const found = await findStaleTemps([dir, dir, join(dir, 'missing')], now);
    expect(found.sort()).toEqual([...stale, `.link.cloudlet-${BOOT}-977-lnk`].map((n) => join(dir, n)).sort());
    expect(await removeStaleTemps(found)).toBe(3);
    expect(readdirSync(dir).sort()).toEqual([...keep, `.sub.cloudlet-0f0e0d0c0b0a-1-dir`, 'outside'].sort());
    expect(readFileSync(join(dir, 'outside'), 'utf8')).toBe('kept');
  });
});
