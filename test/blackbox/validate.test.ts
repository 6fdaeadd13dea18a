// The built executable's validate and specs commands against throwaway image roots.

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { helloImage } from '../../src/manifest/test-fixtures';
import { makeImage, runAgent, runCloudlet, tempDir, type Tree } from './harness';

const SECRET = 'bb-fixture-secret-0042';
/** long enough for MANIFEST's db_password (at least 64 characters) */
const LONG_SECRET = `${SECRET}-${'z'.repeat(48)}`;

/** The hello manifest and the tree holding what it names, so that its image is valid. */
const { manifest: MANIFEST, tree: TREE } = helloImage();

const cleanups: Array<() => void> = [];
afterEach(() => cleanups.splice(0).forEach((c) => c()));

function image(manifest: unknown, tree: Tree = TREE): string {
  const { root, cleanup } = makeImage(manifest, tree);
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

describe('cloudlet-agent validate --root: what the boot would find in the image', () => {
  const broken = {
    ...MANIFEST,
    templates: ['/etc/motd', '/etc/unclosed', '/etc/tag', '/etc/with-include', '/etc/shipped-nowhere'],
    persistent: ['/var/lib/app'],
    storage: undefined,
    entrypoints: { init: { path: '/sbin/init' }, kernel: { path: '/boot/vmlinuz', initrd: '/boot/initrd.img' } },
  };
  const brokenTree: Tree = {
    ...TREE,
    '/sbin/init': { content: '#!/bin/sh\n', mode: 0o644 },
    '/boot/vmlinuz': 'kernel',
    '/etc/unclosed': 'one\n<% if (config.greeting) { %>\nthree\nfour\nfive\n',
    '/etc/tag': 'one\ntwo <%= config.greeting\nthree\n',
    '/etc/with-include': 'head\n<%- include("/parts/missing.ejs") %>\n',
  };

  it('reports every problem at once, each at its JSON path with file:line, an excerpt and a fix; exit 2', () => {
    const root = image(broken, brokenTree);
    const r = run(['validate', '--root', root]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(2);
    const lines = r.stdout.split('\n');
    expect(lines).toContain(`image ${root}: 7 problems`);
    expect(r.stdout).toContain('  /templates/1: /etc/unclosed:2: syntax error: the template ends inside the block opened at this line');
    expect(r.stdout).toContain('    2| <% if (config.greeting) { %>');
    expect(r.stdout).toContain('  /templates/2: /etc/tag:2: syntax error: the tag "<%=" opened at this line is never closed with "%>"');
    expect(r.stdout).toContain('    2| two <%= config.greeting');
    expect(r.stdout).toContain('  /templates/3: /etc/with-include:2: include("/parts/missing.ejs"): /.cloudlet/templates/parts/missing.ejs does not exist in the image');
    expect(r.stdout).toMatch(/ {2}\/templates\/4: template \/etc\/shipped-nowhere has no source/);
    expect(r.stdout).toMatch(/ {2}\/entrypoints\/init\/path: the init entry point \/sbin\/init is not executable/);
    expect(r.stdout).toMatch(/ {2}\/entrypoints\/kernel\/initrd: .*\/boot\/initrd\.img does not exist/);
    expect(r.stdout).toMatch(/ {2}\/persistent: persistent paths are declared \(\/var\/lib\/app\) but no storage device is given\n {4}fix: add "storage"/);
    expect(r.stdout).not.toContain('catch');
    const json = JSON.parse(run(['validate', '--root', root, '--json']).stdout) as { problems: Array<{ source: string; path: string; fix?: string }> };
    expect(json.problems.map((p) => `${p.source} ${p.path}`)).toEqual([
      'image /templates/1',
      'image /templates/2',
      'image /templates/3',
      'image /templates/4',
      'image /entrypoints/init/path',
      'image /entrypoints/kernel/initrd',
      'image /persistent',
    ]);
    expect(json.problems.every((p) => typeof p.fix === 'string' && p.fix.length > 0)).toBe(true);
  });

  it("renders in memory with the config schema's defaults and examples, or with --user-data, says which, and reports an undefined name", () => {
    const m = { ...MANIFEST, templates: ['/etc/motd', '/etc/typo'] };
    const root = image(m, { ...TREE, '/etc/typo': 'a\n<%= config.greting %>\n' });
    const r = run(['validate', '--root', root]);
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/ {2}\/templates\/1: \/etc\/typo:2: .*config\.greting/);
    expect(r.stdout).toContain("  (2 templates compiled and rendered with the config schema's defaults and examples");
    const ud = userDataFile({ config: { greeting: 'hi', db_password: LONG_SECRET } });
    const given = run(['validate', '--root', root, '--user-data', ud]);
    expect(given.code).toBe(2);
    expect(given.stdout).toContain(`  (2 templates compiled and rendered with the user data of ${ud}; env: this machine's facts)`);
    expect(given.stdout).toMatch(/\/etc\/typo:2: /);
  });

  it('reports a render error at its template line without the writeOnly value its message would quote', () => {
    const m = { ...MANIFEST, templates: ['/etc/app/app.conf'] };
    const root = image(m, { ...TREE, '/etc/app/app.conf': 'a\n<%= JSON.parse(config.db_password) %>\n<%= config.db_password.nope.deeper %>\n' });
    const ud = userDataFile({ config: { db_password: LONG_SECRET } });
    for (const json of [false, true]) {
      const r = run(['validate', '--root', root, '--user-data', ud, ...(json ? ['--json'] : [])]);
      expect(r.code).toBe(2);
      expect(r.stdout).toMatch(/\/etc\/app\/app\.conf:2/);
      expect(r.stdout).toContain('its message is not shown: it quotes a value that may be a secret');
      expect(r.stdout + r.stderr).not.toContain(SECRET);
    }
  });

  it('refuses unknown hypervisor names in requires', () => {
    const m = { ...MANIFEST, entrypoints: { init: { path: '/sbin/init', requires: { hypervisor: ['kvm', 'kvmm'] } } } };
    const r = run(['validate', '--root', image(m), '--json']);
    expect(r.code).toBe(2);
    const out = JSON.parse(r.stdout) as { problems: Array<{ path: string; message: string }> };
    expect(out.problems).toEqual([expect.objectContaining({ path: '/entrypoints/init/requires/hypervisor/1', message: expect.stringMatching(/^unknown hypervisor "kvmm"/) })]);
  });

  it('refuses an unknown config.schema keyword (a misspelled writeOnly); a run warns of it and goes on', () => {
    const schema = { ...MANIFEST.config.schema, properties: { ...MANIFEST.config.schema.properties, db_password: { type: 'string', writeonly: true } } };
    const m = { ...MANIFEST, config: { schema }, templates: ['/etc/motd'], persistent: [], volatile: [], storage: undefined };
    const root = image(m);
    const r = run(['validate', '--root', root]);
    expect(r.code).toBe(2);
    expect(r.stdout).toContain('  /config/schema/properties/db_password/writeonly: unknown keyword "writeonly": JSON Schema ignores it, so it has no effect (did you mean "writeOnly"?');
    const render = runAgent(['render', '--root', root, '--user-data', userDataFile({ config: {} })]);
    expect(render.code).toBe(0);
    expect(render.stderr).toMatch(/Loaded manifest hello 1\.2\.0; warning: \/config\/schema\/properties\/db_password\/writeonly: unknown keyword "writeonly"/);
  });

  it('passes a complete image and fails a broken one; cloudlet validate gives the same report byte for byte', () => {
    const root = image(MANIFEST);
    const ud = userDataFile({ config: { greeting: 'hi', db_password: 'x'.repeat(64) } });
    for (const args of [['--root', root], ['--root', root, '--user-data', ud, '--json']]) {
      const agents = run(['validate', ...args]);
      expect(agents.code).toBe(0);
      const mine = runCloudlet(['validate', ...args]);
      expect(mine.code).toBe(0);
      expect(mine.stdout).toBe(agents.stdout);
    }
    const broken = image({ ...MANIFEST, templates: ['/etc/motd', '/etc/x'] }, { ...TREE, '/etc/x': '<% for (;;) { %>\n' });
    const agents = run(['validate', '--root', broken]);
    expect(agents.code).toBe(2);
    expect(runCloudlet(['validate', '--root', broken]).stdout).toBe(agents.stdout);
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
