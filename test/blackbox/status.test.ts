// Blackbox: after `run` on a temp image, `status` and `analyze` read the run directory; no secret leaks anywhere.

import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeImage, runAgent, runInNamespace, tempDir, type AgentRun } from './harness';

const SECRET = 'Fixture-Secret-7f3a9c';
const cleanups: Array<() => void> = [];
afterAll(() => {
  for (const c of cleanups.splice(0)) c();
});

function manifest(kernel: string): unknown {
  return {
    cloudlet: '0.0.4',
    name: 'statusdemo',
    version: '3.1.0',
    config: {
      schema: {
        type: 'object',
        properties: {
          greeting: { type: 'string', default: 'hi' },
          db_password: { type: 'string', writeOnly: true },
        },
      },
    },
    templates: ['/etc/app.conf', '/etc/motd'],
    entrypoints: { init: { path: '/sbin/init', requires: { os: 'linux', kernel } } },
  };
}

/** An image, a user-data file carrying the secret, and a fresh run directory. */
function setup(kernel: string): { root: string; userData: string; runDir: string } {
  const img = makeImage(manifest(kernel), {
    '/etc/app.conf': 'greeting=<%= config.greeting %>\npassword=<%= config.db_password %>\n',
    '/etc/motd': '<%= config.greeting %> from <%= manifest.name %>\n',
    '/sbin/init': { content: '#!/bin/sh\n', mode: 0o755 },
  });
  cleanups.push(img.cleanup);
  const tmp = tempDir('cloudlet-status-bb-');
  cleanups.push(tmp.cleanup);
  const userData = join(tmp.dir, 'user-data.json');
  writeFileSync(userData, JSON.stringify({ config: { greeting: 'hello', db_password: SECRET } }));
  return { root: img.root, userData, runDir: join(tmp.dir, 'run') };
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((f) => join(dir, f))
    .filter((f) => statSync(f).isFile());
}

const outputs: AgentRun[] = [];
function agent(args: string[], namespace = false): AgentRun {
  const r = runAgent(args, { namespace });
  outputs.push(r);
  return r;
}

describe('status and analyze after a successful run', () => {
  let s: ReturnType<typeof setup>;
  beforeAll(() => {
    s = setup('>=2');
    const r = agent(['run', '--root', s.root, '--user-data', s.userData, '--run-dir', s.runDir], true);
    expect(r.code, r.stderr).toBe(0);
  });

  it('the rendered image got the secret, so the fixture really carried one', () => {
    expect(readFileSync(join(s.root, 'etc', 'app.conf'), 'utf8')).toContain(`password=${SECRET}`);
  });

  it('status --json reports done with the image, steps and timings, exit 0', () => {
    const r = agent(['status', '--json', '--run-dir', s.runDir]);
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout) as Record<string, unknown> & { steps: { name: string; durationMs: number }[] };
    expect(doc).toMatchObject({ version: 1, state: 'done', mode: 'run', image: { name: 'statusdemo', version: '3.1.0' } });
    expect(typeof doc.durationMs).toBe('number');
    expect(doc.steps.map((st) => st.name)).toEqual(expect.arrayContaining(['manifest', 'templates']));
    for (const st of doc.steps) expect(typeof st.durationMs).toBe('number');
  });

  it('status --wait returns at once for a finished run, exit 0', () => {
    const r = agent(['status', '--wait', '--timeout', '20', '--run-dir', s.runDir]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^cloudlet-agent: done in /);
  });

  it('analyze prints blame and critical path, and --svg writes a well-formed timeline with every step', () => {
    const svg = join(s.runDir, '..', 'boot.svg');
    const r = agent(['analyze', '--svg', svg, '--run-dir', s.runDir]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('Blame (slowest first):');
    expect(r.stdout).toContain('Critical path');
    const lint = spawnSync('xmllint', ['--noout', svg], { encoding: 'utf8' });
    if (lint.error) throw new Error(`xmllint is needed for this test (apt-get install libxml2-utils): ${lint.error.message}`);
    expect(lint.status, lint.stderr).toBe(0);
    const text = readFileSync(svg, 'utf8');
    const report = JSON.parse(readFileSync(join(s.runDir, 'cloudlet', 'report.json'), 'utf8')) as { steps: { name: string }[] };
    expect(report.steps.length).toBeGreaterThan(0);
    for (const step of report.steps) expect(text).toContain(`data-step="${step.name}"`);
    expect(text).not.toContain(SECRET);
  });

  it('no file under the run directory holds the secret', () => {
    const files = filesUnder(s.runDir);
    expect(files.map((f) => f.slice(s.runDir.length))).toEqual(expect.arrayContaining(['/cloudlet/status.json', '/cloudlet/report.json']));
    for (const f of files) expect(readFileSync(f, 'utf8'), f).not.toContain(SECRET);
  });
});

describe('status after a failing run', () => {
  it('reports error with the code, exit 1', () => {
    const s = setup('>=999');
    const run = agent(['run', '--root', s.root, '--user-data', s.userData, '--run-dir', s.runDir], true);
    expect(run.code).toBe(3);
    expect(run.stderr).toContain('[FAILED]');
    const r = agent(['status', '--json', '--run-dir', s.runDir]);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toMatchObject({ state: 'error', error: { code: 'E_REQUIREMENTS_UNMET' } });
    for (const f of filesUnder(s.runDir)) expect(readFileSync(f, 'utf8'), f).not.toContain(SECRET);
  });
});

describe('status --wait while the agent runs', () => {
  it('follows the run live over the socket, step by step, and exits 0 when it is done', () => {
    const s = setup('>=2');
    // User data from a FIFO holds the run in its user-data step until the script writes to it:
    // long enough for the socket to come up and for status --wait to connect and follow.
    const fifo = `${s.userData}.fifo`;
    const r = runInNamespace(
      `mkfifo "$FIFO"
      $AGENT run --root "$ROOT" --user-data "$FIFO" --run-dir "$RUN" 2>/dev/null & run=$!
      for i in $(seq 200); do [ -S "$RUN/cloudlet/agent.sock" ] && break; sleep 0.05; done
      [ -S "$RUN/cloudlet/agent.sock" ] || { echo "no socket while the run waits" >&2; kill $run; exit 9; }
      $AGENT status --wait --timeout 30 --run-dir "$RUN" >"$RUN.out" 2>"$RUN.err" & status=$!
      # Connected and following: it shows the manifest step, which ended before it came.
      for i in $(seq 400); do grep -q 'Loaded manifest' "$RUN.err" 2>/dev/null && break; sleep 0.05; done
      grep -q 'Loaded manifest' "$RUN.err" || { echo "status --wait showed nothing while the run waits" >&2; kill $run $status; exit 9; }
      cat "$USERDATA" >"$FIFO"
      wait $run; echo "run=$?"
      wait $status; echo "status=$?"
      cat "$RUN.err"`,
      { env: { FIFO: fifo, ROOT: s.root, RUN: s.runDir, USERDATA: s.userData } },
    );
    outputs.push(r);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('run=0');
    expect(r.stdout).toContain('status=0');
    // Progress lines come only from socket events: the file fallback prints the summary alone.
    expect(r.stdout).toMatch(/\[ {2}OK {2}\] Finished cloudlet-agent/);
    expect(readFileSync(`${s.runDir}.out`, 'utf8')).toMatch(/^cloudlet-agent: done in /);
  });
});

describe('status without a run', () => {
  it('exits 5 at once without --wait, and exits 5 when --wait times out', () => {
    const { dir } = tempDir('cloudlet-status-none-');
    cleanups.push(() => spawnSync('rm', ['-rf', dir]));
    expect(agent(['status', '--run-dir', dir]).code).toBe(5);
    const waited = agent(['status', '--wait', '--timeout', '1', '--json', '--run-dir', dir]);
    expect(waited.code).toBe(5);
    expect(JSON.parse(waited.stdout)).toMatchObject({ state: 'not-started', timedOut: true });
  });
});

describe('outputs', () => {
  it('no command printed the secret on stdout or stderr', () => {
    expect(outputs.length).toBeGreaterThan(5);
    for (const o of outputs) {
      expect(o.stdout).not.toContain(SECRET);
      expect(o.stderr).not.toContain(SECRET);
    }
  });
});
