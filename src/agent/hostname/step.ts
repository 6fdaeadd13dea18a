// Pipeline step "hostname": user data's hostname, else the platform's, set on the machine and in /etc/hostname.

import { joinRoot } from '../../system/root-path';
import { need, type RunContext, type Step, type StepResult } from '../step';
import { applyHostname, kernelHostnamePath } from './apply';
import { firstLine, isMachineRoot } from './current';
import { describeHostname, planHostname, type HostnamePlan, type HostnameRequest } from './plan';

const ETC_HOSTNAME = '/etc/hostname';

export interface HostnameStepPlan extends HostnamePlan {
  /** host path of the image's /etc/hostname */
  etcHost: string;
}

export const hostnameStep: Step<HostnameStepPlan> = {
  name: 'hostname',
  title: 'Hostname',
  // A boot of this machine names it; a chroot entry point or a render names nothing.
  enabled: (ctx) => ctx.options.mode === 'init' || ctx.options.mode === 'run',

  async plan(ctx: RunContext): Promise<HostnameStepPlan> {
    const manifest = need(ctx, 'manifest');
    const root = ctx.options.root;
    const etcHost = await joinRoot(root, ETC_HOSTNAME);
    const ownsMachine = ctx.options.mode === 'init' || (await isMachineRoot(root));
    const plan = planHostname({
      requested: requestOf(ctx),
      kernelNow: ownsMachine ? await firstLine(kernelHostnamePath(ctx.system.hostPaths.proc)) ?? '' : null,
      etcNow: await firstLine(etcHost),
      etcIsTemplate: manifest.templates.some((t) => t.path === ETC_HOSTNAME),
    });
    return { ...plan, etcHost };
  },

  describe: describeHostname,

  toJSON(plan: HostnameStepPlan): unknown {
    const { etcHost: _host, ...rest } = plan;
    return rest;
  },

  async apply(plan: HostnameStepPlan, ctx: RunContext): Promise<StepResult> {
    if (plan.problem) return { summary: `Hostname not set: ${plan.problem}`, outcome: 'degraded' };
    if (plan.name === null) return { summary: 'Hostname: none given, left as it is' };
    const done = await applyHostname(plan, ctx.system.hostPaths.proc, plan.etcHost);
    const detail = [...done.problems, ...done.notes];
    const summary = `Hostname ${plan.name} (from ${plan.from})${detail.length ? `: ${detail.join('; ')}` : ''}`;
    return { summary, outcome: done.problems.length ? 'degraded' : 'ok' };
  },
};

function requestOf(ctx: RunContext): HostnameRequest | null {
  const fromUser = ctx.state.userData?.hostname;
  if (fromUser !== undefined) return { name: fromUser, from: 'user data' };
  const source = ctx.state.source;
  if (source?.hostname !== undefined) return { name: source.hostname, from: `platform ${source.platform}` };
  return null;
}

