// The built executable renders templates in temp image roots: values, modes, owners, pristine copies,
// all-or-nothing failure, dry runs with diffs, and read-only roots (bind-mounted from a tmpfs).

import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCases, treeHash } from './cases';
import { makeImage, runAgent, runInNamespace, tempDir, type Tree } from './harness';

const SECRET = 'pa55-w0rd-value';

const MANIFEST = {
  cloudlet: '0.0.4',
  name: 'tpl',
  version: '1.0.0',
  platforms: ['nocloud'],
  config: {
    schema: {
      type: 'object',
      properties: {
        greeting: { type: 'string', default: 'hello' },
        port: { type: 'integer' },
        db_password: { type: 'string', writeOnly: true },
      },
    },
  },
  templates: ['/etc/motd', { path: '/etc/app/app.conf', mode: '0640', owner: 'app:app' }],
  entrypoints: { init: {} },
};

const APP_CONF = 'port=<%= config.port ?? 8080 %>\npassword=<%- config.db_password %>\n';

const TREE: Tree = {
  '/etc/passwd': 'root:x:0:0:root:/root:/bin/sh\napp:x:1001:1002::/home/app:/bin/sh\n',
  '/etc/group': 'root:x:0:\napp:x:1002:\n',
  '/etc/motd': '<%= config.greeting %> from <%= env.hostname %>\n',
  '/etc/app/app.conf': { content: APP_CONF, mode: 0o600 },
};

const cleanups: Array<() => void> = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()?.();
});

function image(tree: Tree = TREE, manifest: unknown = MANIFEST): string {
  const { root, cleanup } = makeImage(manifest, tree);
  cleanups.push(cleanup);
  return root;
}

function userData(config: Record<string, unknown>, hostname = 'box1'): string {
  const { dir, cleanup } = tempDir('cloudlet-ud-');
  cleanups.push(cleanup);
  const file = join(dir, 'user-data.json');
  writeFileSync(file, JSON.stringify({ config, hostname }));
  return file;
}

const read = (root: string, p: string): string => readFileSync(join(root, p), 'utf8');

/** The user data of the render cases: `config` on the host box1. */
const ud = (config: Record<string, unknown>) => ({ config, hostname: 'box1' });

describe('render: cases', () => {
  runCases([
    {
      name: 'renders the templates with user data, final mode and image owner, and keeps pristine copies',
      manifest: MANIFEST,
      tree: TREE,
      args: ['render'],
      userData: ud({ greeting: 'hi', db_password: SECRET }),
      code: 0,
      hidden: [SECRET],
      after: {
        '/etc/motd': 'hi from box1\n',
        '/etc/app/app.conf': { content: `port=8080\npassword=${SECRET}\n`, mode: 0o640, uid: 1001, gid: 1002 },
        '/.cloudlet/templates/etc/app/app.conf': { content: APP_CONF, mode: 0o600 },
        '/etc/app': { entries: ['app.conf'] },
      },
    },
    {
      name: 'writes no file at all when one template fails, and names the file and line',
      manifest: MANIFEST,
      tree: { ...TREE, '/etc/motd': 'line one\n<%= config.greting %>\n' },
      args: ['render'],
      userData: ud({ db_password: SECRET }),
      code: 1,
      stderr: ['E_TEMPLATE', 'where: /etc/motd:2', 'config.greting is not defined'],
      after: 'unchanged',
    },
    {
      name: 'keeps a secret out of a template error',
      manifest: MANIFEST,
      tree: { ...TREE, '/etc/motd': '<% JSON.parse(config.db_password) %>' },
      args: ['render', '--json'],
      userData: ud({ db_password: SECRET }),
      code: 1,
      hidden: [SECRET],
      json: { ok: false, error: { code: 'E_TEMPLATE', where: '/etc/motd:1' } },
    },
    {
      name: 'refuses an include that leaves the template store, changing nothing',
      manifest: MANIFEST,
      tree: { ...TREE, '/etc/shadow': 'root:$6$hash:1::::::\n', '/.cloudlet/templates/leak': { symlink: '/etc/shadow' }, '/etc/motd': '<%- include("/leak") %>' },
      args: ['render'],
      userData: ud({}),
      code: 1,
      stderr: ['outside /.cloudlet/templates'],
      hidden: ['$6$hash'],
      after: 'unchanged',
    },
    {
      name: 'writes nothing on --dry-run and shows diffs with secrets redacted',
      manifest: MANIFEST,
      tree: TREE,
      args: ['render', '--dry-run', '--diff'],
      userData: ud({ greeting: 'hi', db_password: SECRET }),
      code: 0,
      stdout: ['would render /etc/motd (changed: content, 0644 root:root)', '+hi from box1', '+password=<secret>'],
      hidden: [SECRET],
      after: 'unchanged',
    },
  ]);
});

describe('render', () => {
  it('renders again from the pristine copy and leaves unchanged output alone', () => {
    const root = image();
    expect(runAgent(['render', '--root', root, '--user-data', userData({ greeting: 'first' })]).code).toBe(0);
    const motd = statSync(join(root, '/etc/motd')).ino;
    const conf = statSync(join(root, '/etc/app/app.conf')).ino;
    const r = runAgent(['render', '--root', root, '--user-data', userData({ greeting: 'second' }), '--json']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { templates: Array<{ path: string; changed: boolean; source: string }> };
    expect(out.templates.map((t) => [t.path, t.changed, t.source])).toEqual([
      ['/etc/motd', true, 'pristine'],
      ['/etc/app/app.conf', false, 'pristine'],
    ]);
    expect(read(root, '/etc/motd')).toBe('second from box1\n');
    expect(statSync(join(root, '/etc/motd')).ino).not.toBe(motd);
    expect(statSync(join(root, '/etc/app/app.conf')).ino).toBe(conf);
  });

  it('does not show a rotated secret (no longer in user data) in --diff', () => {
    const root = image();
    expect(runAgent(['render', '--root', root, '--user-data', userData({ db_password: 'old-secret-value' })]).code).toBe(0);
    const r = runAgent(['render', '--root', root, '--user-data', userData({ db_password: SECRET }), '--dry-run', '--diff']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('+password=<secret>');
    expect(r.stdout + r.stderr).not.toContain('old-secret-value');
    expect(r.stdout + r.stderr).not.toContain(SECRET);
  });
});

describe('render on a read-only root', () => {
  it('binds rendered files from a tmpfs over the targets and leaves the image untouched', () => {
    const root = image();
    const before = treeHash(root);
    const { dir: run, cleanup } = tempDir('cloudlet-run-');
    cleanups.push(cleanup);
    const first = userData({ greeting: 'ro-one', db_password: SECRET });
    const second = userData({ greeting: 'ro-two', db_password: SECRET });
    const script = `
      mount --bind "$ROOT" "$ROOT"
      mount -o remount,bind,ro "$ROOT"
      mount -t tmpfs -o mode=0755 tmpfs "$RUN"
      if touch "$ROOT/probe" 2>/dev/null; then echo "root is still writable"; exit 9; fi
      $AGENT render --root "$ROOT" --user-data "$UD1" --run-dir "$RUN"
      echo "motd1=$(cat "$ROOT/etc/motd")"
      echo "rendered=$(cat "$RUN/cloudlet/rendered/etc/motd")"
      echo "pristine=$(cat "$RUN/cloudlet/pristine/etc/motd")"
      echo "confmode=$(stat -c %a:%u:%g "$ROOT/etc/app/app.conf")"
      $AGENT render --root "$ROOT" --user-data "$UD2" --run-dir "$RUN"
      echo "motd2=$(cat "$ROOT/etc/motd")"
    `;
    const r = runInNamespace(script, { env: { ROOT: root, RUN: run, UD1: first, UD2: second } });
    expect(r.stderr).not.toContain(SECRET);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('motd1=ro-one from box1');
    expect(r.stdout).toContain('rendered=ro-one from box1');
    expect(r.stdout).toContain('pristine=<%= config.greeting %> from <%= env.hostname %>');
    expect(r.stdout).toContain('confmode=640:1001:1002');
    expect(r.stdout).toContain('motd2=ro-two from box1');
    // The mounts vanished with the namespace; the image itself was never written.
    expect(treeHash(root)).toBe(before);
  });
});
