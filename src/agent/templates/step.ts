// Pipeline step "templates": renders every template in memory, then writes the changed ones atomically.

import { dirname } from 'node:path';
import { AgentError } from '../../errors';
import { findStaleTemps, removeStaleTemps } from '../../system/stale-temps';
import { need, type RunContext, type Step, type StepResult } from '../step';
import { applyTemplates } from './apply';
import { buildContext } from './context';
import type { IncludeEntry } from './includes';
import { planTemplates } from './plan';
import { octal, rememberPlan, summaryOf, type TemplatesPlan } from './plan-record';
import { loadAccounts, loadInclude, loadTemplates, runStore, type LoadedTemplate } from './read-sources';
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
    const staleTemps = await findStaleTemps(writeDirs(loaded, ctx.system.hostPaths.run));
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
        const plan = { items, staleTemps };
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
    return [
      ...plan.staleTemps.map((p) => `remove ${p} (a temp file left by a killed writer)`),
      ...plan.items.map((t) => `render ${t.path} (${t.changed ? 'changed' : 'unchanged'}, ${octal(t.mode)} ${t.ownerLabel})`),
    ];
  },

  toJSON(plan: TemplatesPlan): unknown {
    return { templates: plan.items.map(summaryOf), staleTemps: plan.staleTemps };
  },

  async apply(plan: TemplatesPlan, ctx: RunContext): Promise<StepResult> {
    // First, so that a disk that the leftovers filled has room again, and no old secret stays in them.
    const removed = await removeStaleTemps(plan.staleTemps);
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
    const cleaned = removed ? `; removed ${removed} stale temp file${removed === 1 ? '' : 's'}` : '';
    return { summary: `Rendered ${n} template${n === 1 ? '' : 's'} (${changed} changed${cleaned})` };
  },
};

/** Every directory the step may write a file into: beside targets, pristine copies, and their copies in the run directory. */
function writeDirs(loaded: readonly LoadedTemplate[], runDir: string): string[] {
  return loaded.flatMap((t) => [t.targetHost, t.pristineHost, t.runPristineHost, runStore(runDir, 'rendered', t.spec.path)].map((p) => dirname(p)));
}
