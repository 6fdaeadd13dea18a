// What a boot step is and what it may know of earlier ones: the contract every step folder implements.

import { AgentError } from '../errors';
import type { Facts } from './requirements/facts-types';
import type { DatasourceResult } from './platforms/types';
import type { SshKey } from './platforms/ssh-keys';
import type { EntrypointName, NormalizedManifest } from '../manifest/types';
import type { ValidatedUserData } from '../manifest/user-data';
import type { Reporter, StepOutcome } from './status/reporter';
import type { TemplateContext } from './templates/context';
import type { System } from '../system/system';

export type Mode = 'run' | 'init' | 'chroot' | 'render';

export interface RunOptions {
  /** host path of the image root */
  root: string;
  mode: Mode;
  entrypoint: EntrypointName;
  userDataFile?: string;
  dryRun: boolean;
  /** kernel command line; read from /proc/cmdline when absent */
  cmdline?: string;
}

/** What earlier steps learned, for later ones. */
export interface RunState {
  manifest?: NormalizedManifest;
  source?: DatasourceResult;
  userData?: ValidatedUserData;
  /** the platform's SSH public keys, checked and normalised (templates see them as env.sshKeys) */
  sshKeys?: SshKey[];
  facts?: Facts;
  cmdline?: string;
  /** set by the instance step: no completed first boot of this instance yet */
  firstBoot?: boolean;
  /** the platform's instance id differs from the recorded one (a clone) */
  instanceChanged?: boolean;
  /** the mounts step made the root read-write for this run; it is read-only again at the end */
  rootMadeWritable?: boolean;
  /** the context the templates step rendered with, recorded for `query` */
  context?: TemplateContext;
}

export interface RunContext {
  system: System;
  options: RunOptions;
  reporter: Reporter;
  state: RunState;
}

export interface StepResult {
  /** one line for the console, e.g. "Rendered 12 templates" */
  summary: string;
  outcome?: StepOutcome;
}

export interface Step<P> {
  name: string;
  title: string;
  /** Reads what it needs and decides; changes nothing. */
  plan(ctx: RunContext): Promise<P>;
  /** The plan as lines of text for --dry-run. */
  describe(plan: P): string[];
  /** JSON form of the plan for --dry-run --json (secrets already left out). */
  toJSON(plan: P): unknown;
  /**
   * The error the run stops with when the plan already shows it cannot be carried out. The pipeline
   * throws it before apply, and in a dry run too, so a plan reports what the run would.
   */
  failure?(plan: P, ctx: RunContext): AgentError | undefined;
  /** Carries the plan out; never called with a plan whose failure() names an error. */
  apply(plan: P, ctx: RunContext): Promise<StepResult>;
  /** Whether the step runs in this mode. */
  enabled?(ctx: RunContext): boolean;
  /** Runs once every step has been applied without error (never in dry-run), e.g. to mark the first boot done. */
  complete?(ctx: RunContext): Promise<void>;
  /** Runs at the end of every run whose apply it began, failed or not: undoes what was only for the run. Never throws. */
  release?(ctx: RunContext): Promise<void>;
}

/** The state a step needs from an earlier one; a missing one is a bug in STEPS' order. */
export function need<K extends keyof RunState>(ctx: RunContext, key: K): NonNullable<RunState[K]> {
  const value = ctx.state[key];
  if (value === undefined || value === null) {
    throw new AgentError('E_INTERNAL', `pipeline step needs "${String(key)}" before it is known`);
  }
  return value as NonNullable<RunState[K]>;
}
