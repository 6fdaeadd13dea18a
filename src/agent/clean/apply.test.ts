// Clean on real temp trees: templates back as shipped, boot record gone, nothing outside the root touched.

import { chmodSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { NormalizedManifest } from '../../manifest/types';
import { fakeManifest } from '../templates/test-fixtures';
import { applyClean } from './apply';
import { planClean } from './plan';
import { scanRoot } from './scan';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tree(files: Record<string, string | { link: string }>): string {
  const root = mkdtempSync(join(tmpdir(), 'cloudlet-clean-'));
  dirs.push(root);
  for (const [path, entry] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    if (typeof entry === 'string') writeFileSync(join(root, path), entry);
    else symlinkSync(entry.link, join(root, path));
  }
  return root;
}

const MANIFEST: NormalizedManifest = fakeManifest([{ path: '/etc/app.conf' }, { path: '/etc/motd' }]);

describe('clean --image', () => {
  it('puts the shipped template back with its mode, removes the copy, its emptied directories and the boot record', async () => {
    const root = tree({
      '/etc/app.conf': 'password=rendered-secret\n',
      '/etc/motd': 'never rendered <%= 1 %>\n',
      '/.cloudlet/templates/etc/app.conf': 'password=<%= config.db_password %>\n',
      '/.cloudlet/templates/partials/header.ejs': 'an include, shipped by the author\n',
      '/var/lib/cloudlet/first-boot-done': 'i-1\n',
    });
    chmodSync(join(root, '/.cloudlet/templates/etc/app.conf'), 0o640);
    const plan = planClean('image', await scanRoot(root, MANIFEST));
    await applyClean(root, plan);
    expect(readFileSync(join(root, 'etc/app.conf'), 'utf8')).toBe('password=<%= config.db_password %>\n');
    expect(statSync(join(root, 'etc/app.conf')).mode & 0o777).toBe(0o640);
    expect(readFileSync(join(root, 'etc/motd'), 'utf8')).toBe('never rendered <%= 1 %>\n');
    expect(existsSync(join(root, '.cloudlet/templates/etc'))).toBe(false);
    expect(existsSync(join(root, '.cloudlet/templates/partials/header.ejs'))).toBe(true);
    expect(existsSync(join(root, 'var/lib/cloudlet/first-boot-done'))).toBe(false);
  });
});

describe('clean --root', () => {
  it('removes symlinks in the boot record, never what they point to outside the root', async () => {
    const outside = tree({ '/keep/precious': 'outside the root\n' });
    const root = tree({
      '/var/lib/cloudlet/instance-id': 'i-1\n',
      '/var/lib/cloudlet/escape': { link: join(outside, 'keep') },
      '/var/lib/cloudlet/up': { link: '../../../../../../../../' + join(outside, 'keep').slice(1) },
    });
    await applyClean(root, planClean('boot-record', await scanRoot(root, undefined)));
    expect(readFileSync(join(outside, 'keep/precious'), 'utf8')).toBe('outside the root\n');
    expect(existsSync(join(root, 'var/lib/cloudlet/instance-id'))).toBe(false);
    expect(() => lstatSync(join(root, 'var/lib/cloudlet/escape'))).toThrow();
    expect(() => lstatSync(join(root, 'var/lib/cloudlet/up'))).toThrow();
  });

  it('finds nothing to do in a root that never booted', async () => {
    const root = tree({ '/etc/hostname': 'x\n' });
    expect(planClean('boot-record', await scanRoot(root, undefined)).actions).toEqual([]);
  });
});
