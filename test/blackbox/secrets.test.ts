// Blackbox: secret values reach no output in any spelling: not HTML-escaped in a diff, not cut short in an engine's message.

import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { makeImage, runAgent, tempDir, type AgentRun } from './harness';

const cleanups: Array<() => void> = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()?.();
});

function manifest(templates: string[]): unknown {
  return {
    cloudlet: '0.0.4',
    name: 'secrets',
    version: '1.0.0',
    config: { schema: { type: 'object', properties: { db_password: { type: 'string', writeOnly: true } } } },
    templates,
    entrypoints: { init: { path: '/sbin/init' } },
  };
}

/** An image with the given files, a user-data file carrying `secret`, and a run directory. */
function setup(secret: string, tree: Record<string, string>): { root: string; userData: string; runDir: string; dir: string } {
  const img = makeImage(manifest(Object.keys(tree)), { ...tree, '/sbin/init': '#!/bin/sh\n' });
  cleanups.push(img.cleanup);
  const tmp = tempDir('cloudlet-secrets-bb-');
  cleanups.push(tmp.cleanup);
  const userData = join(tmp.dir, 'user-data.json');
  writeFileSync(userData, JSON.stringify({ config: { db_password: secret } }));
  return { root: img.root, userData, runDir: join(tmp.dir, 'run'), dir: tmp.dir };
}

/** Every run of `n` characters of `secret`: a leak of a part shows as one of them. */
function runsOf(secret: string, n: number): string[] {
  return Array.from({ length: secret.length - n + 1 }, (_, i) => secret.slice(i, i + n));
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((f) => join(dir, f))
    .filter((f) => statSync(f).isFile());
}

describe('render --diff', () => {
  it('shows an HTML-escaped secret as <secret>, with none of its characters', () => {
    const secret = `Zq9&Wx<7>"Kp'mVb3`;
    const s = setup(secret, { '/etc/app.conf': 'password=<%= config.db_password %>\nraw=<%- config.db_password %>\n' });
    const r = runAgent(['render', '--root', s.root, '--user-data', s.userData, '--dry-run', '--diff'], { namespace: false });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('+password=<secret>');
    expect(r.stdout).toContain('+raw=<secret>');
    // Letters and digits survive every escaping: none of them may show.
    for (const part of ['Zq9', 'mVb3', 'Wx', 'Kp']) expect(r.stdout + r.stderr).not.toContain(part);
  });
});

describe('a template that runs JSON.parse on a secret', () => {
  it('leaves no part of it in the console, status.json, report.json or the analyze timeline', () => {
    // Longer than the 10 characters V8 quotes of a value it cannot parse.
    const secret = 'Kx7q-Wm2v-Zp9r-Tn4d-Hb6s';
    const s = setup(secret, { '/etc/app.conf': 'one\n<% const v = JSON.parse(config.db_password) %>\n' });
    const outputs: AgentRun[] = [];
    const run = runAgent(['run', '--root', s.root, '--user-data', s.userData, '--run-dir', s.runDir]);
    outputs.push(run);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('E_TEMPLATE');
    expect(run.stderr).toContain('where: /etc/app.conf:2');
    const svg = join(s.dir, 'boot.svg');
    const analyze = runAgent(['analyze', '--svg', svg, '--run-dir', s.runDir], { namespace: false });
    outputs.push(analyze, runAgent(['status', '--run-dir', s.runDir], { namespace: false }), runAgent(['status', '--json', '--run-dir', s.runDir], { namespace: false }));
    expect(analyze.code, analyze.stderr).toBe(0);
    const files = filesUnder(s.runDir).map((f) => [f, readFileSync(f, 'utf8')] as const);
    expect(files.map(([f]) => f.slice(s.runDir.length))).toEqual(expect.arrayContaining(['/cloudlet/status.json', '/cloudlet/report.json']));
    const status = JSON.parse(readFileSync(join(s.runDir, 'cloudlet', 'status.json'), 'utf8')) as { error?: { code: string; where: string } };
    expect(status.error).toMatchObject({ code: 'E_TEMPLATE', where: '/etc/app.conf:2' });
    const shown: Array<readonly [string, string]> = [
      ...files,
      ['timeline', readFileSync(svg, 'utf8')],
      ...outputs.flatMap((o, i) => [[`stdout ${i}`, o.stdout] as const, [`stderr ${i}`, o.stderr] as const]),
    ];
    for (const [where, text] of shown) for (const part of runsOf(secret, 4)) expect(text, `${where} holds "${part}"`).not.toContain(part);
  });
});
