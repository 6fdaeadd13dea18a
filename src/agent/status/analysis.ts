// Pure reading of report.json: which steps and items took the time, and the chain that made the total.

import { AgentError, type Problem } from '../../errors';
import { tenths } from './format';
import { REPORT_VERSION, type ReportDoc, type ReportItem, type ReportStep } from './formats';

/** Problems listed before the rest are summed up: a report broken everywhere need not list every place. */
const MAX_PROBLEMS = 20;

/**
 * report.json text as a report this version can analyze, or E_REPORT_INVALID (invalid input, exit 2) naming
 * what is wrong where: a report copied from elsewhere may be cut short, of another version, or not a report.
 */
export function parseReport(text: string, file: string): ReportDoc {
  const fix = 'analyze a report.json written by this agent version (cloudlet-agent analyze --report FILE), or run the agent again to write a new one';
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new AgentError('E_REPORT_INVALID', `${file} is not JSON: ${(err as Error).message}`, { where: file, fix });
  }
  if (!isObj(doc)) throw new AgentError('E_REPORT_INVALID', `${file} is not a report: it holds no JSON object`, { where: file, fix });
  if (doc.version !== REPORT_VERSION) {
    throw new AgentError('E_REPORT_INVALID', `${file} is a report of version ${(JSON.stringify(doc.version) ?? 'none').slice(0, 40)}; this agent reads version ${REPORT_VERSION}`, {
      where: file,
      fix: 'analyze it with the agent version that wrote it',
    });
  }
  const problems = shapeProblems(doc);
  if (problems.length) {
    const shown = problems.slice(0, MAX_PROBLEMS);
    if (problems.length > MAX_PROBLEMS) shown.push({ path: '', message: `and ${problems.length - MAX_PROBLEMS} more` });
    throw new AgentError('E_REPORT_INVALID', `${file} is not a well-formed version ${REPORT_VERSION} report`, { where: file, fix, problems: shown });
  }
  return doc as unknown as ReportDoc;
}

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** What analyze and the timeline read, checked for type; everything else is left to the writer. */
function shapeProblems(doc: Obj): Problem[] {
  const problems: Problem[] = [];
  const need = (o: Obj, key: string, type: 'string' | 'number', at: string, optional = false): void => {
    const v = o[key];
    if (v === undefined && optional) return;
    if (type === 'number' ? typeof v !== 'number' || !Number.isFinite(v) : typeof v !== type) problems.push({ path: `${at}/${key}`, message: `must be a ${type}` });
  };
  for (const key of ['state', 'mode', 'startedAt']) need(doc, key, 'string', '');
  need(doc, 'durationMs', 'number', '', true);
  if (!Array.isArray(doc.steps)) return [...problems, { path: '/steps', message: 'must be an array' }];
  doc.steps.forEach((step: unknown, i) => {
    const at = `/steps/${i}`;
    if (!isObj(step)) return void problems.push({ path: at, message: 'must be an object' });
    for (const key of ['name', 'title']) need(step, key, 'string', at);
    for (const key of ['outcome', 'summary']) need(step, key, 'string', at, true);
    need(step, 'startMs', 'number', at);
    need(step, 'durationMs', 'number', at, true);
    if (!Array.isArray(step.items)) return void problems.push({ path: `${at}/items`, message: 'must be an array' });
    step.items.forEach((item: unknown, j) => {
      const itemAt = `${at}/items/${j}`;
      if (!isObj(item)) return void problems.push({ path: itemAt, message: 'must be an object' });
      for (const key of ['kind', 'name', 'outcome']) need(item, key, 'string', itemAt);
      need(item, 'detail', 'string', itemAt, true);
      for (const key of ['startMs', 'durationMs']) need(item, key, 'number', itemAt);
    });
  });
  return problems;
}

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
