// The flags push and pull share (--insecure, --timeout, --deadline, --chunk-size) as client options, with credentials looked up.

import { AgentError } from '../../errors';
import { parseMemorySize } from '../../manifest/value-formats';
import type { ParsedArgs } from '../../cli-kit/command';
import { boolFlag, stringFlag } from '../../cli-kit/command';
import { realTiming, type ClientOptions } from './client';
import { findCredentials } from './credentials';
import type { RegistryRef } from './reference';
import { storeFlagDetail } from '../store/default-dir';

export const REGISTRY_FLAGS = {
  store: { type: 'string' },
  insecure: { type: 'boolean' },
  timeout: { type: 'string' },
  deadline: { type: 'string' },
  json: { type: 'boolean' },
} as const;

export const REGISTRY_DETAILS = [
  storeFlagDetail(20),
  '--insecure          allow plain http to this registry (127.0.0.1, localhost and ::1 always use http)',
  '--timeout SECONDS   a request that receives nothing for this long fails (default 30)',
  '--deadline SECONDS  the whole command ends by then (default 3600)',
  '--json              the report as JSON',
  'Credentials come from $REGISTRY_AUTH_FILE, $XDG_RUNTIME_DIR/containers/auth.json, ~/.config/containers/auth.json or',
  '~/.docker/config.json (auths[HOST].auth, as "skopeo login" writes it); Bearer token and Basic auth are answered.',
  'A 5xx answer or a broken connection is retried 3 times with backoff; a timeout is not.',
];

function seconds(args: ParsedArgs, name: string, fallback: number): number {
  const text = stringFlag(args, name);
  if (text === undefined) return fallback * 1000;
  const n = Number(text);
  if (!/^[0-9]+(\.[0-9]+)?$/.test(text) || n <= 0 || n > 7 * 24 * 3600) {
    throw new AgentError('E_USAGE', `--${name} "${text}" is not a number of seconds`, { fix: `give seconds, e.g. --${name} ${fallback}` });
  }
  return n * 1000;
}

/** Options with every default: what bake uses when it pulls, and what the flags start from. */
export async function defaultClientOptions(env: Readonly<Record<string, string | undefined>>, ref: RegistryRef, push: boolean): Promise<ClientOptions> {
  const credentials = await findCredentials(env, ref.host, ref.repo);
  return { ref, insecure: false, timeoutMs: 30_000, deadlineMs: 3_600_000, ...(credentials ? { credentials } : {}), timing: realTiming, retries: 3, push };
}

export async function clientOptions(args: ParsedArgs, env: Readonly<Record<string, string | undefined>>, ref: RegistryRef, push: boolean): Promise<ClientOptions> {
  const defaults = await defaultClientOptions(env, ref, push);
  return {
    ...defaults,
    insecure: boolFlag(args, 'insecure'),
    timeoutMs: seconds(args, 'timeout', defaults.timeoutMs / 1000),
    deadlineMs: seconds(args, 'deadline', defaults.deadlineMs / 1000),
  };
}

const MIN_CHUNK = 64 * 1024;
const MAX_CHUNK = 256 * 1024 * 1024;

/** --chunk-size of push: the most bytes one PATCH of an upload carries. */
export function chunkBytes(args: ParsedArgs): number {
  const text = stringFlag(args, 'chunk-size');
  if (text === undefined) return 16 * 1024 * 1024;
  const n = parseMemorySize(text);
  if (n === undefined || n < MIN_CHUNK || n > MAX_CHUNK) {
    throw new AgentError('E_USAGE', `--chunk-size "${text}" is not a size from 64K to 256M`, { fix: 'give a size such as 8M (binary units)' });
  }
  return n;
}
