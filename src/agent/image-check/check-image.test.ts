import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { reportJson, reportText, validationReport, type ValidationReport } from '../../manifest/validation-report';
import { realSystem } from '../../system/real-system';
import { checkImage } from './check-image';

const SECRET = 'unit-secret-7781-qq';

const cleanups: Array<() => void> = [];
afterEach(() => cleanups.splice(0).forEach((c) => c()));

/** An image tree: the manifest and the given files (mode 0755 for names ending in "*"). */
function tree(manifest: Record<string, unknown>, files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'cloudlet-image-check-'));
  cleanups.push(() => rmSync(root, { recursive: true, force: true }));
  const all: Record<string, string> = { '/.cloudlet/manifest': JSON.stringify(manifest), ...files };
  for (const [name, text] of Object.entries(all)) {
    const executable = name.endsWith('*');
    const host = join(root, executable ? name.slice(0, -1) : name);
    mkdirSync(dirname(host), { recursive: true });
    writeFileSync(host, text);
    chmodSync(host, executable ? 0o755 : 0o644);
  }
  return root;
}

function userData(content: unknown): string {
  const dir = mkdtempSync(join(tmpdir(), 'cloudlet-image-check-ud-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'ud.json');
  writeFileSync(file, JSON.stringify(content));
  return file;
}

const system = realSystem();
const validate = (root: string, ud?: string): Promise<ValidationReport> => validationReport({ root }, ud, (input) => checkImage({ ...input, system }));
const imageProblems = (r: ValidationReport) => r.problems.filter((p) => p.source === 'image');

const SCHEMA = {
  type: 'object',
  properties: {
    greeting: { type: 'string', default: 'hello' },
    port: { type: 'integer', examples: [8080] },
    db_password: { type: 'string', writeOnly: true },
  },
};

function manifest(extra: Record<string, unknown>): Record<string, unknown> {
  return { cloudlet: '0.0.4', name: 'img', config: { schema: SCHEMA }, entrypoints: { init: { path: '/sbin/init' } }, ...extra };
}

const INIT = { '/sbin/init*': '#!/bin/sh\n' };

describe('validate --root: the image tree', () => {
  it('reports every template that does not compile at once, each at its own line with an excerpt', async () => {
    const root = tree(manifest({ templates: ['/etc/a', '/etc/b', '/etc/c'] }), {
      ...INIT,
      '/etc/a': 'one\n<% if (config.greeting) { %>\nthree\nfour\nfive\n',
      '/etc/b': 'one\ntwo <%= config.greeting\nthree\n',
      '/etc/c': 'one\n<% try { %>\n',
    });
    const r = await validate(root);
    expect(r.valid).toBe(false);
    const [a, b, c] = imageProblems(r);
    expect(a).toMatchObject({ path: '/templates/0', message: expect.stringMatching(/^\/etc\/a:2: syntax error: the template ends inside the block opened at this line/) });
    expect(a?.message).toContain('2| <% if (config.greeting) { %>');
    expect(b).toMatchObject({ path: '/templates/1', message: expect.stringMatching(/^\/etc\/b:2: syntax error: the tag "<%=" opened at this line is never closed/) });
    expect(b?.message).toContain('2| two <%= config.greeting');
    expect(c).toMatchObject({ path: '/templates/2', message: expect.stringMatching(/^\/etc\/c:2: /) });
    const text = reportText(r);
    expect(text).not.toContain("Unexpected token 'catch'");
    expect(text).toMatch(/fix: check the <% %> tags/);
  });

  it('names a missing include with the template and line that include it', async () => {
    const root = tree(manifest({ templates: ['/etc/motd'] }), {
      ...INIT,
      '/etc/motd': 'hello\n<%- include("/parts/head.ejs") %>\n<%- include("/parts/gone.ejs") %>\n',
      '/.cloudlet/templates/parts/head.ejs': 'head\n',
    });
    const [p] = imageProblems(await validate(root));
    expect(p?.path).toBe('/templates/0');
    expect(p?.message).toMatch(/include\("\/parts\/gone\.ejs"\): \/\.cloudlet\/templates\/parts\/gone\.ejs does not exist/);
    expect(p?.message).toMatch(/^\/etc\/motd:3: /);
  });

  it("renders with the config schema's defaults and examples and says so; an undefined name is reported", async () => {
    const root = tree(manifest({ templates: ['/etc/ok', '/etc/bad'] }), {
      ...INIT,
      '/etc/ok': '<%= config.greeting %> on <%= config.port %>\n',
      '/etc/bad': 'a\nb\n<%= config.greting %>\n',
    });
    const r = await validate(root);
    expect(imageProblems(r).map((p) => [p.path, p.message.split('\n')[0]])).toEqual([['/templates/1', expect.stringMatching(/^\/etc\/bad:3: .*config\.greting/)]]);
    expect(r.image?.templates).toMatch(/^2 templates compiled and rendered with the config schema's defaults and examples/);
    expect(reportText(r)).toContain("rendered with the config schema's defaults and examples");
  });

  it('renders with the given user data, says which, and never shows a secret value', async () => {
    const root = tree(manifest({ templates: ['/etc/app.conf'] }), {
      ...INIT,
      '/etc/app.conf': 'pw=<%= config.db_password %>\n<% if (config.db_password.length > 3) throw new Error("bad " + config.db_password) %>\n',
    });
    const ud = userData({ config: { db_password: SECRET } });
    const r = await validate(root, ud);
    expect(r.image?.templates).toContain(`rendered with the user data of ${ud}`);
    expect(imageProblems(r)).toEqual([expect.objectContaining({ path: '/templates/0', message: expect.stringMatching(/^\/etc\/app\.conf:2: /) })]);
    const all = reportText(r) + JSON.stringify(reportJson(r));
    expect(all).not.toContain(SECRET);
  });

  it('compiles only, and says why, when neither user data nor the schema make a valid config', async () => {
    const schema = { type: 'object', required: ['owner'], properties: { owner: { type: 'string' } } };
    const root = tree(manifest({ config: { schema }, templates: ['/etc/motd'] }), { ...INIT, '/etc/motd': '<%= config.nobody %>\n' });
    const r = await validate(root);
    expect(r.valid).toBe(true);
    expect(r.image?.templates).toMatch(/compiled, not rendered: .*\(\/config\/owner\); give --user-data FILE/);
  });

  it('reports a template without source, a missing or non-executable init, missing kernel files, persistent paths without storage', async () => {
    const m = manifest({
      templates: ['/etc/motd'],
      persistent: ['/var/lib/app'],
      entrypoints: { init: { path: '/sbin/init' }, kernel: { path: '/boot/vmlinuz', initrd: '/boot/initrd.img' } },
    });
    const r = await validate(tree(m, { '/sbin/init': '#!/bin/sh\n', '/boot/vmlinuz': 'kernel' }));
    expect(imageProblems(r).map((p) => p.path)).toEqual(['/templates/0', '/entrypoints/init/path', '/entrypoints/kernel/initrd', '/persistent']);
    const [source, init, initrd, storage] = imageProblems(r);
    expect(source?.message).toMatch(/has no source/);
    expect(init?.message).toMatch(/\/sbin\/init is not executable/);
    expect(initrd?.message).toMatch(/\/boot\/initrd\.img does not exist/);
    expect(storage?.message).toMatch(/persistent paths are declared \(\/var\/lib\/app\) but no storage device is given/);
    expect(storage?.fix).toMatch(/"storage"/);
    const missing = await validate(tree(manifest({ entrypoints: { init: {} } }), {}));
    expect(imageProblems(missing)).toEqual([expect.objectContaining({ path: '/entrypoints/init', message: expect.stringMatching(/\/sbin\/init does not exist/) })]);
  });

  it('takes the storage device from the user data as the boot does', async () => {
    const root = tree(manifest({ persistent: ['/var/lib/app'] }), INIT);
    expect(imageProblems(await validate(root, userData({ storage: { device: 'LABEL=data' } })))).toEqual([]);
  });

  it('is valid for a complete image, and does not look at the tree for a --manifest file', async () => {
    const root = tree(manifest({ templates: ['/etc/motd'] }), { ...INIT, '/etc/motd': '<%= config.greeting %>\n' });
    const r = await validate(root);
    expect(r.problems).toEqual([]);
    expect(reportText(r)).toMatch(/^image .*: valid\n {2}\(1 template compiled and rendered/m);
    const file = await validationReport({ root: '/', file: join(root, '.cloudlet', 'manifest') }, undefined, (input) => checkImage({ ...input, system }));
    expect(file.image).toBeUndefined();
  });
});

describe('validate --root: entry point paths the image cannot follow', () => {
  it('reports an init path whose symlink leaves the image, instead of stopping', async () => {
    const root = tree(manifest({}), {});
    mkdirSync(join(root, 'sbin'), { recursive: true });
    symlinkSync('../../../../../../../../etc/passwd-elsewhere', join(root, 'sbin', 'init'));
    const r = await validate(root);
    expect(imageProblems(r)).toEqual([expect.objectContaining({ path: '/entrypoints/init/path', message: expect.stringMatching(/\/sbin\/init cannot be followed in the image \(refusing/) })]);
  });
});
