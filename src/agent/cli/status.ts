// `cloudlet-agent status`: how this boot's run went, live while it runs; `--wait` never waits past --timeout.

import { AgentError, EXIT, type ExitCode } from '../../errors';
import { consoleLine, formatDuration, waitText } from '../status/console-lines';
import type { StatusDoc } from '../status/formats';
import { statusPaths } from '../status/run-dir';
import { queryStatus, type QueryOutcome } from '../status/status-query';
import type { System } from '../../system/system';
import { boolFlag, printJson, stringFlag, type Command, type ParsedArgs } from './command';

const DEFAULT_WAIT_S = 30;
/** Without --wait only the socket's answer is waited for; an agent that stalls there must not stall us. */
const DEFAULT_LOOK_S = 5;
const UNREADABLE_FIX =
  'the agent replaces status.json whole, so this one was damaged afterwards (a full disk, a copy cut short, an edit) or written by another agent version: ' +
  'run the agent again to rewrite it, or remove it; "cloudlet-agent analyze" reads report.json, which may still tell how the run went';

export const statusCommand: Command = {
  name: 'status',
  usage: '[--wait] [--timeout S] [--json] [--run-dir DIR]',
  details: [
    '--wait        follow a running agent (or wait for one to start) until the run ends',
    `--timeout S   give up after S seconds, whatever happens (default ${DEFAULT_WAIT_S} with --wait)`,
    '--json        the status document (as in /run/cloudlet/status.json) on stdout',
    '--run-dir DIR read DIR/cloudlet instead of /run/cloudlet (tests and chroots)',
    'Exit codes: 0 done, 1 error (or status.json unreadable), 4 degraded, 5 not finished (not started, running, or --wait timed out)',
  ],
  examples: [
    'cloudlet-agent status',
    'cloudlet-agent status --wait --timeout 60 --json   # in a script or an ExecStartPre=',
  ],
  flags: { wait: { type: 'boolean' }, timeout: { type: 'string' }, json: { type: 'boolean' }, 'run-dir': { type: 'string' } },
  async run(args, system) {
    const wait = boolFlag(args, 'wait');
    const json = boolFlag(args, 'json');
    const timeoutS = timeoutOf(args, wait ? DEFAULT_WAIT_S : DEFAULT_LOOK_S);
    const paths = statusPaths(stringFlag(args, 'run-dir') ?? system.hostPaths.run);
    const outcome = await queryStatus({
      paths,
      wait,
      timeoutMs: timeoutS * 1000,
      onEvent: json
        ? undefined
        : (event) => {
            const line = consoleLine(event);
            if (line) system.err(line.text);
          },
    });
    if (json) printJson(system, jsonOf(outcome, paths.status));
    else printText(system, outcome, paths.status, timeoutS);
    return exitCodeOf(outcome);
  },
};

function timeoutOf(args: ParsedArgs, fallback: number): number {
  const raw = stringFlag(args, 'timeout');
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!/^\d+(\.\d+)?$/.test(raw.trim()) || !(value > 0) || value > 86_400) {
    throw new AgentError('E_USAGE', `--timeout must be a number of seconds between 0 and 86400, got "${raw}"`, { fix: 'for example --timeout 30' });
  }
  return value;
}

function exitCodeOf(outcome: QueryOutcome): ExitCode {
  if (outcome.kind === 'stale' || outcome.kind === 'unreadable') return EXIT.failed;
  if (outcome.kind !== 'final') return EXIT.timeout;
  if (outcome.doc.state === 'done') return EXIT.ok;
  if (outcome.doc.state === 'degraded') return EXIT.degraded;
  return EXIT.failed;
}

function jsonOf(outcome: QueryOutcome, file: string): unknown {
  switch (outcome.kind) {
    case 'final':
      return outcome.doc;
    case 'running':
      return { ...outcome.doc, ...(outcome.timedOut ? { timedOut: true } : {}) };
    case 'stale':
      return { ...outcome.doc, stale: true };
    case 'none':
      return { state: 'not-started', ...(outcome.timedOut ? { timedOut: true } : {}), reason: `no ${file} and no agent serving the status socket` };
    case 'unreadable':
      return { state: 'unreadable', file, reason: outcome.reason, fix: UNREADABLE_FIX, ...(outcome.timedOut ? { timedOut: true } : {}) };
  }
}

function printText(system: System, outcome: QueryOutcome, file: string, timeoutS: number): void {
  if (outcome.kind === 'none') {
    system.out(outcome.timedOut ? `cloudlet-agent: no run started within ${timeoutS} s (no ${file})` : `cloudlet-agent: not started this boot (no ${file})`);
    return;
  }
  if (outcome.kind === 'unreadable') {
    system.out(`cloudlet-agent: ${file} is unreadable: ${outcome.reason}${outcome.timedOut ? ` (and no run rewrote it within ${timeoutS} s)` : ''}`);
    system.out(`  fix: ${UNREADABLE_FIX}`);
    return;
  }
  const doc = outcome.doc;
  if (outcome.kind === 'stale') {
    system.out(`cloudlet-agent: stopped without finishing (agent pid ${doc.pid} is gone; last step ${doc.currentStep ?? 'unknown'})`);
  } else if (outcome.kind === 'running') {
    const waiting = doc.waiting ? `, waiting on ${waitText(doc.waiting.name, doc.waiting.elapsedMs, doc.waiting.limitMs)}` : '';
    const where = doc.currentStep ? `, now: ${doc.currentStep}${waiting}` : '';
    system.out(`cloudlet-agent: running since ${doc.startedAt}${where}${outcome.timedOut ? ` (still running after ${timeoutS} s)` : ''}`);
  } else {
    system.out(`cloudlet-agent: ${doc.state}${doc.durationMs !== undefined ? ` in ${formatDuration(doc.durationMs)}` : ''} (${doc.mode}, started ${doc.startedAt})`);
  }
  for (const line of detailLines(doc)) system.out(line);
}

function detailLines(doc: StatusDoc): string[] {
  const lines: string[] = [];
  if (doc.image) lines.push(`  image:     ${doc.image.name}${doc.image.version ? ` ${doc.image.version}` : ''}${doc.manifestHash ? ` (manifest ${doc.manifestHash})` : ''}`);
  if (doc.platform) lines.push(`  platform:  ${doc.platform}`);
  if (doc.instanceId) {
    const boot = doc.firstBoot ? ' (first boot)' : doc.instanceChanged ? ' (new instance)' : '';
    lines.push(`  instance:  ${doc.instanceId}${boot}`);
  }
  for (const step of doc.steps) {
    const line = step.outcome
      ? consoleLine({ event: 'step-end', step: step.name, outcome: step.outcome, summary: step.summary ?? step.title, startMs: 0, durationMs: step.durationMs ?? 0 })
      : { text: `[ .... ] ${step.title}${doc.waiting?.step === step.name ? `: waiting on ${waitText(doc.waiting.name, doc.waiting.elapsedMs, doc.waiting.limitMs)}` : ''}` };
    if (line) lines.push(`  ${line.text}`);
  }
  if (doc.error) {
    lines.push(`  error:     ${doc.error.code}: ${doc.error.message}`);
    if (doc.error.where) lines.push(`  where:     ${doc.error.where}`);
    if (doc.error.fix) lines.push(`  fix:       ${doc.error.fix}`);
  }
  return lines;
}
