// Boot-console lines for each step ("[  OK  ] Rendered 12 templates (8 ms)"), pure formatting.

import type { LiveEvent } from './formats';

export interface ConsoleLine {
  text: string;
  /** a failure or a degraded result: printed even with --quiet, and at error priority in the kernel log */
  problem: boolean;
}

export function formatDuration(ms: number): string {
  if (ms >= 1000) return `${(ms / 1000).toFixed(ms >= 10_000 ? 0 : 1)} s`;
  if (ms < 1) return '<1 ms';
  return `${Math.round(ms)} ms`;
}

const TAGS = {
  ok: '[  OK  ]',
  failed: '[FAILED]',
  skipped: '[ SKIP ]',
  planned: '[ PLAN ]',
  degraded: '[DEGRADED]',
  waiting: '[ WAIT ]',
} as const;

/** "ec2 (3 s of 5 s)": what a step waits on, the seconds waited and the most it may wait. */
export function waitText(name: string, elapsedMs: number, limitMs: number): string {
  return `${name} (${Math.round(elapsedMs / 1000)} s of ${Math.round(limitMs / 1000)} s)`;
}

/** The console line an event deserves, if any: steps when they end, and how the run finished. */
export function consoleLine(event: LiveEvent): ConsoleLine | undefined {
  switch (event.event) {
    case 'step-end': {
      const tag = TAGS[event.outcome];
      // A failure's summary carries the reason; its duration would only push the reason off the line.
      const time = event.outcome === 'failed' || event.outcome === 'skipped' ? '' : ` (${formatDuration(event.durationMs)})`;
      return { text: `${tag} ${oneLine(event.summary)}${time}`, problem: event.outcome === 'failed' || event.outcome === 'degraded' };
    }
    case 'waiting':
      return { text: `${TAGS.waiting} ${event.title}: ${waitText(event.name, event.elapsedMs, event.limitMs)}`, problem: false };
    case 'finish':
      if (event.state === 'done') return { text: `${TAGS.ok} Finished cloudlet-agent (${formatDuration(event.durationMs)})`, problem: false };
      if (event.state === 'degraded') {
        const why = event.error ? `: ${event.error.code} ${oneLine(event.error.message)}` : '';
        return { text: `${TAGS.degraded} Finished cloudlet-agent degraded${why} (${formatDuration(event.durationMs)})`, problem: true };
      }
      // The error itself is printed by the command as one readable report; the line only marks the end.
      return { text: `${TAGS.failed} cloudlet-agent stopped: ${event.error?.code ?? 'error'}`, problem: true };
    default:
      return undefined;
  }
}

/** Console lines are single lines: a multi-line message would break the column of tags. */
function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}
