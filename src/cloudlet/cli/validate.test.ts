// cloudlet validate on temp images: the shared report, and which image to check must be said (a build host's / is none).

import { afterEach, describe, expect, it } from 'vitest';
import { parseCommandArgs } from '../../cli-kit/command';
import { exampleManifest, imageWith } from '../../manifest/test-fixtures';
import { completeExampleImage } from '../../agent/image-check/test-fixtures';
import type { System } from '../../system/system';
import { validateCommand } from './validate';

const cleanups: Array<() => void> = [];
afterEach(() => cleanups.splice(0).forEach((c) => c()));

async function validate(argv: string[]) {
  const out: string[] = [];
  const system = {
    hostPaths: { proc: '/nonexistent', sys: '/nonexistent', dev: '/nonexistent', run: '/nonexistent' },
    exec: () => Promise.reject(new Error('no exec in validate')),
    http: () => Promise.reject(new Error('no http in validate')),
    monotonicMs: () => 0,
    now: () => new Date(0),
    env: {},
    out: (t: string) => void out.push(t),
    err: (t: string) => void out.push(t),
    isPid1: false,
  } satisfies System;
  const code = await validateCommand.run(parseCommandArgs('cloudlet', validateCommand, argv), system);
  return { code, out: out.join('\n') };
}

function root(manifest: unknown): string {
  const image = imageWith(manifest);
  cleanups.push(image.cleanup);
  return image.root;
}

describe('cloudlet validate', () => {
  it('checks the image tree given by --root', async () => {
    const dir = root(exampleManifest());
    completeExampleImage(dir);
    const r = await validate(['--root', dir, '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({ valid: true, problems: [], manifest: { name: 'hello', version: '1.2.0' }, image: { root: dir } });
  });

  it('checks the manifest file given by --manifest, with the same problems as in an image', async () => {
    const dir = root({ ...exampleManifest(), persistent: ['/tmp'] });
    const r = await validate(['--manifest', `${dir}/.cloudlet/manifest`]);
    expect(r.code).toBe(2);
    expect(r.out).toContain(`manifest ${dir}/.cloudlet/manifest: 1 problem`);
    expect(r.out).toContain('/volatile/0');
  });

  it('refuses to guess the image: neither --root nor --manifest, or both, is a usage error', async () => {
    await expect(validate([])).rejects.toMatchObject({ code: 'E_USAGE', message: 'validate: give --root DIR or --manifest FILE' });
    await expect(validate(['--root', '/', '--manifest', 'x'])).rejects.toMatchObject({ code: 'E_USAGE', message: 'validate: give --root DIR or --manifest FILE, not both' });
  });
});
