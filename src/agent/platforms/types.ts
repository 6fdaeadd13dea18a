// The interface every platform implements, and what a platform hands back.

import type { DatasourceSettings } from '../../manifest/types';
import type { BlockDevice } from '../../system/block-devices';
import type { System } from '../../system/system';
import type { KernelParam } from '../../readers/kernel-cmdline';
import type { RawSshKey } from './ssh-keys';

export interface DatasourceContext {
  system: System;
  /** host path of the image root (for baked files and the image's own tools) */
  root: string;
  /** the kernel command line */
  cmdline: string;
  /** the platform must give up at this monotonic time (System.monotonicMs) */
  deadline: number;
  settings: DatasourceSettings;
  /** the kernel command line split into parameters */
  params: KernelParam[];
  /** the machine's block devices with a filesystem, scanned once for all platforms of the run */
  filesystems(): Promise<BlockDevice[]>;
  /** how metadata requests are timed and retried (RETRY_TIMING in http-retry.ts) */
  retry: RetryTiming;
}

/** Timings of metadata requests, injected so tests can skip the waits instead of spending them. */
export interface RetryTiming {
  /** one attempt never takes longer than this, so a hanging connection leaves time for a retry */
  attemptMs: number;
  /** the wait before retry n is random, up to min(backoffCapMs, backoffBaseMs * 2^n) */
  backoffBaseMs: number;
  backoffCapMs: number;
  /** waits between attempts; the deadline is measured on `system.monotonicMs`, which must see the wait */
  sleep(ms: number): Promise<void>;
}

export interface DatasourceResult {
  platform: string;
  /** the user data bytes exactly as the platform delivered them; null when the platform has none */
  userData: Buffer | null;
  /** raw platform metadata, exposed to templates as `meta` */
  meta: Record<string, unknown>;
  instanceId?: string;
  hostname?: string;
  region?: string;
  localIpv4?: string;
  /** the platform's SSH public keys as it gave them; normalised for templates as env.sshKeys */
  sshKeys?: RawSshKey[];
}

export interface Datasource<Name extends string = string> {
  /** the name a manifest lists it by (src/manifest/platform-names.ts) */
  name: Name;
  /** local channels are tried before network ones; fallbacks (baked defaults) after both */
  kind: 'local' | 'network' | 'fallback';
  /** per-platform deadline in ms when the manifest sets none */
  defaultTimeoutMs?: number;
  /** null when this channel is absent on this machine; throws AgentError when it is present but broken */
  fetch(ctx: DatasourceContext): Promise<DatasourceResult | null>;
}
