// Bench rows for an image with 10,000 templates: wall time, CPU per template and peak memory, under 1024 open files.

import { spawnSync } from 'node:child_process';
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { copyRoot, templateUserData, writeTemplateRoot } from './fixtures.mjs';
import { median } from './measure.mjs';

const TEMPLATES = 10_000;
const RUNS = 3;
// The usual soft limit on open files: an image of this size must not need more.
const OPEN_FILES = 1024;
const GNU_TIME = '/usr/bin/time';
// Without GNU time, python's getrusage(RUSAGE_CHILDREN) gives the same figures.
const PY_RUSAGE =
  'import resource,subprocess,sys;r=subprocess.run(sys.argv[1:],stdout=subprocess.DEVNULL,stderr=subprocess.PIPE);' +
  'u=resource.getrusage(resource.RUSAGE_CHILDREN);sys.stderr.write(r.stderr.decode(errors="replace"));' +
  'sys.stderr.write("\\n%f %f %d\\n"%(u.ru_utime,u.ru_stime,u.ru_maxrss));sys.exit(r.returncode)';

/** One run of argv: wall ms, user+system CPU ms and peak RSS KiB of the process, or why it failed. */
function measureOnce(argv) {
  const probe = existsSync(GNU_TIME) ? [GNU_TIME, '-f', '\n%U %S %M', ...argv] : ['python3', '-c', PY_RUSAGE, ...argv];
  const started = performance.now();
  const r = spawnSync(probe[0], probe.slice(1), { encoding: 'utf8', timeout: 900_000, stdio: ['ignore', 'ignore', 'pipe'] });
  const ms = performance.now() - started;
  if (r.error) throw r.error;
  const lines = r.stderr.trim().split('\n');
  const [user, system, rss] = (lines.pop() ?? '').split(' ').map(Number);
  if (r.status !== 0) return { failed: `exit ${r.status}: ${lines.find((l) => l.startsWith('error')) ?? lines[0] ?? ''}` };
  return { ms, cpuMs: (user + system) * 1000, rssKiB: rss };
}

/** Times `argvFor(i)` on a fresh copy of `pristine` each run (every template written, as on a first boot). */
function measure(name, pristine, work, argvFor) {
  const samples = [];
  for (let i = 0; i < RUNS; i++) {
    const root = join(work, `scale-${i}`);
    rmSync(root, { recursive: true, force: true });
    copyRoot(pristine, root);
    const s = measureOnce(['prlimit', `--nofile=${OPEN_FILES}`, '--', ...argvFor(root, i)]);
    rmSync(root, { recursive: true, force: true });
    if (s.failed) return { name, note: `failed (${s.failed})` };
    samples.push(s);
  }
  const cpuMs = median(samples.map((s) => s.cpuMs));
  return {
    name,
    median: median(samples.map((s) => s.ms)),
    cpuMs,
    cpuPerTemplateUs: (cpuMs * 1000) / TEMPLATES,
    peakRssKiB: Math.max(...samples.map((s) => s.rssKiB)),
    note: '',
  };
}

/** The rows: `render` of an image tree and a first-boot `run` (inside `unshare -m`), 10,000 templates each. */
export function scaleRows({ agent, work }) {
  const pristine = join(work, 'scale-pristine');
  writeTemplateRoot(pristine, TEMPLATES);
  const userData = join(work, 'scale-user-data.json');
  writeFileSync(userData, JSON.stringify(templateUserData()));
  const rows = [
    measure(`render ${TEMPLATES} templates`, pristine, work, (root) => [agent, 'render', '--root', root, '--user-data', userData]),
    measure(`run ${TEMPLATES} templates (first boot)`, pristine, work, (root, i) => [
      'unshare', '-m', '--propagation', 'private',
      agent, 'run', '--root', root, '--user-data', userData, '--run-dir', join(work, `scale-run-${i}`),
    ]),
  ];
  rmSync(pristine, { recursive: true, force: true });
  return { templates: TEMPLATES, runs: RUNS, openFiles: OPEN_FILES, rows };
}

/** The rows as a table for the terminal. */
export function showScale(scale) {
  const fmt = (v, unit, digits = 1) => (v === undefined ? '-' : `${v.toFixed(digits)} ${unit}`);
  const table = [
    ['measure', 'median', 'cpu', 'cpu/template', 'peak rss', 'note'],
    ...scale.rows.map((r) => [r.name, fmt(r.median, 'ms', 0), fmt(r.cpuMs, 'ms', 0), fmt(r.cpuPerTemplateUs, 'µs'), fmt(r.peakRssKiB && r.peakRssKiB / 1024, 'MiB'), r.note]),
  ];
  const widths = table[0].map((_, c) => Math.max(...table.map((row) => row[c].length)));
  const lines = table.map((row) => row.map((cell, c) => cell.padEnd(widths[c])).join('  ').trimEnd());
  lines.splice(1, 0, widths.map((w) => '-'.repeat(w)).join('  '));
  return [
    `${scale.templates} templates, a fresh copy per run, ${scale.runs} runs (median; peak rss: the highest), under prlimit --nofile=${scale.openFiles}`,
    '',
    ...lines,
    '',
  ].join('\n');
}
