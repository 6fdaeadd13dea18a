// Blackbox: every output reaches a pipe whole when its reader is slower than the agent: stdout and stderr, JSON and text.

import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startAgent } from './agent-process';
import { makeImage, type Tree } from './harness';

/** Enough templates for every output below to be well past a pipe's 64 KiB. */
const MANY = 1000;
/** Rendering for real fsyncs each file: fewer, still well past a pipe. */
const RENDERED = 600;
const MARK = 'chroot-entry-point-ran';

const cleanups: Array<() => void> = [];
afterAll(() => {
  for (const c of cleanups.splice(0)) c();
});

const paths = (n: number, prefix: string) => Array.from({ length: n }, (_, i) => `${prefix}${i}.conf`);

/** An image whose manifest lists `n` templates, each relative (one problem each) or real files. */
function image(n: number, kind: 'invalid' | 'valid'): string {
  const templates = kind === 'invalid' ? paths(n, 'etc/relative/f') : paths(n, '/etc/many/f');
  const tree: Tree = {};
  if (kind === 'valid') for (const p of templates) tree[p] = `name=<%= manifest.name %>\n`;
  const img = makeImage({ cloudlet: '0.0.4', name: 'piped', templates, entrypoints: { chroot: { command: ['/bin/busybox', 'echo', MARK] } } }, tree);
  cleanups.push(img.cleanup);
  if (kind === 'valid') {
    mkdirSync(join(img.root, 'bin'));
    copyFileSync('/bin/busybox', join(img.root, 'bin', 'busybox'));
  }
  return img.root;
}

describe('output to a pipe with a slow reader', () => {
  it(`validate --json prints the whole report of ${MANY} problems`, async () => {
    const r = await startAgent(['validate', '--root', image(MANY, 'invalid'), '--json'], { slowStdout: true }).done;
    expect(r.code, r.stderr).toBe(2);
    const report = JSON.parse(r.stdout) as { valid: boolean; problems: { path: string }[] };
    expect(report.valid).toBe(false);
    expect(report.problems.map((p) => p.path)).toEqual(Array.from({ length: MANY }, (_, i) => `/templates/${i}`));
  });

  it(`validate prints every one of ${MANY} problems as text`, async () => {
    const r = await startAgent(['validate', '--root', image(MANY, 'invalid')], { slowStdout: true }).done;
    expect(r.code, r.stderr).toBe(2);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toContain(`${MANY} problems`);
    expect(lines.filter((l) => /^ {2}\/templates\/\d+: /.test(l))).toHaveLength(MANY);
    expect(lines.at(-1)).toContain(`/templates/${MANY - 1}:`);
  });

  it(`render --dry-run --json prints the plan of all ${MANY} templates`, async () => {
    const r = await startAgent(['render', '--root', image(MANY, 'valid'), '--dry-run', '--json'], { slowStdout: true }).done;
    expect(r.code, r.stderr).toBe(0);
    const plan = JSON.parse(r.stdout) as { dryRun: boolean; templates: { path: string }[] };
    expect(plan.dryRun).toBe(true);
    expect(plan.templates.map((t) => t.path)).toEqual(paths(MANY, '/etc/many/f'));
  });

  it(`an error with ${MANY} problems reaches stderr whole, its fix last`, async () => {
    const r = await startAgent(['render', '--root', image(MANY, 'invalid')], { slowStderr: true }).done;
    expect(r.code).toBe(2);
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines.filter((l) => /^ {2}- \/templates\/\d+: /.test(l))).toHaveLength(MANY);
    expect(lines.at(-1)).toMatch(/^ {2}fix: correct the manifest/);
  });

  it(`render --json of ${RENDERED} templates: every event on stderr, finish last, and the whole result on stdout`, async () => {
    const r = await startAgent(['render', '--root', image(RENDERED, 'valid'), '--json'], { slowStdout: true, slowStderr: true }).done;
    expect(r.code, r.stderr.slice(-2000)).toBe(0);
    const events = r.stderr.trimEnd().split('\n').map((l) => JSON.parse(l) as { event: string; item?: { kind: string } });
    expect(events.filter((e) => e.item?.kind === 'template')).toHaveLength(RENDERED);
    expect(events.at(-1)?.event).toBe('finish');
    const result = JSON.parse(r.stdout) as { templates: unknown[] };
    expect(result.templates).toHaveLength(RENDERED);
  });

  it(`chroot hands over only once its ${RENDERED} progress events are out`, async () => {
    const r = await startAgent(['chroot', '--root', image(RENDERED, 'valid'), '--json'], { slowStderr: true }).done;
    expect(r.code, r.stderr.slice(-2000)).toBe(0);
    const events = r.stderr.trimEnd().split('\n').map((l) => JSON.parse(l) as { event: string; item?: { kind: string } });
    expect(events.filter((e) => e.item?.kind === 'template')).toHaveLength(RENDERED);
    expect(events.at(-1)?.event).toBe('finish');
    expect(r.stdout).toContain(MARK);
  });
});
