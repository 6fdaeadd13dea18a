// Flags shared by the commands that run the pipeline (run, chroot), and how they become RunOptions.

import { AgentError } from '../../errors';
import type { EntrypointName } from '../../manifest/types';
import type { Mode, RunOptions } from '../step';
import type { OutputOptions, PipelineOutcome } from './run-pipeline';
import { boolFlag, rootOf, stringFlag, type FlagSpec, type ParsedArgs } from './command';
import { createScrubber } from '../../secrets/scrub';
import type { System } from '../../system/system';

export const PIPELINE_FLAGS: FlagSpec = {
  root: { type: 'string' },
  'user-data': { type: 'string' },
  'dry-run': { type: 'boolean' },
  json: { type: 'boolean' },
  quiet: { type: 'boolean' },
  'run-dir': { type: 'string' },
  kmsg: { type: 'boolean' },
};

export const PIPELINE_DETAILS = [
  '--root DIR        the image root (default /)',
  '--user-data FILE  take user data from FILE instead of the platforms',
  '--dry-run         print the plan of every step and change nothing',
  '--json            machine-readable output',
  '--quiet           print only failures',
  '--run-dir DIR     where cloudlet/status.json, report.json and the socket go (default /run)',
  '--kmsg            copy the console lines to the kernel log (initramfs hooks; on by default as PID 1)',
];

/** Console options of the pipeline commands. */
export function outputOf(args: ParsedArgs): OutputOptions {
  return { quiet: boolFlag(args, 'quiet'), json: boolFlag(args, 'json'), kmsg: boolFlag(args, 'kmsg') };
}

const ENTRYPOINTS: readonly EntrypointName[] = ['init', 'chroot', 'kernel'];

/** The --entrypoint flag, or undefined when it is not given; an unknown name is a usage error. */
export function entrypointFlag(args: ParsedArgs): EntrypointName | undefined {
  const value = stringFlag(args, 'entrypoint');
  if (value !== undefined && !(ENTRYPOINTS as readonly string[]).includes(value)) {
    throw new AgentError('E_USAGE', `unknown entry point "${value}"`, { fix: 'use --entrypoint init, chroot or kernel' });
  }
  return value as EntrypointName | undefined;
}

export function entrypointOf(args: ParsedArgs, fallback: EntrypointName): EntrypointName {
  return entrypointFlag(args) ?? fallback;
}

export function runOptionsOf(args: ParsedArgs, mode: Mode, entrypoint: EntrypointName): RunOptions {
  const userDataFile = stringFlag(args, 'user-data');
  return {
    root: rootOf(args),
    mode,
    entrypoint,
    dryRun: boolFlag(args, 'dry-run'),
    ...(userDataFile ? { userDataFile } : {}),
  };
}

/** The System to run with: --run-dir moves the run directory (status files, socket) elsewhere. */
export function systemFor(args: ParsedArgs, system: System): System {
  const runDir = stringFlag(args, 'run-dir');
  if (!runDir) return system;
  return { ...system, hostPaths: { ...system.hostPaths, run: runDir } };
}

/** Prints the dry-run plan, or the one readable error of a failed run. */
export function printOutcome(system: System, args: ParsedArgs, outcome: PipelineOutcome): void {
  const json = boolFlag(args, 'json');
  if (outcome.error) {
    if (json) system.out(JSON.stringify({ ok: false, error: outcome.error.toJSON() }, null, 2));
    else system.err(outcome.error.render());
    return;
  }
  if (!outcome.ctx.options.dryRun) {
    if (json) system.out(JSON.stringify({ ok: true, degraded: outcome.result?.degraded ?? false }, null, 2));
    return;
  }
  // Plans leave secret values out; the scrubber is the second line of defence, as for every other output.
  const scrub = createScrubber(() => outcome.ctx.state.userData?.secrets ?? []);
  const plans = scrub.json((outcome.result?.plans ?? []).map((p) => ({ name: p.name, title: p.title, lines: p.lines, json: p.json })));
  if (json) {
    system.out(JSON.stringify({ dryRun: true, steps: plans.map((p) => ({ step: p.name, plan: p.json })) }, null, 2));
    return;
  }
  for (const p of plans) {
    system.out(`${p.title}:`);
    for (const line of p.lines.length ? p.lines : ['(nothing to do)']) system.out(`  ${line}`);
  }
}
