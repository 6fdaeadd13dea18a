// `cloudlet-agent chroot`: the pipeline, then the chroot entry point's command (or CMD) inside the root.

import { EXIT } from '../../errors';
import { execChroot } from '../handover/chroot';
import type { Command } from './command';
import { PIPELINE_DETAILS, PIPELINE_FLAGS, outputOf, printOutcome, runOptionsOf, systemFor } from './pipeline-flags';
import { executePipeline } from './run-pipeline';

export const chrootCommand: Command = {
  name: 'chroot',
  usage: '[--root DIR] [--user-data FILE] [--dry-run] [--json] [--quiet] [--run-dir DIR] [-- CMD...]',
  details: [...PIPELINE_DETAILS, '-- CMD...          run CMD instead of the entry point\'s command'],
  examples: ['cloudlet-agent chroot --root /srv/images/hello --user-data ud.json', 'cloudlet-agent chroot --root ./image -- /bin/sh -c "cat /etc/motd"'],
  flags: PIPELINE_FLAGS,
  positionals: true,
  async run(args, baseSystem) {
    const system = systemFor(args, baseSystem);
    const options = runOptionsOf(args, 'chroot', 'chroot');
    const outcome = await executePipeline(system, options, outputOf(args));
    printOutcome(system, args, outcome);
    if (options.dryRun) return outcome.exitCode;
    const proceed = !outcome.error || outcome.policy === 'continue';
    if (!proceed) return outcome.exitCode;
    const manifest = outcome.ctx.state.manifest;
    const entry = manifest?.entrypoints.chroot;
    // execChroot only returns when it could not exec; its error says why.
    await execChroot(system, options.root, entry, args.positionals.length ? args.positionals : undefined);
    return EXIT.failed;
  },
};
