// The built executable renders templates in temp image roots: values, modes, owners, pristine copies,
// all-or-nothing failure, dry runs with diffs, and read-only roots (bind-mounted from a tmpfs).

import { createHash } from 'node:crypto';
import { lstatSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
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

/** sha256 over every path, mode, owner and content below root: proves a failed run changed nothing. */
function treeHash(root: string): string {
  const h = createHash('sha256');
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const p = join(dir, name);
      const st = lstatSync(p);
      h.update(`${p} ${st.mode} ${st.uid}:${st.gid} ${st.isFile() ? createHash('sha256').update(readFileSync(p)).digest('hex') : ''}\n`);
      if (st.isDirectory()) walk(p);
    }
  };
  walk(root);
  return h.digest('hex');
}

const read = (root: string, p: string): string => readFileSync(join(root, p), 'utf8');

describe('render', () => {
  it('renders the templates with user data, final mode and image owner, and keeps pristine copies', () => {
    const root = image();
    const r = runAgent(['render', '--root', root, '--user-data', userData({ greeting: 'hi', db_password: SECRET })]);
    expect(r.stderr).not.toContain(SECRET);
    expect(r.stdout).not.toContain(SECRET);
    expect(r.code).toBe(0);
    expect(read(root, '/etc/motd')).toBe('hi from box1\n');
    expect(read(root, '/etc/app/app.conf')).toBe(`port=8080\npassword=${SECRET}\n`);
    const st = statSync(join(root, '/etc/app/app.conf'));
    expect([st.mode & 0o7777, st.uid, st.gid]).toEqual([0o640, 1001, 1002]);
    expect(read(root, '/.cloudlet/templates/etc/app/app.conf')).toBe(APP_CONF);
    expect(statSync(join(root, '/.cloudlet/templates/etc/app/app.conf')).mode & 0o7777).toBe(0o600);
    expect(readdirSync(join(root, 'etc/app'))).toEqual(['app.conf']);
  });

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

  it('writes no file at all when one template fails, and names the file and line', () => {
    const root = image({ ...TREE, '/etc/motd': 'line one\n<%= config.greting %>\n' });
    const before = treeHash(root);
    const r = runAgent(['render', '--root', root, '--user-data', userData({ db_password: SECRET })]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('E_TEMPLATE');
    expect(r.stderr).toContain('where: /etc/motd:2');
    expect(r.stderr).toContain('config.greting is not defined');
    expect(treeHash(root)).toBe(before);
  });

  it('keeps a secret out of a template error', () => {
    const root = image({ ...TREE, '/etc/motd': '<% JSON.parse(config.db_password) %>' });
    const r = runAgent(['render', '--root', root, '--user-data', userData({ db_password: SECRET }), '--json']);
    expect(r.code).toBe(1);
    expect(r.stdout + r.stderr).not.toContain(SECRET);
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: false, error: { code: 'E_TEMPLATE', where: '/etc/motd:1' } });
  });

  it('refuses an include that leaves the template store, changing nothing', () => {
    const root = image({ ...TREE, '/etc/shadow': 'root:$6$hash:1::::::\n', '/.cloudlet/templates/leak': { symlink: '/etc/shadow' }, '/etc/motd': '<%- include("/leak") %>' });
    const before = treeHash(root);
    const r = runAgent(['render', '--root', root, '--user-data', userData({})]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('outside /.cloudlet/templates');
    expect(r.stderr).not.toContain('$6$hash');
    expect(treeHash(root)).toBe(before);
  });

  it('writes nothing on --dry-run and shows diffs with secrets redacted', () => {
    const root = image();
    const before = treeHash(root);
    const r = runAgent(['render', '--root', root, '--user-data', userData({ greeting: 'hi', db_password: SECRET }), '--dry-run', '--diff']);
    expect(r.code).toBe(0);
    expect(treeHash(root)).toBe(before);
    expect(r.stdout).toContain('would render /etc/motd (changed: content, 0644 root:root)');
    expect(r.stdout).toContain('+hi from box1');
    expect(r.stdout).toContain('+password=<secret>');
    expect(r.stdout + r.stderr).not.toContain(SECRET);
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
