// A bench row for one pipeline step: its durations across a row's runs, read from the status.json each run left in its run directory.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { median } from './measure.mjs';

/** Median/min/max of `step`'s durationMs over the runs whose run directories are given; failed when none has it. */
export function stepRow(name, runDirs, step) {
  const times = [];
  for (const dir of runDirs) {
    try {
      const status = JSON.parse(readFileSync(join(dir, 'cloudlet', 'status.json'), 'utf8'));
      const found = status.steps?.find((s) => s.name === step);
      if (typeof found?.durationMs === 'number') times.push(found.durationMs);
    } catch {
      // a run that left no status: not counted
    }
  }
  if (times.length === 0) return { name, note: `no ${step} step in the runs' status.json` };
  return { name, median: median(times), min: Math.min(...times), max: Math.max(...times), note: `the run's own figure (status.json), ${times.length} runs` };
}
