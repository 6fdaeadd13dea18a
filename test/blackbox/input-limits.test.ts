// Blackbox: deep user data and manifests, and a costly config schema, are refused as invalid input (exit 2) by every entry path.

import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { agentCommand, makeImage, runAgent, runInNamespace, tempDir, type Tree } from './harness';

const cleanups: Array<() => void> = [];
afterAll(() => cleanups.splice(0).forEach((c) => c()));

const nest = (n: number) => `${'['.repeat(n)}${']'.repeat(n)}`;
/** User data of the reproduction: {"config":{"x":[[[...]]]}}. */
const deepUserData = (n: number) => `{"config":{"x":${nest(n)}}}`;
/** The 252-byte manifest: a config schema with arrays n deep under a $ref'd definition. */
const slowSchemaManifest = (n: number, platforms: string[]) =>
  `{"cloudlet":"0.0.4","name":"d7","platforms":${JSON.stringify(platforms)},"config":{"schema":{"definitions":{"pw":{"x":${nest(n)}}},"properties":{"list":{"items":{"$ref":"#/definitions/pw"}}}}},"entrypoints":{"chroot":{"command":["/bin/sh"]}}}`;

const manifest = (platforms: string[]) => ({
  cloudlet: '0.0.4',
  name: 'limits',
  platforms,
  config: { schema: { type: 'object', properties: { x: {}, greeting: { type: 'string', default: 'hi' } } } },
  templates: ['/etc/motd'],
  entrypoints: { init: {} },
});

function image(m: unknown, tree: Tree = {}): string {
  // The init entry point's program too: validate looks for it in the image.
  const img = makeImage(m, { '/etc/motd': 'greeting=<%= config.greeting %>\n', '/sbin/init': { content: '#!/bin/sh\n', mode: 0o755 }, ...tree });
  cleanups.push(img.cleanup);
  return img.root;
}

function file(name: string, content: string): string {
  const { dir, cleanup } = tempDir();
  cleanups.push(cleanup);
  writeFileSync(join(dir, name), content);
  return join(dir, name);
}

/** `run` of an image as a boot would, with /proc/cmdline replaced; the exit code, stderr and status.json. */
function boot(root: string, cmdline = 'console=ttyS0') {
  const cmdlineFile = file('cmdline', `${cmdline}\n`);
  const runDir = tempDir('cloudlet-run-');
  cleanups.push(runDir.cleanup);
  const r = runInNamespace(['mount --bind "$CMDLINE" /proc/cmdline', 'set +e', '$AGENT run --root "$ROOT" --run-dir "$RUN_DIR"', 'echo "rc=$?"'].join('\n'), {
    env: { CMDLINE: cmdlineFile, ROOT: root, RUN_DIR: runDir.dir },
  });
  const rc = /rc=(\d+)/.exec(r.stdout);
  const status = JSON.parse(readFileSync(join(runDir.dir, 'cloudlet', 'status.json'), 'utf8')) as { state: string; error?: { code: string } };
  return { code: rc ? Number(rc[1]) : r.code, stderr: r.stderr, status, motd: readFileSync(join(root, 'etc/motd'), 'utf8') };
}

const DEPTH_MESSAGE = /nests arrays and objects more than 64 levels deep \(line 1, column \d+\)/;

describe.each([2000, 5000])('user data nested %i deep', (n) => {
  it('--user-data: validate and render refuse it as invalid input, with parseable --json', () => {
    const ud = file('ud.json', deepUserData(n));
    const root = image(manifest(['file']));
    const v = runAgent(['validate', '--root', root, '--user-data', ud, '--json'], { namespace: false });
    expect(v.code).toBe(2);
    const report = JSON.parse(v.stdout) as { valid: boolean; problems: Array<{ path: string; message: string; source: string }> };
    expect(report.valid).toBe(false);
    expect(report.problems).toEqual([{ path: '', message: expect.stringMatching(DEPTH_MESSAGE), source: 'user-data' }]);
    const r = runAgent(['render', '--root', root, '--user-data', ud, '--dry-run', '--json'], { namespace: false });
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: false, error: { code: 'E_USERDATA_INVALID', message: expect.stringMatching(DEPTH_MESSAGE) } });
  });

  it('the file platform: the boot stops with E_USERDATA_INVALID, exit 2, nothing rendered', () => {
    const b = boot(image(manifest(['file']), { '/etc/cloudlet/user-data.json': deepUserData(n) }));
    expect(b.code).toBe(2);
    expect(b.stderr).toMatch(/error E_USERDATA_INVALID: user data from file nests arrays and objects more than 64 levels deep/);
    expect(b.stderr).toMatch(/fix: flatten the user data there/);
    expect(b.status).toMatchObject({ state: 'error', error: { code: 'E_USERDATA_INVALID' } });
    expect(b.motd).toBe('greeting=<%= config.greeting %>\n');
  });

  it('the kernel command line: cloudlet.user-data= is refused the same way', () => {
    const b64 = Buffer.from(deepUserData(n)).toString('base64');
    const b = boot(image(manifest(['cmdline'])), `console=ttyS0 cloudlet.user-data=${b64} quiet`);
    expect(b.code).toBe(2);
    expect(b.stderr).toMatch(/error E_USERDATA_INVALID: user data from cmdline nests arrays and objects more than 64 levels deep/);
    expect(b.status).toMatchObject({ state: 'error', error: { code: 'E_USERDATA_INVALID' } });
  });
});

describe('a manifest nested 5000 deep', () => {
  const deepManifest = JSON.stringify(manifest(['file'])).replace('"x":{}', `"x":{"default":${nest(5000)}}`);

  it('validate --json reports it as a problem of the manifest, exit 2', () => {
    const v = runAgent(['validate', '--manifest', file('manifest.json', deepManifest), '--json'], { namespace: false });
    expect(v.code).toBe(2);
    expect(JSON.parse(v.stdout)).toMatchObject({ valid: false, problems: [{ path: '', message: expect.stringMatching(/nest more than 64 levels deep at line 1 column \d+/), source: 'manifest' }] });
  });

  it('the boot stops with E_MANIFEST_PARSE, exit 2', () => {
    const b = boot(image(deepManifest, { '/etc/cloudlet/user-data.json': '{}' }));
    expect(b.code).toBe(2);
    expect(b.stderr).toMatch(/error E_MANIFEST_PARSE: the manifest cannot be read: its arrays and objects nest more than 64 levels deep \(line 1 column \d+\)/);
  });
});

describe('a manifest whose list items all fail (found by the fuzz harness)', () => {
  it('validate reports 100,000 wrong volatile items, exit 2, each once', () => {
    const m = { ...manifest(['file']), volatile: Array.from({ length: 100_000 }, () => ({})) };
    const [bin, ...pre] = agentCommand();
    // The report is megabytes: more than runAgent buffers.
    const v = spawnSync(bin as string, [...pre, 'validate', '--manifest', file('manifest.json', JSON.stringify(m)), '--json'], { encoding: 'utf8', maxBuffer: 256 << 20, timeout: 60_000 });
    expect(v.status).toBe(2);
    const report = JSON.parse(v.stdout) as { problems: Array<{ path: string }> };
    expect(report.problems).toHaveLength(100_000);
    expect(report.problems[99_999]?.path).toBe('/volatile/99999/path');
  });
});

describe('the slow config schema of the issue (arrays 36 and 40 deep under a $ref)', () => {
  it.each([36, 40])('validate refuses depth %i at once, naming the place and the limit', (n) => {
    const v = runAgent(['validate', '--manifest', file('manifest.json', slowSchemaManifest(n, ['file'])), '--json'], { namespace: false });
    expect(v.code).toBe(2);
    expect(JSON.parse(v.stdout)).toMatchObject({
      valid: false,
      problems: [{ path: expect.stringMatching(/^\/config\/schema\/definitions\/pw\/x(\/0)+$/), message: 'is nested more than 32 levels deep inside config.schema', source: 'manifest' }],
    });
  });

  it('the boot\'s user-data step refuses it with E_MANIFEST_INVALID, exit 2', () => {
    const b = boot(image(slowSchemaManifest(36, ['file']), { '/etc/cloudlet/user-data.json': '{"config":{"list":[]}}' }));
    expect(b.code).toBe(2);
    expect(b.stderr).toMatch(/error E_MANIFEST_INVALID: the manifest's config schema is larger or deeper than the agent compiles/);
    expect(b.stderr).toMatch(/\/config\/schema\/definitions\/pw\/x\/0.*: is nested more than 32 levels deep/);
  });
});
