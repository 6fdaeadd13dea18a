// Snapshot rows of `npm run bench`: cloudlet snapshot, derive, diff and checkout, each beside its floor in the same run.
//
// The tree is the VM tier's cached Debian base (base.tar under CLOUDLET_VM_CACHE, .cache/vm or /work/vmcache),
// unpacked once; without one, a generated tree of about 200 MB in 10,000 files. A 1 MiB file is added to
// the tree before the base snapshot; the derived snapshot follows a change to it. Nothing is asserted.

import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { childrenCpuMs, median, runOnce } from './measure.mjs';

/** The issue's targets: a base snapshot within 1.3x of tar -c | sha256sum, a derived one within 1 s of the walk. */
const BASE_RATIO_TARGET = 1.3;
const DERIVE_EXTRA_MS = 1000;
const LAYER_SLACK = 16 * 1024;
const MiB = 1024 * 1024;
const TIMEOUT_MS = 900_000;

function debianTar(repo) {
  const caches = [process.env.CLOUDLET_VM_CACHE, join(repo, '.cache', 'vm'), '/work/vmcache'].filter(Boolean);
  for (const cache of caches) {
    const dir = join(cache, 'debian');
    if (!existsSync(dir)) continue;
    for (const kver of readdirSync(dir)) if (existsSync(join(dir, kver, 'base.tar'))) return join(dir, kver, 'base.tar');
  }
  return undefined;
}

/** The test tree: the Debian base unpacked with owners and xattrs, or a generated one. */
function makeTree(repo, tree) {
  mkdirSync(tree, { recursive: true });
  const tar = debianTar(repo);
  if (tar) {
    execFileSync('tar', ['--numeric-owner', '--xattrs', '--xattrs-include=*', '-xpf', tar, '-C', tree]);
    return `Debian base (${tar})`;
  }
  for (let d = 0; d < 100; d++) {
    mkdirSync(join(tree, `d${d}`));
    for (let f = 0; f < 100; f++) writeFileSync(join(tree, `d${d}`, `f${f}`), randomBytes(f % 10 === 0 ? 200_000 : 200));
  }
  return 'generated tree';
}

function timed(argv, what) {
  const cpuBefore = childrenCpuMs();
  const r = runOnce(argv, { timeout: TIMEOUT_MS, maxBuffer: 256 * MiB });
  const cpu = childrenCpuMs() - cpuBefore;
  if (r.code !== 0) throw new Error(`${what} failed (exit ${r.code}): ${`${r.stderr || r.stdout}`.trim().split('\n').slice(-3).join(' | ')}`);
  return { ms: r.ms, cpu, stdout: r.stdout };
}

/** `runs` alternating pairs of (row, floor); `prepare` (and the floor's own) run untimed before each. */
function pairs(runs, prepare, row, floor) {
  const a = [];
  const b = [];
  let last;
  for (let i = 0; i < runs; i++) {
    prepare?.(i);
    last = timed(row.argv(i), row.name);
    a.push(last);
    if (floor) {
      floor.prepare?.(i);
      b.push(timed(floor.argv(i), floor.name));
    }
  }
  const stat = (xs, key) => (xs.length ? median(xs.map((x) => x[key])) : undefined);
  return { name: row.name, runs, median: stat(a, 'ms'), cpu: stat(a, 'cpu'), floor: stat(b, 'ms'), floorCpu: stat(b, 'cpu'), floorName: floor?.name ?? '', last };
}

export function snapshotRows({ repo, work, runs }) {
  const started = performance.now();
  const cloudlet = join(work, 'snapshot-cloudlet');
  // A copy: other builds in the same tree must not swap the executable mid-run.
  copyFileSync(join(repo, 'dist', 'cloudlet'), cloudlet);
  execFileSync('chmod', ['755', cloudlet]);
  const tree = join(work, 'snapshot-tree');
  const source = makeTree(repo, tree);
  const changing = join(tree, 'var-bench-1mib.bin');
  writeFileSync(changing, randomBytes(MiB));
  const files = Number(execFileSync('sh', ['-c', `find "${tree}" | wc -l`], { encoding: 'utf8' }).trim());
  const bytes = Number(execFileSync('du', ['-sb', tree], { encoding: 'utf8' }).split('\t')[0]);
  const store = join(work, 'snapshot-store');
  const sh = (script) => ['sh', '-c', script];
  const rows = [];

  // The previous run's 300 MB of writes are flushed before each timed command, so neither pays for the other's.
  const settle = () => execFileSync('sync');
  const base = pairs(
    runs,
    () => {
      rmSync(store, { recursive: true, force: true });
      settle();
    },
    { name: 'snapshot (base, one full layer)', argv: () => [cloudlet, 'snapshot', tree, '--tag', 'bench:1', '--store', store, '--json'] },
    { name: 'tar -c DIR | sha256sum', argv: () => sh(`tar -C "${tree}" -cf - . | sha256sum`), prepare: settle },
  );
  rows.push({ ...base, target: { ratio: BASE_RATIO_TARGET } });

  const derived = pairs(
    runs,
    () => writeFileSync(changing, randomBytes(MiB)),
    { name: 'snapshot (derived, one 1 MiB file changed)', argv: (i) => [cloudlet, 'snapshot', tree, '--tag', `bench:d${i}`, '--parent', 'bench:1', '--store', store, '--json'] },
    { name: 'cloudlet diff bench:1 DIR (the walk)', argv: () => [cloudlet, 'diff', 'bench:1', tree, '--store', store] },
  );
  const layerBytes = JSON.parse(derived.last.stdout).layer.size;
  rows.push({ ...derived, target: { extraMs: DERIVE_EXTRA_MS } });

  rows.push(pairs(runs, undefined, { name: 'diff of two versions', argv: () => [cloudlet, 'diff', 'bench:1', 'bench:d0', '--store', store] }, { name: 'cloudlet --version', argv: () => [cloudlet, '--version'] }));

  const tarball = join(work, 'snapshot-tree.tar');
  execFileSync('tar', ['--numeric-owner', '--xattrs', '--xattrs-include=*', '-C', tree, '-cf', tarball, '.']);
  const out = join(work, 'snapshot-out');
  const clear = () => rmSync(out, { recursive: true, force: true });
  rows.push(
    pairs(runs, clear, { name: 'checkout', argv: () => [cloudlet, 'checkout', 'bench:1', out, '--store', store] }, {
      name: 'tar -x (same tree)',
      argv: () => sh(`rm -rf "${out}" && mkdir "${out}" && tar --numeric-owner --xattrs --xattrs-include='*' -xpf "${tarball}" -C "${out}"`),
    }),
  );
  clear();
  return { tree: { source, files, bytes }, layerBytes, layerLimit: MiB + LAYER_SLACK, runs, rows, seconds: (performance.now() - started) / 1000 };
}

const fmtMs = (ms) => (ms === undefined ? '-' : ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(0)} ms`);

function verdict(r) {
  if (r.target?.ratio !== undefined) return { text: `<= ${r.target.ratio}x floor`, met: r.median / r.floor <= r.target.ratio };
  if (r.target?.extraMs !== undefined) return { text: `<= floor + ${fmtMs(r.target.extraMs)}`, met: r.median - r.floor <= r.target.extraMs };
  return undefined;
}

export function showSnapshot(s) {
  const rows = s.rows.map((r) => {
    const v = verdict(r);
    return [r.name, String(r.runs), fmtMs(r.median), fmtMs(r.cpu), fmtMs(r.floor), r.floor ? `${(r.median / r.floor).toFixed(2)}x` : '-', v?.text ?? '', v ? (v.met ? 'met' : 'NOT MET') : '', r.floorName];
  });
  const table = [['snapshot row', 'runs', 'median', 'cpu', 'floor', 'ratio', 'target', 'status', 'floor is'], ...rows];
  const widths = table[0].map((_, c) => Math.max(...table.map((row) => row[c].length)));
  const lines = table.map((row) => row.map((cell, c) => cell.padEnd(widths[c])).join('  ').trimEnd());
  lines.splice(1, 0, widths.map((w) => '-'.repeat(w)).join('  '));
  return [
    `snapshot: ${s.tree.source}, ${s.tree.files} entries, ${(s.tree.bytes / 1e6).toFixed(1)} MB; ${s.runs} runs per row, row and floor alternate; ${s.seconds.toFixed(0)} s in all`,
    '',
    ...lines,
    '',
    `derived layer after changing one 1 MiB file: ${s.layerBytes} bytes stored (target <= ${s.layerLimit}: ${s.layerBytes <= s.layerLimit ? 'met' : 'NOT MET'})`,
    '',
  ].join('\n');
}
