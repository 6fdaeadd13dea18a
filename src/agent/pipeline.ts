// The boot pipeline: the order of the steps lives in this one array, and so does their timing.

import { asAgentError } from '../errors';
import { manifestStep } from './manifest-step';
import { userDataStep } from './user-data/step';
import { requirementsStep } from './requirements/step';
import { mountsStep } from './mounts/step';
import { instanceStep } from './instance/step';
import { hostnameStep } from './hostname/step';
import { templatesStep } from './templates/step';
import type { RunContext, Step, StepResult } from './step';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const STEPS: ReadonlyArray<Step<any>> = [manifestStep, userDataStep, requirementsStep, mountsStep, instanceStep, hostnameStep, templatesStep];

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
 * A plan whose step names the failure it foresees stops the run there, dry or not, with that error.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function runPipeline(ctx: RunContext, steps: ReadonlyArray<Step<any>> = STEPS): Promise<PipelineResult> {
  const { system, reporter } = ctx;
  const plans: PlannedStep[] = [];
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const applied: Array<Step<any>> = [];
  let degraded = false;
  try {
    for (const step of steps) {
      if (step.enabled && !step.enabled(ctx)) continue;
      const start = system.monotonicMs();
      reporter.stepStart(step.name, step.title, start);
      try {
        const plan = await step.plan(ctx);
        plans.push({ name: step.name, title: step.title, lines: step.describe(plan), json: step.toJSON(plan) });
        const failure = step.failure?.(plan, ctx);
        if (failure) throw failure;
        let result: StepResult = { summary: step.title, outcome: 'planned' };
        if (!ctx.options.dryRun) {
          applied.push(step);
          result = await step.apply(plan, ctx);
        }
        const outcome = result.outcome ?? 'ok';
        if (outcome === 'degraded') degraded = true;
        reporter.stepEnd(step.name, outcome, result.summary, start, system.monotonicMs() - start);
      } catch (err) {
        const error = asAgentError(err);
        reporter.stepEnd(step.name, 'failed', `${step.title}: ${error.message}`, start, system.monotonicMs() - start);
        throw error;
      }
    }
    for (const step of applied) await step.complete?.(ctx);
  } finally {
    for (const step of applied.reverse()) await step.release?.(ctx);
  }
  return { plans, degraded };
}
