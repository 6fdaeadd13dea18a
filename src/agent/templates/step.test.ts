// The templates step on real temp trees: pristine copies, unchanged files, confinement, events.

import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TemplateSpec } from '../../manifest/types';
import type { RunContext } from '../step';
import type { ItemEvent, Reporter } from '../status/reporter';
import type { System } from '../../system/system';
import { templatesStep } from './step';
import { FACTS, fakeManifest, PASSWD, GROUP, SECRET, SOURCE, USER_DATA } from './test-fixtures';

let base: string;
let root: string;
let run: string;

beforeEach(() => {
  base = mkdtempSync(join(tmpdir(), 'cloudlet-templates-'));
  root = join(base, 'root');
  run = join(base, 'run');
  mkdirSync(run);
  put('/etc/passwd', PASSWD);
  put('/etc/group', GROUP);
});

afterEach(() => rmSync(base, { recursive: true, force: true }));

function put(path: string, text: string, mode = 0o644): void {
  const host = join(root, path);
  mkdirSync(dirname(host), { recursive: true });
  writeFileSync(host, text);
  chmodSync(host, mode);
}

function read(path: string): string {
  return readFileSync(join(root, path), 'utf8');
}

function modeOf(path: string): number {
  return statSync(join(root, path)).mode & 0o7777;
}

/** Hash of every file below the root, to prove nothing changed. */
function treeHash(): string {
  const h = createHash('sha256');
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const p = join(dir, name);
      const st = lstatSync(p);
      h.update(`${p}:${st.mode}:${st.isFile() ? readFileSync(p).toString('hex') : ''}\n`);
      if (st.isDirectory()) walk(p);
    }
  };
  walk(root);
  return h.digest('hex');
}

function context(templates: TemplateSpec[], config: Record<string, unknown> = USER_DATA.config, events: ItemEvent[] = []): RunContext {
  let clock = 0;
  const system = {
    hostPaths: { proc: '/proc', sys: '/sys', dev: '/dev', run },
    monotonicMs: () => (clock += 2),
    exec: async () => ({ code: 1, signal: null, stdout: '', stderr: 'no mounts in unit tests' }),
  } as unknown as System;
  const reporter = { item: (_step: string, e: ItemEvent) => void events.push(e) } as unknown as Reporter;
  return {
    system,
    options: { root, mode: 'run', entrypoint: 'init', dryRun: false },
    reporter,
    state: { manifest: fakeManifest(templates), facts: FACTS, source: SOURCE, userData: { ...USER_DATA, config } },
  };
}

async function renderAll(ctx: RunContext): Promise<string> {
  const plan = await templatesStep.plan(ctx);
  return (await templatesStep.apply(plan, ctx)).summary;
}

describe('templates step on a real tree', () => {
  it('renders in place with the final mode and owner, and keeps the shipped file as a pristine copy', async () => {
    put('/etc/app/app.conf', 'greeting=<%= config.greeting %>\n', 0o600);
    const summary = await renderAll(context([{ path: '/etc/app/app.conf', mode: '0640', owner: 'root:app' }]));
    expect(summary).toBe('Rendered 1 template (1 changed)');
    expect(read('/etc/app/app.conf')).toBe('greeting=hi\n');
    expect(modeOf('/etc/app/app.conf')).toBe(0o640);
    expect(statSync(join(root, '/etc/app/app.conf')).gid).toBe(1000);
    expect(read('/.cloudlet/templates/etc/app/app.conf')).toBe('greeting=<%= config.greeting %>\n');
    expect(modeOf('/.cloudlet/templates/etc/app/app.conf')).toBe(0o600);
  });

  it('renders later runs from the pristine copy, not from the rendered file', async () => {
    put('/etc/motd', '<%= config.greeting %>\n');
    await renderAll(context([{ path: '/etc/motd' }]));
    await renderAll(context([{ path: '/etc/motd' }], { ...USER_DATA.config, greeting: 'second' }));
    expect(read('/etc/motd')).toBe('second\n');
  });

  it('tells templates whether this is the first boot, as the user-data step recorded it', async () => {
    put('/etc/first', '<%= env.firstBoot ? "first" : "again" %>\n');
    const first = context([{ path: '/etc/first' }]);
    first.state.firstBoot = true;
    await renderAll(first);
    expect(read('/etc/first')).toBe('first\n');
    const later = context([{ path: '/etc/first' }]);
    later.state.firstBoot = false;
    await renderAll(later);
    expect(read('/etc/first')).toBe('again\n');
  });

  it('does not rewrite a file whose output, mode and owner are already right', async () => {
    put('/etc/motd', '<%= config.greeting %>\n');
    await renderAll(context([{ path: '/etc/motd' }]));
    const before = statSync(join(root, '/etc/motd'));
    const events: ItemEvent[] = [];
    const summary = await renderAll(context([{ path: '/etc/motd' }], USER_DATA.config, events));
    expect(summary).toBe('Rendered 1 template (0 changed)');
    expect(statSync(join(root, '/etc/motd')).ino).toBe(before.ino);
    expect(events.map((e) => [e.name, e.outcome])).toEqual([['/etc/motd', 'unchanged']]);
  });

  it('writes nothing at all, not even pristine copies, when one template of the set fails', async () => {
    put('/etc/a', 'a=<%= config.greeting %>\n');
    put('/etc/b', 'b=<%= config.nope %>\n');
    const before = treeHash();
    await expect(templatesStep.plan(context([{ path: '/etc/a' }, { path: '/etc/b' }]))).rejects.toMatchObject({ code: 'E_TEMPLATE', where: '/etc/b:1' });
    expect(treeHash()).toBe(before);
  });

  it('creates missing parent directories with mode 0755 and leaves no temp files behind', async () => {
    put('/.cloudlet/templates/srv/new/deep/app.ini', 'x=<%= env.arch %>\n');
    await renderAll(context([{ path: '/srv/new/deep/app.ini' }]));
    expect(read('/srv/new/deep/app.ini')).toBe('x=x86_64\n');
    expect(modeOf('/srv/new')).toBe(0o755);
    expect(modeOf('/srv/new/deep')).toBe(0o755);
    expect(modeOf('/srv/new/deep/app.ini')).toBe(0o644);
    expect(readdirSync(join(root, 'srv/new/deep'))).toEqual(['app.ini']);
  });

  it('removes the temp files killed writers left beside targets and pristine copies, and keeps those of live writers', async () => {
    put('/etc/app/app.conf', '<%= config.greeting %>\n');
    const boot = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim().replace(/-/g, '').slice(0, 12);
    const gone = spawnSync('true').pid as number;
    const earlierBoot = boot === '0123456789ab' ? 'ba9876543210' : '0123456789ab';
    const stale = [`/etc/app/.app.conf.cloudlet-${earlierBoot}-1-a1`, `/etc/app/.other.cloudlet-${boot}-${gone}-b2`, `/.cloudlet/templates/etc/app/.app.conf.cloudlet-${boot}-${gone}-c3`];
    const live = [`/etc/app/.app.conf.cloudlet-${boot}-${process.ppid}-d4`, `/etc/app/.app.conf.cloudlet-${boot}-${process.pid}-e5`];
    for (const p of [...stale, ...live]) put(p, 'old secret\n');
    mkdirSync(join(root, '.cloudlet/templates/etc/app'), { recursive: true });
    const ctx = context([{ path: '/etc/app/app.conf' }]);
    const plan = await templatesStep.plan(ctx);
    expect(templatesStep.describe(plan).filter((l) => l.startsWith('remove'))).toHaveLength(3);
    expect((await templatesStep.apply(plan, ctx)).summary).toBe('Rendered 1 template (1 changed; removed 3 stale temp files)');
    expect(readdirSync(join(root, 'etc/app')).sort()).toEqual(['app.conf', ...live.map((p) => p.split('/').pop())].sort());
    expect(readdirSync(join(root, '.cloudlet/templates/etc/app'))).toEqual(['app.conf']);
  });

  it('refuses a target that a symlink leads into /.cloudlet, where it would rewrite the next boot\'s manifest', async () => {
    put('/.cloudlet/manifest', '{"kept": true}');
    symlinkSync('/.cloudlet/manifest', join(root, 'etc/evil.conf'));
    const before = treeHash();
    const err = await templatesStep.plan(context([{ path: '/etc/evil.conf' }])).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'E_TEMPLATE', where: '/etc/evil.conf', message: expect.stringContaining('/.cloudlet/manifest') });
    expect(treeHash()).toBe(before);
  });

  it('renders through a symlinked target without replacing the link', async () => {
    put('/usr/share/app/real.conf', 'v=<%= env.cpus %>\n');
    symlinkSync('/usr/share/app/real.conf', join(root, 'etc/link.conf'));
    await renderAll(context([{ path: '/etc/link.conf' }]));
    expect(lstatSync(join(root, 'etc/link.conf')).isSymbolicLink()).toBe(true);
    expect(read('/usr/share/app/real.conf')).toBe('v=2\n');
  });

  it('reads includes from the template store', async () => {
    put('/.cloudlet/templates/partials/head.ejs', '# <%= manifest.name %>\n');
    put('/etc/motd', '<%- include("/partials/head.ejs") %>body\n');
    await renderAll(context([{ path: '/etc/motd' }]));
    expect(read('/etc/motd')).toBe('# hello\nbody\n');
  });

  it('refuses an include that a symlink in the store leads out of the store, even inside the image', async () => {
    put('/etc/shadow', 'root:hash\n');
    mkdirSync(join(root, '.cloudlet/templates'), { recursive: true });
    symlinkSync('/etc/shadow', join(root, '.cloudlet/templates/leak'));
    put('/etc/motd', '<%- include("/leak") %>');
    const err = await templatesStep.plan(context([{ path: '/etc/motd' }])).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'E_TEMPLATE', where: '/etc/motd:1' });
    expect((err as Error).message).toContain('outside /.cloudlet/templates');
  });

  it('refuses an include whose symlink leaves the image', async () => {
    mkdirSync(join(root, '.cloudlet/templates'), { recursive: true });
    symlinkSync('../../../../outside', join(root, '.cloudlet/templates/out'));
    put('/etc/motd', '<%- include("/out") %>');
    await expect(templatesStep.plan(context([{ path: '/etc/motd' }]))).rejects.toMatchObject({ code: 'E_TEMPLATE' });
  });

  it('describes the plan without content, and keeps secrets out of its JSON', async () => {
    put('/etc/app.conf', 'password=<%= config.db_password %>\n');
    const ctx = context([{ path: '/etc/app.conf', mode: '0600' }]);
    const plan = await templatesStep.plan(ctx);
    expect(templatesStep.describe(plan)).toEqual(['render /etc/app.conf (changed, 0600 root:root)']);
    const shown = JSON.stringify(templatesStep.toJSON(plan));
    expect(shown).not.toContain(SECRET);
    expect(shown).not.toContain('password=');
    expect(read('/etc/app.conf')).toBe('password=<%= config.db_password %>\n');
  });

  it('reports each template as an item event with its duration', async () => {
    put('/etc/a', 'a');
    put('/etc/b', '<%= config.greeting %>');
    const events: ItemEvent[] = [];
    await renderAll(context([{ path: '/etc/a' }, { path: '/etc/b' }], USER_DATA.config, events));
    expect(events.map((e) => [e.kind, e.name, e.outcome])).toEqual([
      ['template', '/etc/a', 'unchanged'],
      ['template', '/etc/b', 'changed'],
    ]);
    expect(events.every((e) => e.durationMs > 0)).toBe(true);
  });
});
