// The boot pipeline: the order of the steps lives in this one array, and so does their timing.

import { AgentError, asAgentError } from './errors';
import type { Facts } from './requirements/facts-types';
import type { DatasourceResult } from './datasources/types';
import type { EntrypointName, NormalizedManifest } from './manifest/types';
import type { ValidatedUserData } from './manifest/user-data';
import type { Reporter, StepOutcome } from './status/reporter';
import type { System } from './system/system';
import { manifestStep } from './manifest/step';
import { userDataStep } from './datasources/step';
import { requirementsStep } from './requirements/step';
import { mountsStep } from './mounts/step';
import { instanceStep } from './datasources/instance-step';
import { templatesStep } from './templates/step';

export type Mode = 'run' | 'init' | 'chroot' | 'render';

export interface RunOptions {
  /** host path of the image root */
  root: string;
  mode: Mode;
  entrypoint: EntrypointName;
  userDataFile?: string;
  dryRun: boolean;
  /** kernel command line; read from /proc/cmdline when absent */
  cmdline?: string;
}

/** What earlier steps learned, for later ones. */
export interface RunState {
  manifest?: NormalizedManifest;
  source?: DatasourceResult;
  userData?: ValidatedUserData;
  facts?: Facts;
  cmdline?: string;
  /** set by the instance step: no completed first boot of this instance yet */
  firstBoot?: boolean;
  /** the platform's instance id differs from the recorded one (a clone) */
  instanceChanged?: boolean;
}

export interface RunContext {
  system: System;
  options: RunOptions;
  reporter: Reporter;
  state: RunState;
}

export interface StepResult {
  /** one line for the console, e.g. "Rendered 12 templates" */
  summary: string;
  outcome?: StepOutcome;
}

export interface Step<P> {
  name: string;
  title: string;
  /** Reads what it needs and decides; changes nothing. */
  plan(ctx: RunContext): Promise<P>;
  /** The plan as lines of text for --dry-run. */
  describe(plan: P): string[];
  /** JSON form of the plan for --dry-run --json (secrets already left out). */
  toJSON(plan: P): unknown;
  /** Carries the plan out. */
  apply(plan: P, ctx: RunContext): Promise<StepResult>;
  /** Whether the step runs in this mode. */
  enabled?(ctx: RunContext): boolean;
  /** Runs once every step has been applied without error (never in dry-run), e.g. to mark the first boot done. */
  complete?(ctx: RunContext): Promise<void>;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const STEPS: ReadonlyArray<Step<any>> = [manifestStep, userDataStep, requirementsStep, mountsStep, instanceStep, templatesStep];

export interface PlannedStep {
  name: string;
  title: string;
  lines: string[];
  json: unknown;
}

export interface PipelineResult {
  plans: PlannedStep[];
  degraded: boolean;
}

/**
 * Plans and applies each step in order. With dryRun every step is planned and none applied; later
 * plans still see what earlier plans learned (manifest, user data, facts), since planning changes nothing.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function runPipeline(ctx: RunContext, steps: ReadonlyArray<Step<any>> = STEPS): Promise<PipelineResult> {
  const { system, reporter } = ctx;
  const plans: PlannedStep[] = [];
  let degraded = false;
  for (const step of steps) {
    if (step.enabled && !step.enabled(ctx)) continue;
    const start = system.monotonicMs();
    reporter.stepStart(step.name, step.title, start);
    try {
      const plan = await step.plan(ctx);
      plans.push({ name: step.name, title: step.title, lines: step.describe(plan), json: step.toJSON(plan) });
      let result: StepResult = { summary: `${step.title} (planned)`, outcome: 'skipped' };
      if (!ctx.options.dryRun) result = await step.apply(plan, ctx);
      const outcome = result.outcome ?? 'ok';
      if (outcome === 'degraded') degraded = true;
      reporter.stepEnd(step.name, outcome, result.summary, start, system.monotonicMs() - start);
    } catch (err) {
      const error = asAgentError(err);
      reporter.stepEnd(step.name, 'failed', `${step.title}: ${error.message}`, start, system.monotonicMs() - start);
      throw error;
    }
  }
  if (!ctx.options.dryRun) {
    for (const step of steps) if (!step.enabled || step.enabled(ctx)) await step.complete?.(ctx);
  }
  return { plans, degraded };
}

/** The state a step needs from an earlier one; a missing one is a bug in STEPS' order. */
export function need<K extends keyof RunState>(ctx: RunContext, key: K): NonNullable<RunState[K]> {
  const value = ctx.state[key];
  if (value === undefined || value === null) {
    throw new AgentError('E_INTERNAL', `pipeline step needs "${String(key)}" before it is known`);
  }
  return value as NonNullable<RunState[K]>;
}
