// HTTP for metadata services: bounded attempts, retries with exponential backoff and jitter, all before the deadline.

import { AgentError } from '../../errors';
import { ResponseTooLarge, type HttpResponse } from '../../system/system';
import { MAX_USER_DATA_BYTES, tooLarge } from '../../manifest/user-data-bytes';
import type { DatasourceContext, RetryTiming } from './types';

export interface MetadataRequest {
  method?: 'GET' | 'PUT';
  url: string;
  headers?: Record<string, string>;
  /** response cap (default 1 MiB + 1, so user data over 1 MiB shows as too large) */
  maxBytes?: number;
}

const DEFAULT_MAX_BYTES = MAX_USER_DATA_BYTES + 1;

/** The agent's timings: 2 s an attempt, waits of up to 0.1, 0.2, 0.4, 0.8, then 1 s, on the real clock. */
export const RETRY_TIMING: RetryTiming = {
  attemptMs: 2000,
  backoffBaseMs: 100,
  backoffCapMs: 1000,
  sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
};

/** Network errors meaning "nobody is there": the platform is absent, not broken. */
const ABSENT = new Set(['ECONNREFUSED']);
/** No route (yet): retried, as the link may still be coming up, and a timeout if it never does. */
const UNREACHABLE = new Set(['ENETUNREACH', 'EHOSTUNREACH', 'EHOSTDOWN', 'EADDRNOTAVAIL']);
/** Answers worth another try before the deadline: the service is there but busy or failing. */
const TRANSIENT_STATUS = (status: number) => status === 429 || status >= 500;
/** Node's HTTP parser names a reply that is not HTTP with an HPE_ code: something answered, badly. */
const answeredGarbage = (cause: string | undefined) => cause !== undefined && cause.startsWith('HPE_');

/**
 * The response (any status below 500 except 429; callers judge 404 and 401), or null when nothing
 * listens at the address. 5xx, 429, resets and timeouts are retried until `ctx.deadline`; then the
 * failure is thrown: E_PLATFORM when the service answered at all (with an error status), as a failing
 * service is broken rather than slow, even if a later attempt ran into the deadline; a reply that is not
 * HTTP at all counts as such an answer. Else the last failure.
 * A response over the cap is not retried (E_PLATFORM, or E_USERDATA_TOO_LARGE for `userData`).
 */
export async function metadataRequest(ctx: DatasourceContext, platform: string, req: MetadataRequest, userData = false): Promise<HttpResponse | null> {
  const { system, retry } = ctx;
  let last: AgentError | undefined;
  let answered: AgentError | undefined;
  for (let attempt = 0; ; attempt++) {
    const remaining = ctx.deadline - system.monotonicMs();
    if (remaining <= 0) break;
    try {
      const res = await system.http({
        method: req.method ?? 'GET',
        url: req.url,
        headers: req.headers ?? {},
        timeoutMs: Math.max(1, Math.min(remaining, retry.attemptMs)),
        maxBytes: req.maxBytes ?? DEFAULT_MAX_BYTES,
      });
      if (!TRANSIENT_STATUS(res.status)) return res;
      last = answered = new AgentError('E_PLATFORM', `${platform}: ${req.url} answered HTTP ${res.status}`, {
        where: req.url,
        fix: `the ${platform} metadata service is failing; retry later or check the platform's status`,
      });
    } catch (err) {
      if (err instanceof ResponseTooLarge) {
        if (userData) throw tooLarge(platform, req.url);
        throw new AgentError('E_PLATFORM', `${platform}: ${req.url} sent more than ${req.maxBytes ?? DEFAULT_MAX_BYTES} bytes`, {
          where: req.url,
          fix: `check that ${req.url} is the ${platform} metadata service, or point datasources.endpoints.${platform} at it`,
        });
      }
      const error = err instanceof AgentError ? err : new AgentError('E_PLATFORM', String(err), { cause: err });
      const cause = (error.cause as NodeJS.ErrnoException | undefined)?.code;
      if (cause && ABSENT.has(cause)) return null;
      if (error.code === 'E_PLATFORM_TIMEOUT' || (cause && UNREACHABLE.has(cause))) {
        last = new AgentError('E_PLATFORM_TIMEOUT', `${platform}: ${req.url} did not answer in time${cause && UNREACHABLE.has(cause) ? ` (${cause}: no route to it)` : ''}`, {
          where: req.url,
          fix: 'check that this machine runs on that platform and its network is up (see docs/platforms.md), or raise datasources.timeout',
          cause: error,
        });
      } else if (answeredGarbage(cause)) {
        last = answered = new AgentError('E_PLATFORM', `${platform}: ${req.url} answered with something that is not HTTP (${cause})`, {
          where: req.url,
          fix: `check that ${req.url} is the ${platform} metadata service and nothing in between (a proxy, a captive portal) rewrites its replies`,
          cause: error,
        });
      } else {
        last = new AgentError('E_PLATFORM', `${platform}: ${error.message}`, {
          where: req.url,
          fix: 'check that this machine runs on that platform and its network is up (see docs/platforms.md)',
          cause: error,
        });
      }
    }
    const delay = Math.random() * Math.min(retry.backoffCapMs, retry.backoffBaseMs * 2 ** attempt);
    const left = ctx.deadline - system.monotonicMs();
    if (left <= delay) break;
    await retry.sleep(delay);
  }
  throw answered ?? last ?? new AgentError('E_PLATFORM_TIMEOUT', `${platform}: no time left to ask ${req.url}`, {
    where: req.url,
    fix: 'earlier platforms used up the deadline: raise datasources.timeout or datasources.total, or list fewer platforms',
  });
}

/** A 200 body as text, null for 404 (this item does not exist), an error for anything else. */
export function bodyOr404(platform: string, url: string, res: HttpResponse): string | null {
  if (res.status === 404) return null;
  if (res.status !== 200) {
    throw new AgentError('E_PLATFORM', `${platform}: ${url} answered HTTP ${res.status}`, {
      where: url,
      fix: `the service at ${url} answered, but with an error: check that it serves ${platform} metadata to this instance`,
    });
  }
  return res.body.toString('utf8');
}

/** Where EC2, OpenStack, GCE and Azure all serve instance metadata (by address: no resolver this early). */
const LINK_LOCAL_METADATA = 'http://169.254.169.254';

/** The base URL for `platform`: the manifest's datasources.endpoints entry, else the link-local address. */
export function baseUrl(ctx: DatasourceContext, platform: string): string {
  return (ctx.settings.endpoints?.[platform] ?? LINK_LOCAL_METADATA).replace(/\/+$/, '');
}
