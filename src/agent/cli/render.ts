// `cloudlet-agent render`: manifest, user data and templates only (no mounts, no requirement checks).

import { EXIT } from '../../errors';
import { scrub } from '../../secrets/scrub';
import type { System } from '../../system/system';
import { unifiedDiff } from '../templates/line-diff';
import { summaryOf, templatesPlanOf, type TemplatesPlan } from '../templates/plan-record';
import { boolFlag, type Command } from './command';
import { printOutcome, runOptionsOf, systemFor } from './pipeline-flags';
import { executePipeline } from './run-pipeline';

export const renderCommand: Command = {
  name: 'render',
  usage: '[--root DIR] [--user-data FILE] [--diff] [--dry-run] [--json] [--quiet] [--run-dir DIR]',
  details: [
    '--root DIR        the image root (default /)',
    '--user-data FILE  take user data from FILE instead of the platforms',
    '--diff            print a unified diff of each changed file (secret values shown as <secret>; in files',
    '                  that hold secrets, removed lines are hidden, as they may hold an earlier secret)',
    '--dry-run         render in memory and report; write nothing (no pristine copies either)',
    '--json            the result as JSON: path, changed, mode, owner per template (never contents), and the',
    '                  `once` templates left as they are (skipped, with the reason)',
    '--quiet           print only failures',
    '--run-dir DIR     run directory for read-only roots (rendered copies are bound from DIR/cloudlet/rendered)',
    'A template error writes nothing at all: every template renders in memory before any file is replaced.',
  ],
  examples: [
    'cloudlet-agent render --root ./image --user-data ud.json --dry-run --diff',
    'cloudlet-agent render --root /mnt/image --user-data ud.json --json',
  ],
  flags: {
    root: { type: 'string' },
    'user-data': { type: 'string' },
    diff: { type: 'boolean' },
    'dry-run': { type: 'boolean' },
    json: { type: 'boolean' },
    quiet: { type: 'boolean' },
    'run-dir': { type: 'string' },
  },
  async run(args, baseSystem) {
    const system = systemFor(args, baseSystem);
    const json = boolFlag(args, 'json');
    const options = runOptionsOf(args, 'render', 'init');
    // A render is not a boot: it leaves this boot's status files and socket alone.
    const outcome = await executePipeline(system, options, { quiet: boolFlag(args, 'quiet'), json, record: false });
    if (outcome.error) {
      printOutcome(system, args, outcome);
      return outcome.exitCode;
    }
    const { ctx } = outcome;
    const secrets = ctx.state.userData?.secrets ?? [];
    const plan = templatesPlanOf(ctx) ?? { items: [], skipped: [], staleTemps: [] };
    if (json) {
      system.out(JSON.stringify({ ok: true, dryRun: options.dryRun, templates: plan.items.map(summaryOf), skipped: plan.skipped }, null, 2));
    } else {
      printText(system, plan, options.dryRun, boolFlag(args, 'diff'), secrets);
    }
    return EXIT.ok;
  },
};

function printText(system: System, plan: TemplatesPlan, dryRun: boolean, diff: boolean, secrets: readonly string[]): void {
  if (plan.items.length === 0 && plan.skipped.length === 0) system.out('no templates in the manifest');
  const verb = dryRun ? 'would render' : 'rendered';
  for (const t of plan.items) {
    const summary = summaryOf(t);
    system.out(`${verb} ${t.path} (${t.changed ? `changed: ${t.reasons.join(', ')}` : 'unchanged'}, ${String(summary.mode)} ${t.ownerLabel})`);
    if (!diff || !t.reasons.some((r) => r === 'content' || r === 'new')) continue;
    const text = unifiedDiff(t.before?.toString('utf8') ?? null, t.output.toString('utf8'), t.path, { hideRemoved: t.sensitive });
    system.out(scrub(text, secrets).trimEnd());
  }
  for (const t of plan.skipped) system.out(`skipped ${t.path} (${t.reason})`);
}
