// `cloudlet-agent init`: PID 1 mode (kernel argument init=/usr/sbin/cloudlet-agent).

import type { Command } from './command';
import { boolFlag } from './command';
import { runInit } from '../handover/init';
import { printOutcome } from './pipeline-flags';

export const initCommand: Command = {
  name: 'init',
  usage: '[--dry-run] [--json] [--quiet] [-- KERNEL-ARGS...]',
  details: [
    'Runs as PID 1 when the kernel is booted with init=/usr/sbin/cloudlet-agent; any arguments the kernel',
    'passes go on to the real init (entrypoints.init.path, default /sbin/init).',
    'On failure the manifest\'s onError applies: halt (default: the error stays on the console),',
    'continue (boot anyway, status degraded) or shell (/bin/sh on the console).',
    '--dry-run   print the plan of every step and change nothing (works when not PID 1)',
    '--json      machine-readable plan or result',
    '--quiet     print only failures',
  ],
  examples: ['linux ... root=/dev/vda ro init=/usr/sbin/cloudlet-agent', 'cloudlet-agent init --dry-run'],
  flags: { 'dry-run': { type: 'boolean' }, json: { type: 'boolean' }, quiet: { type: 'boolean' } },
  positionals: true,
  async run(args, system) {
    return runInit(
      system,
      { dryRun: boolFlag(args, 'dry-run'), quiet: boolFlag(args, 'quiet'), json: boolFlag(args, 'json'), kernelArgs: args.positionals },
      (outcome) => {
        // As PID 1 the error is printed by the failure policy; a dry run prints its plan here.
        if (outcome.ctx.options.dryRun || !system.isPid1) printOutcome(system, args, outcome);
      },
    );
  },
};
