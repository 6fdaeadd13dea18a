import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AgentError } from '../errors';
import { MAX_JSON_DEPTH } from './json-text';
import { checkManifestBytes, loadManifest } from './load';
import { exampleManifest, imageWith } from './test-fixtures';

const cleanups: Array<() => void> = [];
afterEach(() => cleanups.splice(0).forEach((c) => c()));

function image(manifest: unknown): string {
  const { root, cleanup } = imageWith(manifest);
  cleanups.push(cleanup);
  return root;
}

function check(manifest: unknown) {
  return checkManifestBytes(Buffer.from(JSON.stringify(manifest)), 'test');
}

async function loadError(root: string): Promise<AgentError> {
  const err = await loadManifest({ root }).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AgentError);
  return err as AgentError;
}

describe('manifest schema', () => {
  it('accepts the example manifest of design.md', () => {
    const result = check(exampleManifest());
    expect(result.problems).toEqual([]);
    expect(result.manifest?.name).toBe('hello');
  });

  it('accepts the smallest manifest: format, name and one entry point', () => {
    expect(check({ cloudlet: '0.0.4', name: 'x', entrypoints: { init: {} } }).problems).toEqual([]);
  });

  it('rejects an unknown top-level key at its own path, suggesting the near key', () => {
    const m = { ...exampleManifest(), templtes: [] };
    expect(check(m).problems).toEqual([{ path: '/templtes', message: 'unknown key; did you mean "templates"?' }]);
  });

  it('rejects an unknown key inside a template object at /templates/1/<key>', () => {
    const m = exampleManifest();
    m.templates = ['/etc/motd', { path: '/etc/a', mod: '0640' }];
    expect(check(m).problems).toEqual([{ path: '/templates/1/mod', message: 'unknown key; did you mean "mode"?' }]);
  });

  it('rejects unknown keys deep inside entry point requirements', () => {
    const m = exampleManifest();
    m.entrypoints = { init: { requires: { kernal: '>=5' } } };
    expect(check(m).problems.map((p) => p.path)).toEqual(['/entrypoints/init/requires/kernal']);
  });

  it('reports every problem at once, each at its JSON path', () => {
    const m = { cloudlet: '0.0.3', name: 'x', templates: [42, { mode: '0640' }], onError: 'reboot' };
    const paths = check(m).problems.map((p) => p.path).sort();
    expect(paths).toEqual(['/cloudlet', '/entrypoints', '/onError', '/templates/0', '/templates/1/path']);
  });

  it('explains a bad image name in words, not as a regular expression', () => {
    expect(check({ ...exampleManifest(), name: '-x y' }).problems).toEqual([{ path: '/name', message: expect.stringMatching(/^must start with a letter or digit/) }]);
  });

  it('says a short-form item must be a string or an object', () => {
    const m = { ...exampleManifest(), volatile: [7] };
    expect(check(m).problems).toEqual([{ path: '/volatile/0', message: 'must be a string or an object' }]);
  });

  it('requires config.schema to be an object', () => {
    const m = { ...exampleManifest(), config: { schema: 'nope' } };
    expect(check(m).problems).toEqual([{ path: '/config/schema', message: 'must be an object' }]);
  });
});

describe('loadManifest', () => {
  it('normalizes: short forms expanded, paths normalized, hash of the bytes', async () => {
    const m = exampleManifest();
    m.persistent = ['/var/lib/app/', '//home'];
    const root = image(m);
    const loaded = await loadManifest({ root });
    expect(loaded.templates).toEqual([{ path: '/etc/motd' }, { path: '/etc/app/app.conf', mode: '0640', owner: 'root:app' }]);
    expect(loaded.persistent).toEqual([{ path: '/var/lib/app' }, { path: '/home' }]);
    expect(loaded.volatile).toEqual([{ path: '/tmp' }, { path: '/var/cache/app', size: '64M', mode: '1777' }]);
    const bytes = readFileSync(join(root, '.cloudlet', 'manifest'));
    expect(loaded.hash).toBe(createHash('sha256').update(bytes).digest('hex'));
    expect(loaded.platforms).toEqual(['nocloud', 'configdrive', 'fwcfg', 'ec2']);
  });

  it('defaults platforms to the local channels only, never a network metadata service', async () => {
    const { platforms: _omitted, ...m } = exampleManifest();
    const loaded = await loadManifest({ root: image(m) });
    expect(loaded.platforms).toEqual(['cmdline', 'nocloud', 'configdrive', 'fwcfg', 'smbios', 'file']);
  });

  it('E_MANIFEST_MISSING names the path and how to fix it', async () => {
    const root = image({});
    const err = await loadError(join(root, 'nowhere'));
    expect(err.code).toBe('E_MANIFEST_MISSING');
    expect(err.where).toBe(join(root, 'nowhere', '.cloudlet', 'manifest'));
    expect(err.fix).toMatch(/--root/);
  });

  it('E_MANIFEST_PARSE gives line and column of a syntax error', async () => {
    const err = await loadError(image('{\n  "cloudlet": "0.0.4",\n  "name": "x"\n  "entrypoints": {}\n}'));
    expect(err.code).toBe('E_MANIFEST_PARSE');
    expect(err.message).toMatch(/line 4 column 3/);
    expect(err.where).toMatch(/manifest:4:3$/);
    expect(err.message.split('\n').slice(1)).toEqual(['  |   "entrypoints": {}', '  |   ^']);
    const check = checkManifestBytes(Buffer.from('{"name": "x",}'), 'm.json');
    expect(check.problems[0]?.message).toBe('not valid JSON at line 1 column 14: expected double-quoted property name\n| {"name": "x",}\n|              ^');
  });

  it.each([2000, 5000])('E_MANIFEST_PARSE refuses a manifest nested %i deep, at the first bracket too many, before anything walks it', async (n) => {
    const text = JSON.stringify(exampleManifest(), null, 2).replace('"default": "hello"', `"default": ${'['.repeat(n)}${']'.repeat(n)}`);
    // The arrays start inside five objects (root, config, schema, properties, greeting).
    const before = text.slice(0, text.indexOf('[[[') + MAX_JSON_DEPTH - 5).split('\n');
    const at = `line ${before.length} column ${(before.at(-1) ?? '').length + 1}`;
    const err = await loadError(image(text));
    expect(err.code).toBe('E_MANIFEST_PARSE');
    expect(err.message).toBe(`the manifest cannot be read: its arrays and objects nest more than ${MAX_JSON_DEPTH} levels deep (${at})`);
    expect(err.where).toMatch(new RegExp(`manifest:${before.length}:${(before.at(-1) ?? '').length + 1}$`));
    expect(err.fix).toMatch(new RegExp(`at most ${MAX_JSON_DEPTH} levels`));
    expect(checkManifestBytes(Buffer.from(text), 'test').problems).toEqual([{ path: '', message: `arrays and objects nest more than ${MAX_JSON_DEPTH} levels deep at ${at}` }]);
  });

  it('E_MANIFEST_INVALID lists every problem, from the schema and the semantic checks', async () => {
    const m = exampleManifest();
    m.volatile = ['/home'];
    m.colour = 'red';
    const err = await loadError(image(m));
    expect(err.code).toBe('E_MANIFEST_INVALID');
    expect(err.problems.map((p) => p.path)).toEqual(['/colour', '/volatile/0']);
    expect(err.render()).toContain('/volatile/0: "/home" is also persistent (/persistent/1)');
  });

  it('reads a manifest through a symlink that stays inside the image root', async () => {
    const root = image('not used');
    const { symlinkSync, writeFileSync, rmSync } = await import('node:fs');
    writeFileSync(join(root, 'real-manifest'), JSON.stringify(exampleManifest()));
    rmSync(join(root, '.cloudlet', 'manifest'));
    symlinkSync('/real-manifest', join(root, '.cloudlet', 'manifest'));
    expect((await loadManifest({ root })).name).toBe('hello');
  });

  it('refuses a manifest symlink that leaves the image root', async () => {
    const root = image('not used');
    const { symlinkSync, rmSync } = await import('node:fs');
    rmSync(join(root, '.cloudlet', 'manifest'));
    symlinkSync('../../../../../../etc/hostname', join(root, '.cloudlet', 'manifest'));
    expect((await loadError(root)).code).toBe('E_PATH_ESCAPE');
  });
});
