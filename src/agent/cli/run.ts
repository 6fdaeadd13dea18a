// `cloudlet-agent run`: the whole pipeline on an image root, without handing over.

import type { Command } from './command';
import { entrypointOf, PIPELINE_DETAILS, PIPELINE_FLAGS, outputOf, printOutcome, runOptionsOf, systemFor } from './pipeline-flags';
import { executePipeline } from './run-pipeline';

export const runCommand: Command = {
  name: 'run',
  usage: '[--root DIR] [--user-data FILE] [--entrypoint init|chroot|kernel] [--dry-run] [--json] [--quiet] [--run-dir DIR]',
  details: [...PIPELINE_DETAILS, '--entrypoint E     whose requirements to check (default init)'],
  examples: [
    'cloudlet-agent run                                  # from a systemd unit, on /',
    'cloudlet-agent run --root /root --dry-run           # what an initramfs hook would do',
    'cloudlet-agent run --root ./image --user-data ud.json --run-dir /tmp/run',
  ],
  flags: { ...PIPELINE_FLAGS, entrypoint: { type: 'string' } },
  async run(args, baseSystem) {
    const system = systemFor(args, baseSystem);
    const options = runOptionsOf(args, 'run', entrypointOf(args, 'init'));
    const outcome = await executePipeline(system, options, outputOf(args));
    printOutcome(system, args, outcome);
    return outcome.exitCode;
  },
};
