// The mounts step: probe, plan, then mkfs/mount/seed/bind/tmpfs before any template renders.

import { AgentError, asAgentError } from '../../errors';
import { need, type Step } from '../step';
import { applyAction, type ActionOutcome } from './apply';
import { describeAction, planMounts } from './plan';
import { readMountinfo } from './mountinfo';
import { probeMounts } from './probe';
import { effectiveStorage } from './storage-spec';
import type { MountInput, MountPlan } from './types';
import { probeRoot, remountRoot } from './writable-root';

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
    // Only a boot's own run (init=, the initramfs hooks, the unit) touches how the root is mounted.
    const boot = ctx.options.mode === 'init' || ctx.options.mode === 'run';
    const paths = [...manifest.persistent, ...manifest.volatile].map((p) => p.path);
    if (!boot && !storage && paths.length === 0) return planMounts(input, { paths: [] });
    // One look at the mount table for the root and the paths.
    const mounts = await readMountinfo(ctx.system);
    const root = boot ? await probeRoot(mounts, ctx.options.root) : undefined;
    const withRoot = root ? { root } : {};
    if (!storage && paths.length === 0) return planMounts(input, { paths: [], ...withRoot });
    const probes = await probeMounts(ctx.system, ctx.options.root, storage, paths, mounts);
    return planMounts(input, { ...probes, ...withRoot });
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

  /** Leaves the root read-only again, as the early boot had it: the init remounts it as its fstab says. */
  async release(ctx) {
    if (!ctx.state.rootMadeWritable) return;
    ctx.state.rootMadeWritable = false;
    await remountRoot(ctx.system, ctx.options.root, 'ro').catch((err: unknown) => {
      ctx.system.err(`cloudlet-agent: ${asAgentError(err).message}; the root stays read-write`);
    });
  },

  /** An unusable volume stops the run unless the manifest chose to boot on without persistence. */
  failure(plan, ctx) {
    const problem = plan.storageProblem;
    if (!problem || need(ctx, 'manifest').onError === 'continue') return undefined;
    return new AgentError('E_STORAGE', problem.message, { where: problem.where, fix: problem.fix });
  },

  async apply(plan, ctx) {
    const problem = plan.storageProblem;
    const env = { system: ctx.system, root: ctx.options.root, ...(plan.storageHost ? { storageHost: plan.storageHost } : {}) };
    let done = 0;
    let inPlace = 0;
    let refused = false;
    for (const [index, action] of plan.actions.entries()) {
      const start = ctx.system.monotonicMs();
      let outcome: ActionOutcome | 'failed';
      let detail = describeAction(action);
      try {
        outcome = await applyAction(env, action, index);
        if (action.kind === 'remount-root') ctx.state.rootMadeWritable = true;
      } catch (err) {
        // A root that refuses writes is still a root: the run goes on the way it does on a read-only one.
        if (action.kind !== 'remount-root') throw err;
        outcome = 'failed';
        refused = true;
        detail = `${detail}: ${asAgentError(err).message}; going on with the root read-only`;
      }
      if (outcome === 'unchanged') inPlace++;
      else if (outcome !== 'failed') done++;
      ctx.reporter.item('mounts', {
        kind: 'mount',
        name: 'path' in action ? action.path : 'target' in action ? action.target : action.device,
        outcome,
        startMs: start,
        durationMs: ctx.system.monotonicMs() - start,
        detail,
      });
    }
    const summary = plan.actions.length === 0
      ? 'Nothing to mount'
      : `Mounted storage: ${done} done, ${inPlace} already in place${refused ? '; the root refused to be remounted rw and stays read-only' : ''}`;
    if (problem) {
      return { summary: `${summary}; storage unusable (${problem.message}), not persistent: ${plan.degradedPaths.join(', ')}`, outcome: 'degraded' };
    }
    return { summary };
  },
};
