// Pure reading of report.json: which steps and items took the time, and the chain that made the total.

import { tenths } from './format';
import type { ReportDoc, ReportItem, ReportStep } from './formats';

export interface BlameRow {
  /** the step's name, or the item's name */
  name: string;
  kind: 'step' | ReportItem['kind'];
  /** the step an item belongs to */
  step?: string;
  durationMs: number;
  outcome?: string;
  summary?: string;
}

export interface ChainLink {
  step: string;
  title: string;
  startMs: number;
  durationMs: number;
  outcome?: string;
  /** the item that took most of the step, when the step has items */
  slowest?: { kind: string; name: string; durationMs: number };
}

export interface CriticalPath {
  totalMs: number;
  chain: ChainLink[];
  /** time of the run spent outside every step: start-up, status files, hand-over preparation */
  outsideStepsMs: number;
}

/** Every step and the slowest `items` items, slowest first. */
export function blame(report: ReportDoc, items = 10): BlameRow[] {
  const steps: BlameRow[] = report.steps.map((s) => ({
    name: s.name,
    kind: 'step',
    durationMs: s.durationMs ?? 0,
    ...(s.outcome ? { outcome: s.outcome } : {}),
    ...(s.summary ? { summary: s.summary } : {}),
  }));
  const nested: BlameRow[] = report.steps
    .flatMap((s) => s.items.map((i) => ({ name: i.name, kind: i.kind, step: s.name, durationMs: i.durationMs, outcome: i.outcome })))
    // Items that took no measurable time only push the useful rows apart.
    .filter((row) => row.durationMs >= 0.05)
    .sort((a, b) => b.durationMs - a.durationMs)
    .slice(0, items);
  return [...steps, ...nested].sort((a, b) => b.durationMs - a.durationMs);
}

/** The steps run one after another, so all of them are on the path; each names what inside it cost most. */
export function criticalPath(report: ReportDoc): CriticalPath {
  const chain = report.steps.map((s): ChainLink => {
    const slowest = slowestItem(s);
    return {
      step: s.name,
      title: s.title,
      startMs: s.startMs,
      durationMs: s.durationMs ?? 0,
      ...(s.outcome ? { outcome: s.outcome } : {}),
      ...(slowest ? { slowest: { kind: slowest.kind, name: slowest.name, durationMs: slowest.durationMs } } : {}),
    };
  });
  const totalMs = totalOf(report);
  const inSteps = chain.reduce((sum, l) => sum + l.durationMs, 0);
  return { totalMs, chain, outsideStepsMs: tenths(Math.max(0, totalMs - inSteps)) };
}

/** The run's duration; for a report cut short (no finish), the end of its last step. */
export function totalOf(report: ReportDoc): number {
  if (report.durationMs !== undefined) return report.durationMs;
  return tenths(Math.max(0, ...report.steps.map((s) => s.startMs + (s.durationMs ?? 0))));
}

function slowestItem(step: ReportStep): ReportItem | undefined {
  let best: ReportItem | undefined;
  for (const item of step.items) if (!best || item.durationMs > best.durationMs) best = item;
  return best;
}
