// The templates plan of a run, kept for `render` to print after the pipeline; summaries never hold file contents.

import type { RunContext } from '../step';
import type { TemplatePlanItem } from './apply';
import type { PlannedTemplate } from './plan';

export interface TemplatesPlan {
  items: TemplatePlanItem[];
  /** `once` templates this run leaves as they are, and why */
  skipped: SkippedTemplate[];
  /** host paths of temp files that killed writers left where this step writes, removed before it writes */
  staleTemps: string[];
}

export interface SkippedTemplate {
  path: string;
  reason: string;
}

// Plans keep contents, which never go into toJSON; only `render --diff` prints them, through its redaction.
const lastPlans = new WeakMap<RunContext, TemplatesPlan>();

export function rememberPlan(ctx: RunContext, plan: TemplatesPlan): void {
  lastPlans.set(ctx, plan);
}

/** The templates plan made during this run (contents included: print only through the diff's redaction). */
export function templatesPlanOf(ctx: RunContext): TemplatesPlan | undefined {
  return lastPlans.get(ctx);
}

/** What may be shown of a planned template: never its content. */
export function summaryOf(t: PlannedTemplate): Record<string, unknown> {
  return { path: t.path, changed: t.changed, reasons: t.reasons, mode: octal(t.mode), owner: t.ownerLabel, source: t.source };
}

export function octal(mode: number): string {
  return mode.toString(8).padStart(4, '0');
}
