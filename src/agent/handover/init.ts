// PID 1 mode: prepare the machine, run the pipeline on "/", then exec the real init or apply onError.

import { AgentError, asAgentError, type ExitCode } from '../../errors';
import type { InitEntrypoint, OnError } from '../../manifest/types';
import { executePipeline, type OutputOptions, type PipelineOutcome } from '../cli/run-pipeline';
import type { System } from '../../system/system';
import { DEFAULT_PATH, execInto } from './exec';
import { ignorePid1Signals, mountPseudoFilesystems } from './pid1';

export const DEFAULT_INIT = '/sbin/init';
const SHELL = '/bin/sh';
const HALT_REPEAT_MS = 60_000;

export interface InitOptions extends OutputOptions {
  dryRun: boolean;
  /** what the kernel passed to init (words of its command line it did not use, and those after "--") */
  kernelArgs: string[];
}

/**
 * The whole life of the agent as PID 1. It never returns while PID 1: the exit of PID 1 panics the
 * kernel. It ends in execve of the real init, of /bin/sh (onError "shell"), or halts with the error on
 * the console (onError "halt"), repeating it every minute for whoever attaches to the console later.
 *
 * Children: Node reaps the processes it starts (mount, cp, mkfs). Orphans that get reparented to PID 1
 * while the agent runs stay zombies until the real init takes over and reaps them; the agent starts
 * no daemons, so there are none in practice.
 */
export async function runInit(system: System, options: InitOptions, onOutcome: (o: PipelineOutcome) => void): Promise<ExitCode> {
  if (!system.isPid1 && !options.dryRun) {
    throw new AgentError('E_USAGE', 'cloudlet-agent init runs only as PID 1 (kernel argument init=/usr/sbin/cloudlet-agent)', {
      fix: 'use "cloudlet-agent run" on a running system, or "cloudlet-agent init --dry-run" to see the plan',
    });
  }
  if (system.isPid1) {
    ignorePid1Signals();
    try {
      await mountPseudoFilesystems(system);
    } catch (err) {
      return haltForever(system, asAgentError(err));
    }
  }
  const outcome = await executePipeline(system, { root: '/', mode: 'init', entrypoint: 'init', dryRun: options.dryRun }, options);
  onOutcome(outcome);
  if (options.dryRun || !system.isPid1) return outcome.exitCode;

  const entry = outcome.ctx.state.manifest?.entrypoints.init;
  if (!outcome.error || outcome.policy === 'continue') {
    try {
      return await execInit(system, entry, options.kernelArgs);
    } catch (err) {
      // Nothing to continue to without an init: only a shell or a halt are left.
      return failed(system, asAgentError(err), outcome.policy === 'shell' ? 'shell' : 'halt');
    }
  }
  return failed(system, outcome.error, outcome.policy);
}

/** argv of the real init: the manifest's fixed args, then what the kernel passed. */
export function initArgv(entry: InitEntrypoint | undefined, kernelArgs: readonly string[]): { path: string; argv: string[] } {
  const path = entry?.path ?? DEFAULT_INIT;
  return { path, argv: [path, ...(entry?.args ?? []), ...kernelArgs] };
}

async function execInit(system: System, entry: InitEntrypoint | undefined, kernelArgs: string[]): Promise<never> {
  const { path, argv } = initArgv(entry, kernelArgs);
  return execInto(path, argv, environment(system));
}

async function failed(system: System, error: AgentError, policy: OnError): Promise<ExitCode> {
  if (policy === 'shell') {
    system.err(`${error.render()}\ncloudlet-agent: onError is "shell": starting ${SHELL} on the console; exit or fix and reboot`);
    try {
      return await execInto(SHELL, [SHELL], environment(system));
    } catch (shellError) {
      system.err(asAgentError(shellError).render());
    }
  }
  return haltForever(system, error);
}

/** Keeps PID 1 alive with the error on the console; never resolves. */
function haltForever(system: System, error: AgentError): Promise<ExitCode> {
  const text = `${error.render()}\ncloudlet-agent: boot halted (onError "halt"): fix the cause above and reboot`;
  system.err(text);
  return new Promise<ExitCode>(() => {
    setInterval(() => system.err(text), HALT_REPEAT_MS);
  });
}

function environment(system: System): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(system.env)) if (v !== undefined) env[k] = v;
  env.PATH ??= DEFAULT_PATH;
  return env;
}

