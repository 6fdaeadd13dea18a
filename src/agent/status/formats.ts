// The versioned shapes of status.json, report.json and the live events; readers check `version` first.

import type { ItemEvent, RunInfo, RunStateName, StepOutcome } from './reporter';

/** Bumped only when a field changes meaning or disappears; new optional fields keep the version. */
export const STATUS_VERSION = 1;
export const REPORT_VERSION = 1;

export interface ErrorSummary {
  code: string;
  message: string;
  where?: string;
  fix?: string;
  /** the step that was running when it happened */
  step?: string;
  problems?: { path: string; message: string }[];
}

export interface StepSummary {
  name: string;
  title: string;
  /** absent while the step runs */
  outcome?: StepOutcome;
  summary?: string;
  durationMs?: number;
}

/** What the running step waits on now, and for how long so far (e.g. platform ec2, 3 s of 5 s). */
export interface WaitingSummary {
  step: string;
  name: string;
  elapsedMs: number;
  limitMs: number;
}

export interface StatusDoc extends RunInfo {
  version: number;
  state: RunStateName;
  mode: string;
  root: string;
  agentVersion: string;
  pid: number;
  /** the step running now, while state is running */
  currentStep?: string;
  /** what that step waits on, while it waits */
  waiting?: WaitingSummary;
  startedAt: string;
  finishedAt?: string;
  durationMs?: number;
  steps: StepSummary[];
  error?: ErrorSummary;
}

export interface ReportItem extends Omit<ItemEvent, 'startMs'> {
  /** ms since the run started (monotonic clock) */
  startMs: number;
}

export interface ReportStep extends StepSummary {
  /** ms since the run started (monotonic clock) */
  startMs: number;
  items: ReportItem[];
}

export interface ReportDoc extends RunInfo {
  version: number;
  state: RunStateName;
  mode: string;
  agentVersion: string;
  startedAt: string;
  finishedAt?: string;
  durationMs?: number;
  steps: ReportStep[];
  error?: ErrorSummary;
}

/** One line of `--json` progress output and one broadcast on the status socket. */
export type LiveEvent =
  | { event: 'begin'; mode: string; startedAt: string }
  | { event: 'step-start'; step: string; title: string; startMs: number }
  | { event: 'step-end'; step: string; outcome: StepOutcome; summary: string; startMs: number; durationMs: number }
  | { event: 'item'; step: string; item: ReportItem }
  | { event: 'info'; info: RunInfo }
  /** still waiting: sent once a second while a step waits (a wait shorter than that sends none) */
  | { event: 'waiting'; step: string; title: string; name: string; elapsedMs: number; limitMs: number }
  | { event: 'finish'; state: RunStateName; durationMs: number; error?: ErrorSummary };

const FINAL_STATES: readonly RunStateName[] = ['done', 'degraded', 'error'];

export function isFinal(state: RunStateName): boolean {
  return FINAL_STATES.includes(state);
}
