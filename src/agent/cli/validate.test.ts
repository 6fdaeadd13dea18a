// The validate and specs commands on temp images: every problem with its source and path, exit codes, usage errors.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { exampleManifest, imageWith } from '../../manifest/test-fixtures';
import { completeExampleImage } from '../image-check/test-fixtures';
import type { System } from '../../system/system';
import { parseCommandArgs } from './command';
import { specsCommand } from './specs';
import { validateCommand } from './validate';

const cleanups: Array<() => void> = [];
afterEach(() => cleanups.splice(0).forEach((c) => c()));

function capture(): { system: System; out: string[] } {
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
  return { system, out };
}

function root(manifest: unknown): string {
  const image = imageWith(manifest);
  cleanups.push(image.cleanup);
  return image.root;
}

function userData(value: unknown): string {
  const dir = mkdtempSync(join(tmpdir(), 'cloudlet-ud-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'ud.json'), JSON.stringify(value));
  return join(dir, 'ud.json');
}

async function validate(argv: string[]) {
  const { system, out } = capture();
  const code = await validateCommand.run(parseCommandArgs(validateCommand, argv), system);
  return { code, out: out.join('\n') };
}

describe('validate command', () => {
  it('exits 0 and prints {valid: true} for the example manifest in an image that has what it names', async () => {
    const dir = root(exampleManifest());
    completeExampleImage(dir);
    const r = await validate(['--root', dir, '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toEqual({
      valid: true,
      problems: [],
      manifest: { name: 'hello', version: '1.2.0' },
      image: { root: dir, templates: expect.stringMatching(/^2 templates compiled and rendered with the config schema's defaults and examples/) },
    });
  });

  it('exits 2 for the example manifest alone: the files it names are not in the image', async () => {
    const r = await validate(['--root', root(exampleManifest()), '--json']);
    expect(r.code).toBe(2);
    const out = JSON.parse(r.out) as { problems: Array<{ source: string; path: string }> };
    expect(out.problems.map((p) => `${p.source} ${p.path}`)).toEqual([
      'image /templates/0',
      'image /templates/1',
      'image /entrypoints/init/path',
      'image /entrypoints/kernel/path',
      'image /entrypoints/kernel/initrd',
    ]);
  });

  it('exits 2 listing manifest and user-data problems with their sources and paths', async () => {
    const m = { ...exampleManifest(), persistent: ['/tmp'] };
    const file = userData({ config: { greeting: 5 }, extra: true });
    const r = await validate(['--root', root(m), '--user-data', file, '--json']);
    expect(r.code).toBe(2);
    const out = JSON.parse(r.out) as { problems: Array<{ source: string; path: string }> };
    expect(out.problems.map((p) => `${p.source} ${p.path}`)).toEqual(['manifest /volatile/0', 'user-data /extra']);
  });

  it('checks the config and the rest of the user data together when the manifest is valid', async () => {
    const file = userData({ config: { greeting: 5, db_password: 'pw-fixture-77' }, hostname: '-bad' });
    const r = await validate(['--root', root(exampleManifest()), '--user-data', file]);
    expect(r.code).toBe(2);
    expect(r.out).toContain('/hostname: is not a host name');
    expect(r.out).toContain('/config/greeting: must be a string');
    expect(r.out).not.toContain('pw-fixture-77');
  });

  it('reports an uncompilable config schema at /config/schema', async () => {
    const m = { ...exampleManifest(), config: { schema: { type: 'object', properties: { a: { type: 'strung' } } } } };
    const r = await validate(['--root', root(m), '--json']);
    expect(r.code).toBe(2);
    expect((JSON.parse(r.out) as { problems: Array<{ path: string }> }).problems.map((p) => p.path)).toEqual(['/config/schema']);
  });

  it('refuses --root together with --manifest', async () => {
    await expect(validate(['--root', '/', '--manifest', 'x'])).rejects.toMatchObject({ code: 'E_USAGE' });
  });
});

describe('specs command', () => {
  it('prints the manifest schema by default', async () => {
    const { system, out } = capture();
    expect(await specsCommand.run(parseCommandArgs(specsCommand, []), system)).toBe(0);
    expect((JSON.parse(out.join('')) as { $id: string }).$id).toBe('urn:cloudlet:manifest:0.0.4:v1');
  });

  it('refuses an unknown schema name', async () => {
    const { system } = capture();
    await expect(specsCommand.run(parseCommandArgs(specsCommand, ['nope']), system)).rejects.toMatchObject({ code: 'E_USAGE' });
  });
});
