// Pipeline step "instance": first boot, every boot or a clone, read after the mounts so the record lives with the data.

import type { RunContext, Step, StepResult } from '../step';
import { completeBoot, markBootStarted, readBootRecord, STATE_DIR, type BootRecord } from './state';

export interface InstancePlan {
  instanceId: string | null;
  record: BootRecord;
}

export const instanceStep: Step<InstancePlan> = {
  name: 'instance',
  title: 'Instance',
  // Rendering an image tree on a build host is not a boot of it.
  enabled: (ctx) => ctx.options.mode !== 'render',

  async plan(ctx: RunContext): Promise<InstancePlan> {
    const instanceId = ctx.state.source?.instanceId ?? null;
    const record = await readBootRecord(ctx.options.root, instanceId);
    ctx.state.firstBoot = record.firstBoot;
    ctx.state.instanceChanged = record.instanceChanged;
    ctx.reporter.info({ firstBoot: record.firstBoot, instanceChanged: record.instanceChanged });
    return { instanceId, record };
  },

  describe(plan: InstancePlan): string[] {
    return [`${describeBoot(plan)}; record in ${STATE_DIR}`];
  },

  toJSON(plan: InstancePlan): unknown {
    return plan;
  },

  async apply(plan: InstancePlan, ctx: RunContext): Promise<StepResult> {
    const kept = await markBootStarted(ctx.options.root, plan.instanceId, plan.record.previousInstanceId, ctx.system.now());
    if (!kept) {
      return { summary: `${describeBoot(plan)}; not recorded: ${STATE_DIR} is read-only (list it as a persistent path to remember boots)` };
    }
    return { summary: describeBoot(plan) };
  },

  async complete(ctx: RunContext): Promise<void> {
    await completeBoot(ctx.options.root, ctx.state.source?.instanceId ?? null);
  },
};

function describeBoot(plan: InstancePlan): string {
  const id = plan.instanceId ? `instance ${plan.instanceId}` : 'no instance id';
  if (plan.record.instanceChanged) return `${id}: first boot of a clone (was ${plan.record.previousInstanceId})`;
  if (plan.record.firstBoot) return `${id}: first boot${plan.record.previousInterrupted ? ' (the previous one did not complete)' : ''}`;
  return `${id}: boot of a known instance`;
}
