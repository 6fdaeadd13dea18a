// Shared by the platform tests: a platform's context on a fixture machine whose retry waits are skipped, not spent; SMBIOS structures.

import { listFilesystems } from '../../system/block-devices';
import { parseKernelCmdline } from '../../readers/kernel-cmdline';
import type { Machine } from '../test-machine';
import { RETRY_TIMING } from './http-retry';
import type { DatasourceContext, RetryTiming } from './types';

export interface ContextOptions {
  cmdline?: string;
  /** the platform's deadline, on the context's clock (real time plus every skipped wait) */
  deadlineMs?: number;
  settings?: DatasourceContext['settings'];
  /** overrides of the agent's timings, e.g. a short attempt so a hanging service costs little real time */
  retry?: Partial<Omit<RetryTiming, 'sleep'>>;
}

/**
 * A context whose waits between retries return at once and move its clock on by the wait instead:
 * the platform sees the same deadline arithmetic as on a real boot without the test spending it.
 */
export function datasourceContext(m: Machine, options: ContextOptions = {}): DatasourceContext {
  let skipped = 0;
  const system = { ...m.system, monotonicMs: () => m.system.monotonicMs() + skipped };
  const cmdline = options.cmdline ?? '';
  return {
    system,
    root: m.root,
    cmdline,
    params: parseKernelCmdline(cmdline),
    deadline: system.monotonicMs() + (options.deadlineMs ?? 5000),
    settings: options.settings ?? {},
    filesystems: () => listFilesystems(m.system),
    retry: {
      ...RETRY_TIMING,
      ...options.retry,
      sleep: async (ms) => {
        skipped += ms;
      },
    },
  };
}

/** A type 11 structure as QEMU builds it: header (type 11, length 5, handle), string count, strings. */
export function smbiosType11(strings: string[]): Buffer {
  const head = Buffer.from([11, 5, 0x00, 0x0b, strings.length]);
  const body = Buffer.concat(strings.map((s) => Buffer.concat([Buffer.from(s, 'utf8'), Buffer.from([0])])));
  return Buffer.concat([head, body, Buffer.from([0])]);
}
