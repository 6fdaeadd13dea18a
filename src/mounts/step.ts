// The mounts step: probe, plan, then mkfs/mount/seed/bind/tmpfs before any template renders.

import { AgentError } from '../errors';
import { need, type Step } from '../step';
import { applyAction } from './apply';
import { describeAction, planMounts } from './plan';
import { probeMounts } from './probe';
import { effectiveStorage } from './storage-spec';
import type { MountInput, MountPlan } from './types';

export const mountsStep: Step<MountPlan> = {
  name: 'mounts',
  title: 'Mount storage',
  enabled: (ctx) => ctx.options.mode !== 'render',

  async plan(ctx) {
    const manifest = need(ctx, 'manifest');
    // The kernel command line was read by the user-data step, which always runs first.
    const storage = effectiveStorage(manifest.storage, ctx.state.userData?.storage, need(ctx, 'cmdline'));
    const input: MountInput = {
      persistent: manifest.persistent,
      volatile: manifest.volatile,
      onError: manifest.onError ?? 'halt',
      ...(storage ? { storage } : {}),
    };
    const paths = [...manifest.persistent, ...manifest.volatile].map((p) => p.path);
    if (!storage && paths.length === 0) return { actions: [], degradedPaths: [] };
    const probes = await probeMounts(ctx.system, ctx.options.root, storage, paths);
    return planMounts(input, probes);
  },

  describe(plan) {
    const lines = plan.actions.map(describeAction);
    if (plan.storageProblem) {
      lines.unshift(`storage unusable: ${plan.storageProblem.message}`);
      for (const p of plan.degradedPaths) lines.push(`not persistent this boot: ${p}`);
    }
    return lines;
  },

  toJSON(plan) {
    return plan;
  },

  async apply(plan, ctx) {
    const manifest = need(ctx, 'manifest');
    const problem = plan.storageProblem;
    if (problem && (manifest.onError ?? 'halt') !== 'continue') {
      throw new AgentError('E_STORAGE', problem.message, { where: problem.where, fix: problem.fix });
    }
    const env = { system: ctx.system, root: ctx.options.root, ...(plan.storageHost ? { storageHost: plan.storageHost } : {}) };
    let changed = 0;
    for (const [index, action] of plan.actions.entries()) {
      const start = ctx.system.monotonicMs();
      const outcome = await applyAction(env, action, index);
      if (outcome !== 'unchanged') changed++;
      ctx.reporter.item('mounts', {
        kind: 'mount',
        name: 'path' in action ? action.path : 'target' in action ? action.target : action.device,
        outcome,
        startMs: start,
        durationMs: ctx.system.monotonicMs() - start,
        detail: describeAction(action),
      });
    }
    const summary = plan.actions.length === 0 ? 'Nothing to mount' : `Mounted storage: ${changed} done, ${plan.actions.length - changed} already in place`;
    if (problem) {
      return { summary: `${summary}; storage unusable (${problem.message}), not persistent: ${plan.degradedPaths.join(', ')}`, outcome: 'degraded' };
    }
    return { summary };
  },
};
