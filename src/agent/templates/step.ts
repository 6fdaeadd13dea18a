// Pipeline step "templates": renders every template in memory, then writes the changed ones atomically.

import { dirname } from 'node:path';
import { findStaleTemps, removeStaleTemps } from '../../system/stale-temps';
import { need, type RunContext, type Step, type StepResult } from '../step';
import { applyTemplates } from './apply';
import { buildContext } from './context';
import { planOnce } from './once';
import { octal, rememberPlan, summaryOf, type SkippedTemplate, type TemplatesPlan } from './plan-record';
import { readBootRecord } from '../instance/state';
import type { TemplateSpec } from '../../manifest/types';
import { planInRounds } from './plan-rounds';
import { loadAccounts, loadTemplates, runStore, type LoadedTemplate } from './read-sources';

export const templatesStep: Step<TemplatesPlan> = {
  name: 'templates',
  title: 'Templates',

  async plan(ctx: RunContext): Promise<TemplatesPlan> {
    const manifest = need(ctx, 'manifest');
    const root = ctx.options.root;
    const { render, skipped } = await splitOnce(ctx, manifest.templates);
    const loaded = await loadTemplates(root, ctx.system.hostPaths.run, render);
    const staleTemps = await findStaleTemps(writeDirs(loaded, ctx.system.hostPaths.run));
    const context = buildContext({
      manifest,
      facts: need(ctx, 'facts'),
      ...(ctx.state.userData ? { userData: ctx.state.userData } : {}),
      ...(ctx.state.source ? { source: ctx.state.source } : {}),
      ...(ctx.state.firstBoot !== undefined ? { firstBoot: ctx.state.firstBoot } : {}),
      ...(ctx.state.sshKeys ? { sshKeys: ctx.state.sshKeys } : {}),
    });
    ctx.state.context = context;
    const accounts = await loadAccounts(root);
    const secrets = ctx.state.userData?.secrets ?? [];
    const planned = await planInRounds(root, { templates: loaded, context, accounts, includes: new Map(), secrets, compiled: new Map() });
    const items = planned.map((t, i) => {
      const files = loaded[i] as (typeof loaded)[number];
      return { ...t, targetHost: files.targetHost, pristineHost: files.pristineHost, runPristineHost: files.runPristineHost };
    });
    const plan = { items, skipped, staleTemps };
    rememberPlan(ctx, plan);
    return plan;
  },

  describe(plan: TemplatesPlan): string[] {
    return [
      ...plan.staleTemps.map((p) => `remove ${p} (a temp file left by a killed writer)`),
      ...plan.items.map((t) => `render ${t.path} (${t.changed ? 'changed' : 'unchanged'}, ${octal(t.mode)} ${t.ownerLabel})`),
      ...plan.skipped.map((t) => `skip ${t.path} (${t.reason})`),
    ];
  },

  toJSON(plan: TemplatesPlan): unknown {
    return { templates: plan.items.map(summaryOf), skipped: plan.skipped, staleTemps: plan.staleTemps };
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
    for (const t of plan.skipped) {
      const now = ctx.system.monotonicMs();
      ctx.reporter.item('templates', { kind: 'template', name: t.path, outcome: 'skipped', startMs: now, durationMs: 0, detail: t.reason });
    }
    const changed = applied.filter((a) => a.outcome === 'changed').length;
    const n = applied.length;
    const cleaned = removed ? `; removed ${removed} stale temp file${removed === 1 ? '' : 's'}` : '';
    const kept = plan.skipped.length ? `; ${plan.skipped.length} first-boot-only left as ${plan.skipped.length === 1 ? 'it is' : 'they are'}` : '';
    return { summary: `Rendered ${n} template${n === 1 ? '' : 's'} (${changed} changed${cleaned}${kept})` };
  },
};

/**
 * Sets apart the `once` templates that this run must leave alone: those of an instance whose first boot
 * is done. A boot knows from the instance step; `render`, which is no boot, reads the same record, so
 * rendering a booted machine's root never overwrites what its first boot wrote (a build tree has no
 * record: everything renders).
 */
async function splitOnce(ctx: RunContext, specs: readonly TemplateSpec[]): Promise<{ render: TemplateSpec[]; skipped: SkippedTemplate[] }> {
  if (!specs.some((t) => t.once)) return { render: [...specs], skipped: [] };
  const firstBoot = ctx.state.firstBoot ?? (await readBootRecord(ctx.options.root, ctx.state.source?.instanceId ?? null)).firstBoot;
  return planOnce(specs, firstBoot);
}

/** Every directory the step may write a file into: beside targets, pristine copies, and their copies in the run directory. */
function writeDirs(loaded: readonly LoadedTemplate[], runDir: string): string[] {
  return loaded.flatMap((t) => [t.targetHost, t.pristineHost, t.runPristineHost, runStore(runDir, 'rendered', t.spec.path)].map((p) => dirname(p)));
}
