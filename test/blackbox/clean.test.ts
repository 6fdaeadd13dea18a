// Blackbox: `clean` makes the next boot a first boot, and `clean --image` leaves a build tree as shipped, no rendered secret in it.

import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runAgent } from './harness';
import { DEFAULT_SECRET, filesUnder, runImage, SOURCE, toolsImage, USER_SECRET, type ToolsImage } from './tools-support';

const images: ToolsImage[] = [];
afterEach(() => {
  for (const i of images.splice(0)) i.cleanup();
});
function image(): ToolsImage {
  const i = toolsImage();
  images.push(i);
  return i;
}

/** Files of the tree holding a secret; the manifest holds the writeOnly default by design. */
function secretHolders(root: string): string[] {
  return filesUnder(root)
    .filter((f) => f.text.includes(USER_SECRET) || (f.text.includes(DEFAULT_SECRET) && !f.path.endsWith('/.cloudlet/manifest')))
    .map((f) => f.path.slice(root.length));
}

function snapshot(root: string): Record<string, string> {
  return Object.fromEntries(filesUnder(root).map((f) => [f.path.slice(root.length), f.text]));
}

describe('cloudlet-agent clean --image', () => {
  it('strips what render left in a build tree: templates back as shipped, no rendered secret, no pristine copy', () => {
    const img = image();
    const shipped = snapshot(img.root);
    const render = runAgent(['render', '--root', img.root, '--user-data', img.userData], { namespace: false });
    expect(render.code, render.stderr).toBe(0);
    expect(secretHolders(img.root)).toEqual(['/etc/app/app.conf']);

    const r = runAgent(['clean', '--image', img.root], { namespace: false });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('restore /etc/app/app.conf from /.cloudlet/templates/etc/app/app.conf');
    expect(secretHolders(img.root)).toEqual([]);
    expect(snapshot(img.root)).toEqual(shipped);
    expect(readFileSync(join(img.root, 'etc/app/app.conf'), 'utf8')).toBe(SOURCE);
    expect(statSync(join(img.root, 'etc/app/app.conf')).mode & 0o777).toBe(0o600);
  });

  it('also forgets a boot that `run` on the tree recorded', () => {
    const img = image();
    expect(runImage(img).code).toBe(0);
    expect(filesUnder(join(img.root, 'var/lib/cloudlet')).length).toBeGreaterThan(0);
    expect(runAgent(['clean', '--image', img.root], { namespace: false }).code).toBe(0);
    expect(filesUnder(join(img.root, 'var/lib/cloudlet'))).toEqual([]);
    expect(secretHolders(img.root)).toEqual([]);
  });

  it('--dry-run lists the changes and makes none', () => {
    const img = image();
    expect(runAgent(['render', '--root', img.root, '--user-data', img.userData], { namespace: false }).code).toBe(0);
    const before = snapshot(img.root);
    const r = runAgent(['clean', '--image', img.root, '--dry-run', '--json'], { namespace: false });
    expect(r.code, r.stderr).toBe(0);
    const plan = JSON.parse(r.stdout) as { dryRun: boolean; actions: { kind: string; path: string }[] };
    expect(plan.dryRun).toBe(true);
    expect(plan.actions).toContainEqual({ kind: 'restore', path: '/etc/app/app.conf', pristine: '/.cloudlet/templates/etc/app/app.conf' });
    expect(snapshot(img.root)).toEqual(before);
  });

  it('refuses / as the image unless --force, before looking at anything', () => {
    const r = runAgent(['clean', '--image', '/', '--dry-run'], { namespace: false });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('would strip the running system');
    expect(r.stderr).toContain('--force');
  });
});

describe('cloudlet-agent clean', () => {
  it('forgets the boot record: the next run is a first boot again', () => {
    const img = image();
    expect(runImage(img).code).toBe(0);
    const firstBoot = () => JSON.parse(runAgent(['query', 'env.firstBoot', '--run-dir', img.runDir], { namespace: false }).stdout) as boolean;
    expect(runImage(img).code).toBe(0);
    expect(firstBoot()).toBe(false);

    const r = runAgent(['clean', '--root', img.root], { namespace: false });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('remove /var/lib/cloudlet/first-boot-done (boot record)');
    expect(runImage(img).code).toBe(0);
    expect(firstBoot()).toBe(true);
  });

  it('has --help with an example', () => {
    const r = runAgent(['clean', '--help'], { namespace: false });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('cloudlet-agent clean --image ./rootfs --dry-run');
  });
});
