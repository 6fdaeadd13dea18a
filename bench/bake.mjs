// Bake rows of `npm run bench`: each bake stage timed beside its floor (the tool doing that work alone) in the same run.
//
// The Debian test tree is the VM tier's cached base (test/vm/setup/debian-image.sh), unpacked once.
// Bakes take seconds, so each row runs a few times (3 by default) and stops early once a row has
// used its time budget; the runs column says how many it got. Nothing is asserted.

import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { childrenCpuMs, median, runOnce } from './measure.mjs';

/** The issue's targets: a cold raw bake within 1.3x of mkfs.ext4 -d alone, a cache hit within 0.5 s. */
const RAW_RATIO_TARGET = 1.3;
const HIT_TARGET_MS = 500;
const HIT_RUNS = 10;
/** A row stops after the run that takes it past this (bake and floor together): slow formats get fewer runs. */
const ROW_BUDGET_MS = 40_000;
const BAKE_TIMEOUT_MS = 900_000;
const CONVERSIONS = ['qcow2', 'vhd', 'vhdx', 'vmdk', 'ova', 'gce'];

/** The VM tier's Debian base tar, built by its setup script when missing (respects CLOUDLET_VM_CACHE). */
function debianBase(repo) {
  execFileSync('bash', [join(repo, 'test/vm/setup/debian-image.sh')], { stdio: ['ignore', 'ignore', 'inherit'] });
  const cache = process.env.CLOUDLET_VM_CACHE ?? join(repo, '.cache', 'vm');
  const kver = readFileSync(join(cache, 'kernel', 'current'), 'utf8').trim();
  return { kver, tar: join(cache, 'debian', kver, 'base.tar') };
}

/** The base tree with a manifest booting its own kernel and initrd, the init it ships. */
function writeTree(base, tree) {
  mkdirSync(tree, { recursive: true });
  execFileSync('tar', ['--numeric-owner', '--xattrs', '--xattrs-include=*', '-xpf', base.tar, '-C', tree]);
  const manifest = {
    cloudlet: '0.0.4',
    name: 'bench-debian',
    version: '1.0.0',
    platforms: ['nocloud'],
    entrypoints: {
      kernel: { path: `/boot/vmlinuz-${base.kver}`, initrd: `/boot/initrd.img-${base.kver}`, requires: { arch: ['x86_64'] } },
      init: { path: '/sbin/init', requires: { os: 'linux' } },
    },
  };
  mkdirSync(join(tree, '.cloudlet'));
  writeFileSync(join(tree, '.cloudlet', 'manifest'), `${JSON.stringify(manifest, null, 2)}\n`);
  // Whole-second times, as the tarball's members have: what was added looks like the rest of the tree.
  const now = Math.floor(Date.now() / 1000);
  for (const p of [join(tree, '.cloudlet', 'manifest'), join(tree, '.cloudlet'), tree]) utimesSync(p, now, now);
}

/** One timed run: wall and CPU (user + system of the child and its children) in ms; throws on failure. */
function timed(argv, what) {
  const cpuBefore = childrenCpuMs();
  const r = runOnce(argv, { timeout: BAKE_TIMEOUT_MS, maxBuffer: 64 * 1024 * 1024 });
  const cpu = childrenCpuMs() - cpuBefore;
  if (r.code !== 0) throw new Error(`${what} failed (exit ${r.code}): ${`${r.stderr || r.stdout}`.trim().split('\n').slice(-3).join(' | ')}`);
  return { ms: r.ms, cpu, stdout: r.stdout };
}

/**
 * Runs `pair(i)` (which times one bake and its floor, alternating so both see the same load) up to
 * `runs` times, fewer once the row has used its budget.
 */
function pairs(runs, pair) {
  const bake = [];
  const floor = [];
  const started = performance.now();
  for (let i = 0; i < runs; i++) {
    const r = pair(i);
    bake.push(r.bake);
    if (r.floor) floor.push(r.floor);
    if (performance.now() - started > ROW_BUDGET_MS) break;
  }
  const stat = (xs, key) => (xs.length ? median(xs.map((x) => x[key])) : undefined);
  return { runs: bake.length, median: stat(bake, 'ms'), cpu: stat(bake, 'cpu'), floor: stat(floor, 'ms'), floorCpu: stat(floor, 'cpu') };
}

/** Shell words of a --dry-run step line (bake quotes with single quotes only). */
function words(line) {
  const out = [];
  for (const m of line.matchAll(/'((?:[^']|'\\'')*)'|(\S+)/g)) out.push(m[1] !== undefined ? m[1].replace(/'\\''/g, "'") : m[2]);
  return out;
}

/** Apparent and allocated bytes of each file a target published. */
function sizes(report) {
  return report.outputs.flatMap((o) =>
    o.files.map((f) => {
      const st = statSync(f.path);
      return { target: o.target, file: f.path.split('/').pop(), bytes: st.size, allocated: st.blocks * 512 };
    }),
  );
}

export function bakeRows({ repo, work, runs }) {
  const started = performance.now();
  const bin = join(work, 'bake-bin');
  mkdirSync(bin);
  // Copies: other builds in the same tree must not swap the executables (or the agent's digest) mid-run.
  const cloudlet = join(bin, 'cloudlet');
  const agent = join(bin, 'cloudlet-agent');
  copyFileSync(join(repo, 'dist', 'cloudlet'), cloudlet);
  copyFileSync(join(repo, 'dist', 'cloudlet-agent'), agent);
  execFileSync('chmod', ['755', cloudlet, agent]);

  const base = debianBase(repo);
  const tree = join(work, 'debian-tree');
  writeTree(base, tree);
  const treeFiles = Number(execFileSync('sh', ['-c', `find "${tree}" | wc -l`], { encoding: 'utf8' }).trim());
  const treeBytes = Number(execFileSync('du', ['-sb', tree], { encoding: 'utf8' }).split('\t')[0]);

  const bake = (cache, out, targets, extra = []) => [cloudlet, 'bake', tree, '--target', targets, '--out', out, '--cache', cache, '--agent', agent, '--json', ...extra];
  const rows = [];

  // (a) A cold bake (fresh cache: staging, digests, the disk, the raw target) against mkfs.ext4 -d of the same tree, same size.
  let plan;
  const warm = { cache: join(work, 'bake-cache'), out: join(work, 'bake-out') };
  const raw = pairs(runs, (i) => {
    const cache = join(work, `bake-cold-${i}`);
    const out = join(work, `bake-cold-out-${i}`);
    const b = timed(bake(cache, out, 'raw'), 'cold raw bake');
    plan = JSON.parse(b.stdout).disk.plan;
    const img = join(work, 'floor.ext4');
    const f = timed(['mkfs.ext4', '-q', '-F', '-b', String(plan.root.blockSize), '-d', tree, img, String(plan.root.blocks)], 'mkfs.ext4 -d');
    rmSync(img, { force: true });
    // The last cold run's cache becomes the warm cache of the rows below.
    rmSync(warm.cache, { recursive: true, force: true });
    rmSync(warm.out, { recursive: true, force: true });
    execFileSync('mv', [cache, warm.cache]);
    execFileSync('mv', [out, warm.out]);
    return { bake: b, floor: f };
  });
  rows.push({ name: 'bake raw, cold cache', floorName: 'mkfs.ext4 -d, same tree and size', ...raw, target: { ratio: RAW_RATIO_TARGET } });

  // (b) A rebake with nothing changed, against the process start alone.
  const hitArgv = bake(warm.cache, warm.out, 'raw');
  const first = JSON.parse(timed(hitArgv, 'cache-hit bake').stdout);
  if (!first.disk.cached || first.outputs.some((o) => !o.cached)) throw new Error('the rebake with nothing changed was not a cache hit');
  const hit = pairs(HIT_RUNS, () => ({ bake: timed(hitArgv, 'cache-hit bake'), floor: timed([cloudlet, '--version'], 'cloudlet --version') }));
  rows.push({ name: 'bake raw, cache hit', floorName: 'cloudlet --version', ...hit, target: { ms: HIT_TARGET_MS } });

  // (c) A new target on the cached disk: the time bake --target raw,X adds to the cache hit, against its conversion alone.
  const planned = JSON.parse(timed(bake(warm.cache, warm.out, ['raw', ...CONVERSIONS].join(','), ['--dry-run']), 'bake --dry-run').stdout).planned;
  const rawFile = first.outputs[0].files[0].path;
  const floorDir = join(work, 'bake-floor');
  mkdirSync(floorDir);
  const outputs = [...sizes(first)];
  const floors = {};
  for (const target of CONVERSIONS) {
    const steps = planned.find((p) => p.target === target).steps;
    const convertLine = steps.find((s) => s.startsWith('qemu-img convert') && !s.includes('-O raw'));
    const floorArgv = floorCommand(target, convertLine, rawFile, floorDir, plan);
    let report;
    const conv = pairs(runs, () => {
      const b = timed(bake(warm.cache, warm.out, `raw,${target}`), `bake --target raw,${target}`);
      report = JSON.parse(b.stdout);
      const entry = report.outputs.find((o) => o.target === target);
      rmSync(join(warm.cache, 'stages', 'target', entry.key.replace(/^sha256:/, '')), { recursive: true, force: true });
      // ova's disk is the vmdk's conversion: the same floor, measured once.
      const f = floorArgv ? timed(floorArgv.argv, `${target} floor`) : undefined;
      if (floorArgv) for (const name of readdirSync(floorDir)) if (name !== 'padded') rmSync(join(floorDir, name), { force: true });
      return { bake: { ms: b.ms - hit.median, cpu: b.cpu - hit.cpu }, floor: f };
    });
    if (floorArgv) floors[target] = { floor: conv.floor, floorCpu: conv.floorCpu, name: floorArgv.name };
    const same = floorArgv ? undefined : floors.vmdk;
    rows.push({ name: `+ ${target} on the cached disk`, ...conv, ...(same ? { floor: same.floor, floorCpu: same.floorCpu, floorName: `${same.name} (the vmdk row's)` } : { floorName: floorArgv.name }) });
    outputs.push(...sizes({ outputs: report.outputs.filter((o) => o.target === target) }));
  }
  rmSync(floorDir, { recursive: true, force: true });
  return { runs, hitRuns: HIT_RUNS, budgetMs: ROW_BUDGET_MS, tree: { files: treeFiles, bytes: treeBytes, kver: base.kver }, diskBytes: plan.totalBytes, rows, outputs, seconds: (performance.now() - started) / 1000 };
}

/**
 * The conversion alone: bake's own qemu-img convert line from its --dry-run plan, on the same raw. For
 * gce, whose disk is a padded copy, GNU tar's sparse oldgnu tar.gz of a padded copy made untimed.
 */
function floorCommand(target, convertLine, rawFile, dir, plan) {
  if (target === 'ova') return undefined;
  if (target === 'gce') {
    const padded = join(dir, 'padded');
    mkdirSync(padded, { recursive: true });
    execFileSync('cp', ['--sparse=always', rawFile, join(padded, 'disk.raw')]);
    const gib = 1024 ** 3;
    execFileSync('truncate', ['-s', String(Math.ceil(plan.totalBytes / gib) * gib), join(padded, 'disk.raw')]);
    return { name: 'tar --format=oldgnu -Sczf (padded copy)', argv: ['tar', '--format=oldgnu', '-S', '-czf', join(dir, 'disk.tar.gz'), '-C', padded, 'disk.raw'] };
  }
  const argv = words(convertLine);
  // The last two words are bake's source and work file: the same raw in, a scratch file out.
  argv.splice(-2, 2, rawFile, join(dir, `floor.${target}`));
  const opts = argv.slice(argv.indexOf('-O'), -2).join(' ');
  return { name: `qemu-img convert ${opts}`, argv };
}

const fmtMs = (ms) => (ms === undefined ? '-' : ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(0)} ms`);
const fmtBytes = (n) => `${(n / 1e6).toFixed(1)} MB`;

function verdict(r) {
  if (r.target?.ratio !== undefined) return { text: `<= ${r.target.ratio}x floor`, met: r.median / r.floor <= r.target.ratio };
  if (r.target?.ms !== undefined) return { text: `<= ${fmtMs(r.target.ms)}`, met: r.median <= r.target.ms };
  return undefined;
}

function table(rows) {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((row) => row[c].length)));
  const lines = rows.map((row) => row.map((cell, c) => cell.padEnd(widths[c])).join('  ').trimEnd());
  lines.splice(1, 0, widths.map((w) => '-'.repeat(w)).join('  '));
  return lines;
}

/** The bake rows and output sizes as text. */
export function showBake(b) {
  const rows = b.rows.map((r) => {
    const v = verdict(r);
    return [
      r.name,
      String(r.runs),
      fmtMs(r.median),
      fmtMs(r.cpu),
      fmtMs(r.floor),
      fmtMs(r.floorCpu),
      r.floor ? `${(r.median / r.floor).toFixed(2)}x` : '-',
      v?.text ?? '',
      v ? (v.met ? 'met' : 'NOT MET') : '',
      r.floorName,
    ];
  });
  const sizeRows = b.outputs.map((o) => [o.target, o.file, fmtBytes(o.bytes), fmtBytes(o.allocated)]);
  return [
    `bake: Debian test tree (kernel ${b.tree.kver}, ${b.tree.files} entries, ${fmtBytes(b.tree.bytes)}) -> a ${fmtBytes(b.diskBytes)} disk;`,
    `up to ${b.runs} runs per row (cache hit ${b.hitRuns}), fewer once a row passes ${b.budgetMs / 1000} s; bake and floor alternate; ${b.seconds.toFixed(0)} s in all`,
    '',
    ...table([['bake row', 'runs', 'median', 'cpu', 'floor', 'floor cpu', 'ratio', 'target', 'status', 'floor is'], ...rows]),
    '',
    '"+ X" rows: the time bake --target raw,X takes beyond the cache hit, X missing from the cache',
    '',
    ...table([['target', 'file', 'apparent', 'allocated'], ...sizeRows]),
    '',
  ].join('\n');
}
