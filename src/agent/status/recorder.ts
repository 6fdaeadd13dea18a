// Pure bookkeeping of one run: turns reporter calls into the status and report documents and live events.

import { tenths } from './format';
import type { AgentError } from '../../errors';
import type { ItemEvent, RunInfo, RunStateName, StepOutcome, WaitStart } from './reporter';
import { REPORT_VERSION, STATUS_VERSION, type ErrorSummary, type LiveEvent, type ReportDoc, type ReportStep, type StatusDoc, type WaitingSummary } from './formats';

export interface RecorderClock {
  monotonicMs(): number;
  now(): Date;
}

export interface RecorderIdentity {
  agentVersion: string;
  pid: number;
}


export class RunRecorder {
  private mode = 'run';
  private root = '/';
  private state: RunStateName = 'running';
  private startMono = 0;
  private startedAt = '';
  private finishedAt: string | undefined;
  private durationMs: number | undefined;
  private info: RunInfo = {};
  private error: ErrorSummary | undefined;
  private readonly steps: ReportStep[] = [];
  private current: ReportStep | undefined;
  private waitingOn: { step: string; name: string; startMs: number; limitMs: number } | undefined;

  constructor(
    private readonly clock: RecorderClock,
    private readonly identity: RecorderIdentity,
  ) {}

  begin(mode: string, root: string): LiveEvent {
    this.mode = mode;
    this.root = root;
    this.startMono = this.clock.monotonicMs();
    this.startedAt = this.clock.now().toISOString();
    return { event: 'begin', mode, startedAt: this.startedAt };
  }

  /** `at` is a reading of the same monotonic clock; the files hold it relative to the run's start. */
  private rel(at: number): number {
    return tenths(at - this.startMono);
  }

  stepStart(name: string, title: string, startMs: number): LiveEvent {
    const step: ReportStep = { name, title, startMs: this.rel(startMs), items: [] };
    this.steps.push(step);
    this.current = step;
    return { event: 'step-start', step: name, title, startMs: step.startMs };
  }

  stepEnd(name: string, outcome: StepOutcome, summary: string, startMs: number, durationMs: number): LiveEvent {
    const step = this.stepNamed(name, startMs);
    step.outcome = outcome;
    step.summary = summary;
    step.durationMs = tenths(durationMs);
    if (this.current === step) this.current = undefined;
    if (this.waitingOn?.step === name) this.waitingOn = undefined;
    return { event: 'step-end', step: name, outcome, summary, startMs: step.startMs, durationMs: step.durationMs };
  }

  item(stepName: string, event: ItemEvent): LiveEvent {
    const step = this.stepNamed(stepName, event.startMs);
    const item = { ...event, startMs: this.rel(event.startMs), durationMs: tenths(event.durationMs) };
    step.items.push(item);
    if (this.waitingOn?.step === stepName && this.waitingOn.name === event.name) this.waitingOn = undefined;
    return { event: 'item', step: stepName, item };
  }

  /** The step starts waiting on something; the wait ends with its item, the step's end or the run's. */
  wait(step: string, wait: WaitStart): void {
    this.waitingOn = { step, ...wait };
  }

  /** How the wait stands now, as an event; undefined when nothing is waited on. */
  waitProgress(): LiveEvent | undefined {
    const w = this.waiting();
    if (!w) return undefined;
    const title = this.steps.findLast((s) => s.name === w.step)?.title ?? w.step;
    return { event: 'waiting', step: w.step, title, name: w.name, elapsedMs: w.elapsedMs, limitMs: w.limitMs };
  }

  private waiting(): WaitingSummary | undefined {
    const w = this.waitingOn;
    if (!w) return undefined;
    return { step: w.step, name: w.name, elapsedMs: tenths(Math.max(0, this.clock.monotonicMs() - w.startMs)), limitMs: tenths(w.limitMs) };
  }

  addInfo(info: RunInfo): LiveEvent {
    this.info = { ...this.info, ...info };
    return { event: 'info', info };
  }

  finish(state: RunStateName, error?: AgentError): LiveEvent {
    this.state = state;
    this.finishedAt = this.clock.now().toISOString();
    this.durationMs = tenths(this.clock.monotonicMs() - this.startMono);
    if (error) this.error = summarizeError(error, this.current?.name ?? this.steps.find((s) => s.outcome === 'failed')?.name);
    this.current = undefined;
    this.waitingOn = undefined;
    return { event: 'finish', state, durationMs: this.durationMs, ...(this.error ? { error: this.error } : {}) };
  }

  /** A step the pipeline never announced still gets a row, so nothing reported is lost. */
  private stepNamed(name: string, startMs: number): ReportStep {
    const found = this.steps.findLast((s) => s.name === name);
    if (found) return found;
    const step: ReportStep = { name, title: name, startMs: this.rel(startMs), items: [] };
    this.steps.push(step);
    return step;
  }

  status(): StatusDoc {
    return {
      version: STATUS_VERSION,
      state: this.state,
      mode: this.mode,
      root: this.root,
      agentVersion: this.identity.agentVersion,
      pid: this.identity.pid,
      ...this.info,
      ...(this.current ? { currentStep: this.current.name } : {}),
      ...(this.waitingOn ? { waiting: this.waiting() } : {}),
      startedAt: this.startedAt,
      ...(this.finishedAt !== undefined ? { finishedAt: this.finishedAt, durationMs: this.durationMs } : {}),
      steps: this.steps.map(({ name, title, outcome, summary, durationMs }) => ({
        name,
        title,
        ...(outcome ? { outcome, summary, durationMs } : {}),
      })),
      ...(this.error ? { error: this.error } : {}),
    };
  }

  report(): ReportDoc {
    return {
      version: REPORT_VERSION,
      state: this.state,
      mode: this.mode,
      agentVersion: this.identity.agentVersion,
      ...this.info,
      startedAt: this.startedAt,
      ...(this.finishedAt !== undefined ? { finishedAt: this.finishedAt, durationMs: this.durationMs } : {}),
      steps: this.steps.map((s) => ({ ...s, items: s.items.map((i) => ({ ...i })) })),
      ...(this.error ? { error: this.error } : {}),
    };
  }
}

function summarizeError(error: AgentError, step: string | undefined): ErrorSummary {
  return {
    code: error.code,
    message: error.message,
    ...(error.where ? { where: error.where } : {}),
    ...(error.fix ? { fix: error.fix } : {}),
    ...(step ? { step } : {}),
    ...(error.problems.length ? { problems: error.problems.map((p) => ({ path: p.path, message: p.message })) } : {}),
  };
}
