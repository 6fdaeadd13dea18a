// What the pipeline tells about its progress; the status files, the console and the socket listen here.

import type { AgentError } from '../../errors';

/** planned: a dry run planned the step and applied nothing */
export type StepOutcome = 'ok' | 'failed' | 'skipped' | 'degraded' | 'planned';
export type RunStateName = 'running' | 'done' | 'degraded' | 'error';

export interface ItemEvent {
  kind: 'template' | 'mount' | 'platform' | 'requirement';
  name: string;
  outcome: StepOutcome | 'unchanged' | 'changed' | 'absent';
  /** a System.monotonicMs() reading taken when the item began (the files hold it relative to the run's start) */
  startMs: number;
  durationMs: number;
  detail?: string;
}

/** Something a step waits on (a platform asked for user data), and how long it may take. */
export interface WaitStart {
  name: string;
  /** a System.monotonicMs() reading taken when the wait began */
  startMs: number;
  limitMs: number;
}

export interface RunInfo {
  platform?: string;
  instanceId?: string;
  firstBoot?: boolean;
  instanceChanged?: boolean;
  image?: { name: string; version?: string };
  manifestHash?: string;
}

export interface Reporter {
  begin(mode: string, root: string): Promise<void>;
  stepStart(step: string, title: string, startMs: number): void;
  stepEnd(step: string, outcome: StepOutcome, summary: string, startMs: number, durationMs: number): void;
  item(step: string, event: ItemEvent): void;
  /** `step` now waits on `wait.name`; it ends with the item of that name, or with the step. Progress shows meanwhile. */
  waiting?(step: string, wait: WaitStart): void;
  info(info: RunInfo): void;
  finish(state: RunStateName, error?: AgentError): Promise<void>;
}
