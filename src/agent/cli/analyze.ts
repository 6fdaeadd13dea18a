// `cloudlet-agent analyze`: what took the time in this boot's run, as a blame table, a critical path or an SVG timeline.

import { clip } from '../status/format';
import { readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { AgentError, EXIT } from '../../errors';
import { blame, criticalPath, parseReport } from '../status/analysis';
import { formatDuration } from '../status/console-lines';
import type { ReportDoc } from '../status/formats';
import { statusPaths } from '../status/run-dir';
import { timelineSvg } from '../status/svg';
import { writeAtomic } from '../../system/atomic-write';
import type { System } from '../../system/system';
import { boolFlag, printJson, stringFlag, type Command } from './command';

export const analyzeCommand: Command = {
  name: 'analyze',
  usage: '[--svg FILE] [--json] [--report FILE] [--run-dir DIR]',
  details: [
    '--svg FILE     also write a timeline picture (one bar per step, nested bars for templates, mounts, platforms)',
    '--json         blame and critical path as JSON',
    '--report FILE  analyze a report.json copied from another machine',
    '--run-dir DIR  read DIR/cloudlet/report.json instead of /run/cloudlet/report.json (tests and chroots)',
  ],
  examples: ['cloudlet-agent analyze', 'cloudlet-agent analyze --svg /tmp/boot.svg   # open it in a browser'],
  flags: { svg: { type: 'string' }, json: { type: 'boolean' }, report: { type: 'string' }, 'run-dir': { type: 'string' } },
  async run(args, system) {
    const file = stringFlag(args, 'report') ?? statusPaths(stringFlag(args, 'run-dir') ?? system.hostPaths.run).report;
    const report = readReport(file);
    const svg = stringFlag(args, 'svg');
    if (svg) {
      try {
        await writeAtomic(resolve(svg), timelineSvg(report), { mode: 0o644 });
      } catch (err) {
        throw new AgentError('E_IO', `cannot write ${svg}: ${(err as Error).message}`, { where: svg, fix: 'choose a writable path for --svg', cause: err });
      }
    }
    const rows = blame(report);
    const path = criticalPath(report);
    if (boolFlag(args, 'json')) {
      printJson(system, { state: report.state, totalMs: path.totalMs, blame: rows, criticalPath: path, ...(svg ? { svg: resolve(svg) } : {}) });
    } else {
      printText(system, report, rows, path);
      if (svg) system.err(`timeline written to ${resolve(svg)}`);
    }
    return EXIT.ok;
  },
};

/** Copies of report.json are small: a larger file is not one, and is not read whole into memory. */
const MAX_REPORT_BYTES = 16 * 1024 * 1024;

function readReport(file: string): ReportDoc {
  let text: string;
  try {
    if (statSync(file).size > MAX_REPORT_BYTES) {
      throw new AgentError('E_REPORT_INVALID', `${file} is larger than ${MAX_REPORT_BYTES / 1024 / 1024} MiB: not a report.json`, {
        where: file,
        fix: 'point --report at a report.json written by cloudlet-agent',
      });
    }
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if (err instanceof AgentError) throw err;
    throw new AgentError('E_IO', `no report to analyze: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`, {
      where: file,
      fix: 'the agent writes it when a run finishes; check "cloudlet-agent status", or pass --report FILE',
    });
  }
  return parseReport(text, file);
}

function printText(system: System, report: ReportDoc, rows: ReturnType<typeof blame>, path: ReturnType<typeof criticalPath>): void {
  const image = report.image ? ` of ${report.image.name}${report.image.version ? ` ${report.image.version}` : ''}` : '';
  system.out(`Run${image} (${report.mode} mode, ${report.startedAt}): ${report.state} in ${formatDuration(path.totalMs)}`);
  if (report.error) system.out(`  error ${report.error.code}: ${report.error.message}`);
  system.out('');
  system.out('Blame (slowest first):');
  const nameW = Math.min(44, Math.max(10, ...rows.map((r) => label(r).length)));
  for (const row of rows) {
    const note = row.kind === 'step' ? (row.summary ?? '') : `${row.outcome ?? ''} (in ${row.step})`;
    system.out(`  ${ms(row.durationMs).padStart(10)}  ${clip(label(row), nameW).padEnd(nameW)}  ${note}`.trimEnd());
  }
  system.out('');
  system.out(`Critical path (the steps run one after another; total ${formatDuration(path.totalMs)}):`);
  const stepW = Math.max('(outside steps)'.length, ...path.chain.map((l) => l.step.length));
  for (const link of path.chain) {
    // An item worth naming took a real share of its step; a list of 0.0 ms checks says nothing.
    const slowest = link.slowest && link.slowest.durationMs >= Math.max(0.1, link.durationMs * 0.1) ? `  <- ${link.slowest.kind} ${link.slowest.name} ${ms(link.slowest.durationMs)}` : '';
    const outcome = link.outcome && link.outcome !== 'ok' ? ` ${link.outcome}` : '';
    system.out(`  +${ms(link.startMs).padStart(10)}  ${link.step.padEnd(stepW)}  ${ms(link.durationMs).padStart(10)}${outcome}${slowest}`);
  }
  system.out(`   ${''.padStart(10)}  ${'(outside steps)'.padEnd(stepW)}  ${ms(path.outsideStepsMs).padStart(10)}`);
}

function label(row: ReturnType<typeof blame>[number]): string {
  return row.kind === 'step' ? row.name : `  ${row.kind} ${row.name}`;
}

function ms(value: number): string {
  return `${value.toFixed(1)} ms`;
}

