// `cloudlet-agent clean`: forget this machine's boot record (next boot is a first boot), or strip a build tree of what render left.

import { realpath } from 'node:fs/promises';
import { AgentError, EXIT } from '../../errors';
import { loadManifest } from '../../manifest/load';
import type { System } from '../../system/system';
import { applyClean } from '../clean/apply';
import { checkImageRoot, describeAction, planClean, type CleanPlan } from '../clean/plan';
import { scanRoot } from '../clean/scan';
import { STATE_DIR } from '../instance/state';
import { TEMPLATE_STORE } from '../templates/includes';
import { boolFlag, printJson, stringFlag, type Command } from './command';

export const cleanCommand: Command = {
  name: 'clean',
  usage: '[--root DIR | --image DIR [--force]] [--dry-run] [--json]',
  details: [
    `--root DIR    the root whose boot record (${STATE_DIR}) goes (default /): its next boot is a first boot`,
    '--image DIR   a build tree: also put every template back from its pristine copy (removing what render wrote,',
    `              secrets included), remove the pristine copies from ${TEMPLATE_STORE} and temp files killed writers left`,
    '--force       allow --image / (a container build whose root is the image); refused otherwise',
    '--dry-run     list what would be removed or restored, and change nothing',
    '--json        the plan and what was done as JSON',
    'Nothing outside DIR is removed: every path is resolved inside it, symlinks included.',
  ],
  examples: [
    'cloudlet-agent clean                        # before shutting a machine down to capture it as an image',
    'cloudlet-agent clean --image ./rootfs --dry-run',
    'cloudlet-agent render --root ./rootfs --user-data test.json && cloudlet-agent clean --image ./rootfs',
  ],
  flags: { root: { type: 'string' }, image: { type: 'string' }, force: { type: 'boolean' }, 'dry-run': { type: 'boolean' }, json: { type: 'boolean' } },
  async run(args, system) {
    const image = stringFlag(args, 'image');
    const rootFlag = stringFlag(args, 'root');
    if (image !== undefined && rootFlag !== undefined) {
      throw new AgentError('E_USAGE', 'clean takes --root DIR or --image DIR, not both', { fix: '--image DIR already forgets the boot record of DIR' });
    }
    if (image === undefined && boolFlag(args, 'force')) {
      throw new AgentError('E_USAGE', '--force only goes with --image', { fix: 'drop --force' });
    }
    const root = await existingDir(image ?? rootFlag ?? '/', image !== undefined ? '--image' : '--root');
    if (image !== undefined) checkImageRoot(root, boolFlag(args, 'force'));
    const manifest = image !== undefined ? await loadManifest({ root }) : undefined;
    const plan = planClean(image !== undefined ? 'image' : 'boot-record', await scanRoot(root, manifest));
    const dryRun = boolFlag(args, 'dry-run');
    if (!dryRun) await applyClean(root, plan);
    report(system, plan, root, dryRun, boolFlag(args, 'json'));
    return EXIT.ok;
  },
};

async function existingDir(dir: string, flag: string): Promise<string> {
  try {
    return await realpath(dir);
  } catch (err) {
    throw new AgentError('E_USAGE', `${flag} ${dir}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such directory' : (err as Error).message}`, {
      where: dir,
      fix: `point ${flag} at an image root`,
    });
  }
}

function report(system: System, plan: CleanPlan, root: string, dryRun: boolean, json: boolean): void {
  if (json) {
    printJson(system, { root, what: plan.what, dryRun, actions: plan.actions });
    return;
  }
  const subject = plan.what === 'image' ? `image tree ${root}` : `boot record of ${root}`;
  if (plan.actions.length === 0) {
    system.out(`cloudlet-agent: nothing to clean in the ${subject}`);
    return;
  }
  for (const action of plan.actions) system.out(`${dryRun ? 'would ' : ''}${describeAction(action)}`);
  const n = plan.actions.length;
  system.out(dryRun ? `cloudlet-agent: ${n} change${n === 1 ? '' : 's'} planned in the ${subject}; nothing changed (--dry-run)` : `cloudlet-agent: cleaned the ${subject} (${n} change${n === 1 ? '' : 's'})`);
}
