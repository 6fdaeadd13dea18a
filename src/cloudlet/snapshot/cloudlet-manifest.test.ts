// The manifest a snapshot puts in the image config: null when absent, refused when it is not JSON or too deep.

import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readCloudletManifest } from './cloudlet-manifest';

const roots: string[] = [];
afterEach(() => roots.splice(0).forEach((r) => rmSync(r, { recursive: true, force: true })));

function root(manifest?: string): string {
  const r = mkdtempSync(join(tmpdir(), 'cloudlet-manifest-'));
  roots.push(r);
  if (manifest !== undefined) {
    mkdirSync(join(r, '.cloudlet'));
    writeFileSync(join(r, '.cloudlet', 'manifest'), manifest);
  }
  return r;
}

describe('readCloudletManifest', () => {
  it('is null for a tree without one and the parsed JSON otherwise', async () => {
    expect(await readCloudletManifest(root())).toBeNull();
    expect(await readCloudletManifest(root('{"name":"x"}'))).toEqual({ name: 'x' });
  });

  it('refuses bad JSON, nesting past 64 levels and a symlink, naming the file', async () => {
    await expect(readCloudletManifest(root('{"name":'))).rejects.toMatchObject({ code: 'E_BAKE_INPUT', message: expect.stringContaining('not valid JSON') });
    await expect(readCloudletManifest(root(`${'['.repeat(100)}${']'.repeat(100)}`))).rejects.toMatchObject({ message: expect.stringContaining('nest more than 64') });
    const r = root();
    mkdirSync(join(r, '.cloudlet'));
    symlinkSync('/etc/hostname', join(r, '.cloudlet', 'manifest'));
    await expect(readCloudletManifest(r)).rejects.toMatchObject({ message: expect.stringContaining('not a regular file') });
  });
});
