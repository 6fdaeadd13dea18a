// Pipeline step "templates": renders every template in memory, then writes the changed ones atomically.

import { AgentError } from '../../errors';
import { need, type RunContext, type Step, type StepResult } from '../step';
import { applyTemplates } from './apply';
import { buildContext } from './context';
import type { IncludeEntry } from './includes';
import { planTemplates } from './plan';
import { octal, rememberPlan, summaryOf, type TemplatesPlan } from './plan-record';
import { loadAccounts, loadInclude, loadTemplates } from './read-sources';
import type { CompiledTemplates } from './render-template';

/** Rounds of "render, load the includes it asked for": each round loads at least one new file. */
const MAX_INCLUDE_ROUNDS = 100;

export const templatesStep: Step<TemplatesPlan> = {
  name: 'templates',
  title: 'Templates',

  async plan(ctx: RunContext): Promise<TemplatesPlan> {
    const manifest = need(ctx, 'manifest');
    const root = ctx.options.root;
    const loaded = await loadTemplates(root, ctx.system.hostPaths.run, manifest.templates);
    const context = buildContext({
      manifest,
      facts: need(ctx, 'facts'),
      ...(ctx.state.userData ? { userData: ctx.state.userData } : {}),
      ...(ctx.state.source ? { source: ctx.state.source } : {}),
      ...(ctx.state.firstBoot !== undefined ? { firstBoot: ctx.state.firstBoot } : {}),
    });
    const accounts = await loadAccounts(root);
    const includes = new Map<string, IncludeEntry>();
    const secrets = ctx.state.userData?.secrets ?? [];
    const compiled: CompiledTemplates = new Map();
    for (let round = 0; round < MAX_INCLUDE_ROUNDS; round++) {
      const result = planTemplates({ templates: loaded, context, accounts, includes, secrets, compiled });
      if (result.templates) {
        const items = result.templates.map((t, i) => {
          const files = loaded[i] as (typeof loaded)[number];
          return { ...t, targetHost: files.targetHost, pristineHost: files.pristineHost, runPristineHost: files.runPristineHost };
        });
        const plan = { items };
        rememberPlan(ctx, plan);
        return plan;
      }
      for (const path of result.needs) includes.set(path, await loadInclude(root, path));
    }
    throw new AgentError('E_TEMPLATE', `templates include more than ${MAX_INCLUDE_ROUNDS} rounds of files`, {
      fix: 'reduce the depth of includes',
    });
  },

  describe(plan: TemplatesPlan): string[] {
    return plan.items.map((t) => `render ${t.path} (${t.changed ? 'changed' : 'unchanged'}, ${octal(t.mode)} ${t.ownerLabel})`);
  },

  toJSON(plan: TemplatesPlan): unknown {
    return { templates: plan.items.map(summaryOf) };
  },

  async apply(plan: TemplatesPlan, ctx: RunContext): Promise<StepResult> {
    const applied = await applyTemplates(plan.items, ctx.system, (a) =>
      ctx.reporter.item('templates', {
        kind: 'template',
        name: a.path,
        outcome: a.outcome,
        startMs: a.startMs,
        durationMs: a.durationMs,
        ...(a.detail ? { detail: a.detail } : {}),
      }),
    );
    const changed = applied.filter((a) => a.outcome === 'changed').length;
    const n = applied.length;
    return { summary: `Rendered ${n} template${n === 1 ? '' : 's'} (${changed} changed)` };
  },
};
