// Shared by run, chroot and init: one pipeline run with its reporter, ending in a state and an exit code.

import { AgentError, EXIT, asAgentError, type ExitCode } from '../../errors';
import { runPipeline, type PipelineResult } from '../pipeline';
import type { RunContext, RunOptions } from '../step';
import type { OnError } from '../../manifest/types';
import { recordContext } from '../status/context-record';
import { createReporter } from '../status/create-reporter';
import { scrubError } from '../../secrets/scrub';
import type { System } from '../../system/system';

export interface PipelineOutcome {
  ctx: RunContext;
  result?: PipelineResult;
  error?: AgentError;
  /** the manifest's onError, or the mode's default when the manifest never loaded */
  policy: OnError;
  exitCode: ExitCode;
}

export interface OutputOptions {
  quiet?: boolean;
  json?: boolean;
  /** copy console lines to the kernel log (default: in init mode or as PID 1) */
  kmsg?: boolean;
  /** record this run as the boot's (status files, socket); default true. A dry run never records. */
  record?: boolean;
}

/** Runs every step, records the outcome in the status files (unless told not to), and never throws. */
export async function executePipeline(system: System, options: RunOptions, output: OutputOptions = {}): Promise<PipelineOutcome> {
  const state: RunContext['state'] = {};
  const recording = !options.dryRun && output.record !== false;
  const reporter = createReporter(system, {
    mode: options.mode,
    quiet: output.quiet ?? false,
    json: output.json ?? false,
    dryRun: !recording,
    ...(output.kmsg ? { kmsg: true } : {}),
    secrets: () => state.userData?.secrets ?? [],
  });
  const ctx: RunContext = { system, options, reporter, state };
  await reporter.begin(options.mode, options.root);
  const defaultPolicy: OnError = 'halt';
  try {
    const result = await runPipeline(ctx);
    if (recording) recordContext(system, state.context, state.userData?.secrets ?? [], options.mode);
    const policy = state.manifest?.onError ?? defaultPolicy;
    await reporter.finish(result.degraded ? 'degraded' : 'done');
    return { ctx, result, policy, exitCode: result.degraded ? EXIT.degraded : EXIT.ok };
  } catch (err) {
    // Messages are written without secret values; scrubbing here covers every place the error is printed.
    const error = scrubError(asAgentError(err), state.userData?.secrets ?? []);
    if (recording) recordContext(system, state.context, state.userData?.secrets ?? [], options.mode);
    const policy = state.manifest?.onError ?? defaultPolicy;
    // onError says how a boot goes on; a render is not a boot.
    const degrade = policy === 'continue' && options.mode !== 'render';
    await reporter.finish(degrade ? 'degraded' : 'error', error);
    return { ctx, error, policy, exitCode: degrade ? EXIT.degraded : error.exitCode };
  }
}

