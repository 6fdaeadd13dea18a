// Pipeline step "user data": finds this machine's user data on the listed platforms and validates it.

import { join } from 'node:path';
import { validateUserData } from '../../manifest/config';
import { need, type RunContext, type Step, type StepResult } from '../step';
import { parseKernelCmdline } from '../../readers/kernel-cmdline';
import { readText, readUserDataFile } from '../../manifest/user-data-file';
import { DATASOURCES } from '../platforms/registry';
import { askPlatforms, type Attempt } from './run-platforms';
import { selectPlatforms } from './select';
import type { DatasourceResult } from '../platforms/types';
import { decodeUserData } from '../../manifest/user-data-bytes';
import { bringUpLinkLocal, type EphemeralLink } from './network-up';
import { normalizeSshKeys } from '../platforms/ssh-keys';

/** Platform name of user data given with --user-data FILE. */
export const ARG_PLATFORM = 'arg';
/** Platform name when no platform had anything: config is the schema's defaults. */
export const NO_PLATFORM = 'none';

export interface UserDataPlan {
  platform: string;
  instanceId?: string;
  hostname?: string;
  region?: string;
  attempts: Attempt[];
  /** top-level config keys the user set (names only: values may be secret) */
  configKeys: string[];
  narrowedBy?: string;
  /** how many SSH public keys the platform gave, and the lines skipped (where and why, never a key) */
  sshKeys: number;
  sshKeysSkipped: string[];
}

export const userDataStep: Step<UserDataPlan> = {
  name: 'user-data',
  title: 'User data',

  async plan(ctx: RunContext): Promise<UserDataPlan> {
    const manifest = need(ctx, 'manifest');
    const cmdline = ctx.options.cmdline ?? (await readCmdline(ctx));
    ctx.state.cmdline = cmdline;
    const params = parseKernelCmdline(cmdline);

    let source: DatasourceResult | null;
    let attempts: Attempt[] = [];
    let narrowedBy: string | undefined;
    if (ctx.options.userDataFile !== undefined) {
      source = { platform: ARG_PLATFORM, userData: await readUserDataFile(ctx.options.userDataFile), meta: {} };
    } else {
      const selection = selectPlatforms(manifest.platforms, params, DATASOURCES);
      narrowedBy = selection.narrowedBy;
      let link: EphemeralLink | null = null;
      const answer = await askPlatforms(selection.sources, {
        system: ctx.system,
        root: ctx.options.root,
        cmdline,
        params,
        settings: manifest.datasources ?? {},
        onAsk: (name, startMs, deadline) => ctx.reporter.waiting?.('user-data', { name, startMs, limitMs: deadline - startMs }),
        onAttempt: (a) =>
          ctx.reporter.item('user-data', {
            kind: 'platform',
            name: a.platform,
            outcome: a.outcome,
            startMs: a.startMs,
            durationMs: a.durationMs,
            ...(a.detail ? { detail: a.detail } : {}),
          }),
        // As PID 1 nobody else has configured a network yet; in the other modes the boot did.
        // A dry run changes nothing, links included.
        beforeNetwork: ctx.options.mode === 'init' && !ctx.options.dryRun ? async () => {
          link = await bringUpLinkLocal(ctx.system);
        } : undefined,
      }).finally(() => (link as EphemeralLink | null)?.teardown());
      source = answer.result;
      attempts = answer.attempts;
    }

    const platform = source?.platform ?? NO_PLATFORM;
    // Told before the user data is judged, so a failed run's status still names where it came from.
    ctx.reporter.info({ platform, ...(source?.instanceId ? { instanceId: source.instanceId } : {}) });
    const raw = source?.userData ? decodeUserData(source.userData, platform) : undefined;
    const userData = validateUserData(raw ?? {}, manifest, platform);
    ctx.state.source = source ?? { platform: NO_PLATFORM, userData: null, meta: {} };
    ctx.state.userData = userData;
    const keys = normalizeSshKeys(source?.sshKeys ?? [], ctx.system.now());
    ctx.state.sshKeys = keys.keys;

    const config = raw?.config;
    return {
      platform,
      ...(source?.instanceId ? { instanceId: source.instanceId } : {}),
      ...(source?.hostname ? { hostname: source.hostname } : {}),
      ...(source?.region ? { region: source.region } : {}),
      attempts,
      configKeys: config && typeof config === 'object' && !Array.isArray(config) ? Object.keys(config).sort() : [],
      ...(narrowedBy !== undefined ? { narrowedBy } : {}),
      sshKeys: keys.keys.length,
      sshKeysSkipped: keys.skipped,
    };
  },

  describe(plan: UserDataPlan): string[] {
    const lines = plan.attempts.map((a) => `${a.platform}: ${a.outcome}${a.detail ? ` (${a.detail})` : ''}`);
    if (plan.narrowedBy !== undefined) lines.unshift(`platforms narrowed by cloudlet.platform=${plan.narrowedBy}`);
    if (plan.platform === NO_PLATFORM) lines.push('no user data found: config defaults apply');
    else lines.push(`user data from ${plan.platform === ARG_PLATFORM ? '--user-data' : plan.platform}${plan.instanceId ? `, instance ${plan.instanceId}` : ''}`);
    if (plan.configKeys.length) lines.push(`config keys set: ${plan.configKeys.join(', ')}`);
    if (plan.sshKeys || plan.sshKeysSkipped.length) lines.push(sshKeysLine(plan));
    return lines;
  },

  toJSON(plan: UserDataPlan): unknown {
    return plan;
  },

  async apply(plan: UserDataPlan): Promise<StepResult> {
    const from = plan.platform === NO_PLATFORM ? 'no user data, defaults' : `user data from ${plan.platform === ARG_PLATFORM ? '--user-data' : plan.platform}`;
    const keys = plan.sshKeys || plan.sshKeysSkipped.length ? `; ${sshKeysLine(plan)}` : '';
    return { summary: `${from}${plan.instanceId ? ` (instance ${plan.instanceId})` : ''}${keys}` };
  },
};

function sshKeysLine(plan: UserDataPlan): string {
  const n = `${plan.sshKeys} SSH public key${plan.sshKeys === 1 ? '' : 's'}`;
  return plan.sshKeysSkipped.length ? `${n}; warning, skipped: ${plan.sshKeysSkipped.join('; ')}` : n;
}

async function readCmdline(ctx: RunContext): Promise<string> {
  // Without /proc (a chroot without it) there are simply no kernel arguments.
  const text = await readText(join(ctx.system.hostPaths.proc, 'cmdline'), 64 << 10).catch(() => null);
  return (text ?? '').trim();
}
