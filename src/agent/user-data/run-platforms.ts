// Asks the selected platforms one after another, each under its deadline, until one answers.

import { AgentError, asAgentError } from '../../errors';
import type { DatasourceSettings } from '../../manifest/types';
import { listFilesystems, type BlockDevice } from '../../system/block-devices';
import type { System } from '../../system/system';
import type { KernelParam } from '../../readers/kernel-cmdline';
import { RETRY_TIMING } from '../platforms/http-retry';
import type { Datasource, DatasourceResult, RetryTiming } from '../platforms/types';

export const DEFAULT_PLATFORM_SECONDS = 5;
export const DEFAULT_TOTAL_SECONDS = 20;
/** After its deadline a platform gets this long to clean up (unmount) before it is abandoned. */
const DEFAULT_GRACE_MS = 1000;

export interface Attempt {
  platform: string;
  outcome: 'ok' | 'absent' | 'failed' | 'skipped';
  startMs: number;
  durationMs: number;
  /** why, without any user data */
  detail?: string;
  code?: string;
}

export interface AskOptions {
  system: System;
  root: string;
  cmdline: string;
  params: KernelParam[];
  settings: DatasourceSettings;
  /** metadata request timings (default RETRY_TIMING) */
  retry?: RetryTiming;
  /** how long a platform past its deadline may still clean up (unmount) before it is abandoned (default 1 s) */
  graceMs?: number;
  onAttempt?: (attempt: Attempt) => void;
  /** a platform is about to be asked, and may take until `deadline` (monotonic ms); its attempt ends the wait */
  onAsk?: (platform: string, startMs: number, deadline: number) => void;
  /** runs once, before the first network platform is asked (to bring a link up) */
  beforeNetwork?: () => Promise<void>;
}

export interface Answer {
  result: DatasourceResult | null;
  attempts: Attempt[];
}

/**
 * The first platform that returns a result wins. A platform that is absent returns null and the next
 * is asked; one that is present but broken (bad answer, bad data) stops the search with its error;
 * one that does not answer in time is passed over, and its timeout is the error only when no later
 * platform answers. Nothing here takes longer than the total deadline plus a short grace.
 */
export async function askPlatforms(sources: readonly Datasource[], options: AskOptions): Promise<Answer> {
  const { system, settings } = options;
  const attempts: Attempt[] = [];
  const record = (a: Attempt) => {
    attempts.push(a);
    options.onAttempt?.(a);
  };
  const totalEnd = system.monotonicMs() + (settings.total ?? DEFAULT_TOTAL_SECONDS) * 1000;
  let timedOut: AgentError | undefined;
  let networkReady = false;
  // Config-disk platforms (nocloud, configdrive) look through the same devices: read their superblocks once.
  let scan: Promise<BlockDevice[]> | undefined;
  const filesystems = () => (scan ??= listFilesystems(system));
  for (const source of sources) {
    if (source.kind === 'network' && !networkReady) {
      networkReady = true;
      await options.beforeNetwork?.();
    }
    const start = system.monotonicMs();
    if (start >= totalEnd) {
      record({ platform: source.name, outcome: 'skipped', startMs: start, durationMs: 0, detail: 'the total deadline for all platforms has passed' });
      continue;
    }
    const perMs = settings.timeout !== undefined ? settings.timeout * 1000 : source.defaultTimeoutMs ?? DEFAULT_PLATFORM_SECONDS * 1000;
    const deadline = Math.min(start + perMs, totalEnd);
    options.onAsk?.(source.name, start, deadline);
    try {
      const result = await withDeadline(
        source.fetch({ system, root: options.root, cmdline: options.cmdline, params: options.params, deadline, settings, filesystems, retry: options.retry ?? RETRY_TIMING }),
        deadline - start + (options.graceMs ?? DEFAULT_GRACE_MS),
        source.name,
      );
      const durationMs = system.monotonicMs() - start;
      if (result === null) {
        record({ platform: source.name, outcome: 'absent', startMs: start, durationMs });
        continue;
      }
      record({ platform: source.name, outcome: 'ok', startMs: start, durationMs, ...(result.instanceId ? { detail: `instance ${result.instanceId}` } : {}) });
      return { result, attempts };
    } catch (err) {
      const error = named(asAgentError(err), source.name);
      record({ platform: source.name, outcome: 'failed', startMs: start, durationMs: system.monotonicMs() - start, detail: error.message, code: error.code });
      if (error.code !== 'E_PLATFORM_TIMEOUT') throw error;
      timedOut ??= error;
    }
  }
  if (timedOut) throw timedOut;
  return { result: null, attempts };
}

function withDeadline<T>(work: Promise<T>, ms: number, platform: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new AgentError('E_PLATFORM_TIMEOUT', `${platform} did not answer within ${Math.round(ms / 1000)} s`, {
        where: `platform ${platform}`,
        fix: 'check that the platform offers this channel, or raise datasources.timeout in the manifest',
      })),
      Math.max(0, ms),
    );
  });
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}

/** Errors say which platform they come from: "<platform>: ...", unless they begin with it or say "from <platform>". */
function named(error: AgentError, platform: string): AgentError {
  if (error.message.startsWith(`${platform}:`) || error.message.startsWith(`${platform} `) || error.message.includes(`from ${platform} `)) return error;
  return new AgentError(error.code, `${platform}: ${error.message}`, {
    ...(error.where ? { where: error.where } : { where: `platform ${platform}` }),
    ...(error.fix ? { fix: error.fix } : {}),
    problems: error.problems,
    cause: error.cause ?? error,
  });
}
