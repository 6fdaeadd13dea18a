// Pipeline step "requirements": collects this machine's facts, then checks the entry point's requirements.

import type { EntrypointName } from '../../manifest/types';
import { need, type RunContext, type Step, type StepResult } from '../step';
import { collectFacts } from './collect-facts';
import { checkRequirements, requirementsOf, unmetError } from './entrypoint-requirements';
import type { RequirementRow } from './evaluate';
import type { Facts } from './facts-types';
import { formatBytes } from './memory-size';

export interface RequirementsPlan {
  facts: Facts;
  entrypoint: EntrypointName;
  /** every check, all met; absent when rendering, which needs the facts (templates' `env`) but no entry point */
  rows?: RequirementRow[];
}

export const requirementsStep: Step<RequirementsPlan> = {
  name: 'requirements',
  title: 'Requirements',

  async plan(ctx: RunContext): Promise<RequirementsPlan> {
    const facts = await collectFacts(ctx.system);
    ctx.state.facts = facts;
    const entrypoint = ctx.options.entrypoint;
    if (ctx.options.mode === 'render') return { facts, entrypoint };
    const manifest = need(ctx, 'manifest');
    const rows = await checkRequirements(ctx.options.root, manifest, entrypoint, facts);
    // Unmet requirements stop the run before anything is mounted or rendered, dry run or not.
    if (rows.some((r) => !r.ok)) throw unmetError(entrypoint, requirementsOf(manifest, entrypoint), rows);
    return { facts, entrypoint, rows };
  },

  describe(plan: RequirementsPlan): string[] {
    const f = plan.facts;
    const lines = [`facts: ${f.arch} ${f.os} ${f.kernelRelease}, ${f.cpus} cpus, ${formatBytes(f.memoryBytes)} MemTotal, hypervisor ${f.hypervisor}`];
    if (!plan.rows) return [...lines, 'requirements not checked: rendering needs no entry point'];
    if (plan.rows.length === 0) return [...lines, `entry point ${plan.entrypoint} has no requirements`];
    return [...lines, ...plan.rows.map((r) => `met ${r.key}: ${r.required} (detected ${r.detected})`)];
  },

  toJSON(plan: RequirementsPlan): unknown {
    return { entrypoint: plan.entrypoint, facts: plan.facts, ...(plan.rows ? { rows: plan.rows } : { checked: false }) };
  },

  async apply(plan: RequirementsPlan, ctx: RunContext): Promise<StepResult> {
    if (!plan.rows) return { summary: 'Collected facts (requirements are not checked when rendering)' };
    const now = ctx.system.monotonicMs();
    for (const row of plan.rows) {
      ctx.reporter.item('requirements', { kind: 'requirement', name: `${row.key} ${row.required}`, outcome: 'ok', startMs: now, durationMs: 0, detail: row.detected });
    }
    const n = plan.rows.length;
    if (n === 0) return { summary: `Entry point ${plan.entrypoint} has no requirements` };
    return { summary: `Requirements of ${plan.entrypoint} met (${n} check${n === 1 ? '' : 's'})` };
  },
};
