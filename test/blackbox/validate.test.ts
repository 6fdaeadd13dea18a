// The built executable's validate and specs commands against throwaway image roots.

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { makeImage, runAgent, tempDir } from './harness';

const SECRET = 'bb-fixture-secret-0042';

const MANIFEST = {
  cloudlet: '0.0.4',
  name: 'hello',
  version: '1.2.0',
  config: {
    schema: {
      type: 'object',
      additionalProperties: false,
      properties: {
        greeting: { type: 'string', default: 'hello' },
        port: { type: 'integer', default: 8080 },
        db_password: { type: 'string', writeOnly: true, minLength: 64 },
      },
    },
  },
  templates: ['/etc/motd', { path: '/etc/app/app.conf', mode: '0640', owner: 'root:app' }],
  persistent: ['/var/lib/app'],
  volatile: ['/tmp', { path: '/var/cache/app', size: '64M', mode: '1777' }],
  entrypoints: { init: { path: '/sbin/init', requires: { kernel: '>=4.19' } } },
};

const cleanups: Array<() => void> = [];
afterEach(() => cleanups.splice(0).forEach((c) => c()));

function image(manifest: unknown): string {
  const { root, cleanup } = makeImage(manifest);
  cleanups.push(cleanup);
  return root;
}

function userDataFile(content: unknown): string {
  const { dir, cleanup } = tempDir();
  cleanups.push(cleanup);
  const file = join(dir, 'user-data.json');
  writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
  return file;
}

const run = (args: string[]) => runAgent(args, { namespace: false });

describe('cloudlet-agent validate', () => {
  it('exits 0 for a valid manifest and names the image', () => {
    const r = run(['validate', '--root', image(MANIFEST)]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('valid (hello 1.2.0)');
  });

  it('exits 2 and lists every problem with its JSON path, schema and semantic alike', () => {
    const bad = { ...MANIFEST, colour: 'red', volatile: ['/var/lib/app/cache', { path: '/x', mode: '999' }], templates: ['etc/motd'] };
    const r = run(['validate', '--root', image(bad), '--json']);
    expect(r.code).toBe(2);
    const out = JSON.parse(r.stdout) as { valid: boolean; problems: Array<{ path: string }>; manifest: unknown };
    expect(out.valid).toBe(false);
    expect(out.manifest).toEqual({ name: 'hello', version: '1.2.0' });
    expect(out.problems.map((p) => p.path).sort()).toEqual(['/colour', '/templates/0', '/volatile/0', '/volatile/1/mode']);
  });

  it('reports a JSON syntax error with its line and column', () => {
    const r = run(['validate', '--root', image('{\n  "cloudlet": "0.0.4",\n  "name": "x",,\n}')]);
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/not valid JSON at line 3 column 15/);
  });

  it('exits 2 with E_MANIFEST_MISSING when the root has no manifest', () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const r = run(['validate', '--root', dir]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('E_MANIFEST_MISSING');
  });

  it('checks a manifest file given with --manifest', () => {
    const root = image(MANIFEST);
    expect(run(['validate', '--manifest', join(root, '.cloudlet', 'manifest')]).code).toBe(0);
  });

  it('checks user data against the config schema, printing neither the secret nor any other value', () => {
    const file = userDataFile({ config: { port: 'eighty-eighty', db_password: SECRET, colour: 'red-value' }, hostname: 'not_a_hostname' });
    for (const json of [false, true]) {
      const r = run(['validate', '--root', image(MANIFEST), '--user-data', file, ...(json ? ['--json'] : [])]);
      expect(r.code).toBe(2);
      const all = r.stdout + r.stderr;
      for (const value of [SECRET, 'eighty-eighty', 'red-value', 'not_a_hostname']) expect(all).not.toContain(value);
      expect(all).toContain('/hostname');
      expect(all).toContain('/config/port');
      expect(all).toContain('/config/colour');
    }
    const config = run(['validate', '--root', image(MANIFEST), '--user-data', userDataFile({ config: { port: 'eighty', db_password: SECRET } }), '--json']);
    const out = JSON.parse(config.stdout) as { problems: Array<{ path: string; source: string }> };
    expect(out.problems.map((p) => [p.source, p.path])).toEqual([
      ['user-data', '/config/port'],
      ['user-data', '/config/db_password'],
    ]);
    expect(config.stdout).not.toContain(SECRET);
  });

  it('accepts valid user data', () => {
    const r = run(['validate', '--root', image(MANIFEST), '--user-data', userDataFile({ config: { greeting: 'hi' }, hostname: 'web-1' })]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/user data .*: valid/);
  });

  it('refuses user data over 1 MiB', () => {
    const r = run(['validate', '--root', image(MANIFEST), '--user-data', userDataFile({ config: { greeting: 'x'.repeat(1100 * 1024) } })]);
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/larger than 1 MiB/);
  });
});

describe('cloudlet-agent specs', () => {
  it('prints the manifest schema by default and the user-data schema on request', () => {
    const manifest = run(['specs']);
    expect(manifest.code).toBe(0);
    expect((JSON.parse(manifest.stdout) as { $id: string }).$id).toBe('urn:cloudlet:manifest:0.0.4:v1');
    const userData = run(['specs', 'user-data']);
    expect((JSON.parse(userData.stdout) as { $id: string }).$id).toBe('urn:cloudlet-agent:user-data:v1');
  });

  it('exits 2 for an unknown schema name', () => {
    expect(run(['specs', 'nope']).code).toBe(2);
  });
});
