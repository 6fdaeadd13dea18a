// Timing and memory measurement of child processes: medians of repeated runs, peak RSS.

import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';

const GNU_TIME = '/usr/bin/time';

/** Runs argv once; returns wall time in ms, exit code and output. */
export function runOnce(argv, options = {}) {
  const started = performance.now();
  const r = spawnSync(argv[0], argv.slice(1), { encoding: 'utf8', timeout: 60_000, ...options });
  const ms = performance.now() - started;
  if (r.error) throw r.error;
  return { ms, code: r.status, stdout: r.stdout, stderr: r.stderr };
}

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

// Clock ticks per second of /proc/<pid>/stat times; 100 on Linux x86-64 (USER_HZ).
const TICKS_PER_SECOND = 100;

/** CPU time (user + system, ms) of this process's waited-for children so far, from /proc/self/stat. */
export function childrenCpuMs() {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  // Fields after the parenthesised command name; cutime and cstime are fields 16 and 17.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[13]) + Number(fields[14])) * 1000) / TICKS_PER_SECOND;
}

/**
 * Runs `prepare(i)` (untimed; returns the argv to time) then the argv, `runs` times after one
 * untimed warm-up, and returns median/min/max wall time and mean CPU time in ms. Stops at the
 * first failing run.
 */
export function timeRuns(runs, prepare) {
  const warm = runOnce(prepare(-1));
  if (warm.code !== 0) return { failed: warm };
  const times = [];
  // CPU time barely moves with other load on the machine, unlike wall time: report both.
  let cpuMs = 0;
  for (let i = 0; i < runs; i++) {
    const argv = prepare(i);
    const cpuBefore = childrenCpuMs();
    const r = runOnce(argv);
    cpuMs += childrenCpuMs() - cpuBefore;
    if (r.code !== 0) return { failed: r };
    times.push(r.ms);
  }
  return { median: median(times), min: Math.min(...times), max: Math.max(...times), cpuMean: cpuMs / runs, runs };
}

// Without GNU time, python's getrusage(RUSAGE_CHILDREN) reports the same ru_maxrss.
const PY_RUSAGE =
  'import resource,subprocess,sys;r=subprocess.run(sys.argv[1:],stdout=subprocess.DEVNULL,stderr=subprocess.DEVNULL);' +
  'sys.stderr.write(str(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss));sys.exit(r.returncode)';

/** Peak resident set size of one run of argv, in KiB (GNU time, else python3); undefined when unavailable. */
export function peakRssKiB(argv) {
  const probe = existsSync(GNU_TIME) ? [GNU_TIME, '-f', '%M', ...argv] : ['python3', '-c', PY_RUSAGE, ...argv];
  const r = spawnSync(probe[0], probe.slice(1), { encoding: 'utf8', timeout: 60_000 });
  if (r.error || r.status !== 0) return undefined;
  const last = r.stderr.trim().split('\n').pop();
  const kib = Number(last);
  return Number.isFinite(kib) ? kib : undefined;
}

/**
 * timeRuns for several commands at once, one run of each in turn, so load on the machine falls on all
 * of them alike (a build against the previous one). Returns one result per entry of `prepares`.
 */
export function timeRunsAlternating(runs, prepares) {
  for (const prepare of prepares) {
    const warm = runOnce(prepare(-1));
    if (warm.code !== 0) return prepares.map(() => ({ failed: warm }));
  }
  const times = prepares.map(() => []);
  const cpu = prepares.map(() => 0);
  for (let i = 0; i < runs; i++) {
    for (const [j, prepare] of prepares.entries()) {
      const argv = prepare(i);
      const cpuBefore = childrenCpuMs();
      const r = runOnce(argv);
      cpu[j] += childrenCpuMs() - cpuBefore;
      if (r.code !== 0) return prepares.map(() => ({ failed: r }));
      times[j].push(r.ms);
    }
  }
  return times.map((t, j) => ({ median: median(t), min: Math.min(...t), max: Math.max(...t), cpuMean: cpu[j] / runs, runs }));
}
