// The OCI distribution API for one repository: auth (Bearer, Basic), retries with capped backoff, a deadline, bounded answers.

import { AgentError } from '../../errors';
import { scrubError } from '../../secrets/scrub';
import type { Credentials } from './credentials';
import { isLoopback, type RegistryRef } from './reference';
import { statusError } from './status-error';
import { checkScheme, readBounded, send, TransportError, type Exchange, type Method, type Reply } from './transport';
import { parseChallenges, type Challenge } from './www-authenticate';
import { parseJsonText } from '../../manifest/json-text';

/** Clock and sleep, injected so tests of retries do not wait for real. */
export interface Timing {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const realTiming: Timing = {
  now: () => performance.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

export interface ClientOptions {
  ref: RegistryRef;
  /** plain http to any host (loopback always may) */
  insecure: boolean;
  /** a request that receives nothing for this long fails (not retried: it already waited) */
  timeoutMs: number;
  /** everything this client does ends by then */
  deadlineMs: number;
  credentials?: Credentials;
  timing: Timing;
  /** repeats of a request after a 5xx or a broken connection */
  retries: number;
  /** push asks for pull,push access, pull for pull */
  push: boolean;
}

export const MAX_MANIFEST = 4 * 1024 * 1024;
const MAX_ERROR_BODY = 64 * 1024;
const MAX_TOKEN_BODY = 1024 * 1024;
const BACKOFF_FIRST_MS = 200;
const BACKOFF_CAP_MS = 5000;

export const MANIFEST_TYPES = [
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
];

/** The wait before repeat `n` (0-based): doubling, capped. */
export function backoffMs(n: number): number {
  return Math.min(BACKOFF_CAP_MS, BACKOFF_FIRST_MS * 2 ** n);
}

interface Call {
  method: Method;
  /** a path under /v2/<repo>/ or an absolute URL (upload locations) */
  path: string;
  headers?: Record<string, string>;
  body?: Buffer;
  ok: number[];
}

export class RegistryClient {
  readonly base: string;
  private authorization: string | undefined;
  private readonly started: number;
  private readonly abort = new AbortController();
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly opts: ClientOptions) {
    const scheme = opts.insecure || isLoopback(opts.ref.host) ? 'http' : 'https';
    this.base = `${scheme}://${opts.ref.host}/v2/${opts.ref.repo}/`;
    this.started = opts.timing.now();
    this.timer = setTimeout(() => this.abort.abort(), opts.deadlineMs);
    this.timer.unref();
  }

  close(): void {
    clearTimeout(this.timer);
  }

  get repo(): string {
    return this.opts.ref.repo;
  }

  async hasBlob(digest: string): Promise<boolean> {
    const reply = await this.call({ method: 'HEAD', path: `blobs/${digest}`, ok: [200, 404] });
    reply.body.resume();
    return reply.status === 200;
  }

  async getManifest(key: string): Promise<{ bytes: Buffer; mediaType: string; digest: string | undefined }> {
    const reply = await this.call({ method: 'GET', path: `manifests/${key}`, headers: { accept: MANIFEST_TYPES.join(', ') }, ok: [200] });
    const bytes = await readBounded(reply, MAX_MANIFEST, `the manifest ${this.opts.ref.repo}:${key}`);
    const type = String(reply.headers['content-type'] ?? '').split(';')[0]!.trim();
    const digest = reply.headers['docker-content-digest'];
    return { bytes, mediaType: type, digest: typeof digest === 'string' ? digest : undefined };
  }

  /**
   * The blob's bytes as a stream (after redirects); the caller verifies them. From `offset` on, a Range
   * request: 206 when the registry resumes, 200 with the whole blob when it does not.
   */
  getBlob(digest: string, offset = 0): Promise<Reply> {
    const resume = offset > 0 ? { headers: { range: `bytes=${offset}-` } } : {};
    return this.call({ method: 'GET', path: `blobs/${digest}`, ...resume, ok: offset > 0 ? [200, 206] : [200] });
  }

  /** Before the `n`th (from 0) new try, of a request or of an answer that broke off: waits the backoff; false once the retries are spent. */
  async backoff(n: number): Promise<boolean> {
    if (n >= this.opts.retries) return false;
    await this.opts.timing.sleep(backoffMs(n));
    return true;
  }

  /** Mounts a blob from another repository of this registry: true when mounted, else the upload session the registry opened instead. */
  async mountBlob(digest: string, from: string): Promise<true | string> {
    const reply = await this.call({ method: 'POST', path: `blobs/uploads/?mount=${encodeURIComponent(digest)}&from=${encodeURIComponent(from)}`, ok: [201, 202] });
    reply.body.resume();
    return reply.status === 201 ? true : this.location(reply);
  }

  async startUpload(): Promise<string> {
    const reply = await this.call({ method: 'POST', path: 'blobs/uploads/', ok: [202] });
    reply.body.resume();
    return this.location(reply);
  }

  /** Sends bytes [start, start + chunk.length) of an upload; returns where the next chunk goes. */
  async uploadChunk(location: string, chunk: Buffer, start: number): Promise<string> {
    const reply = await this.call({
      method: 'PATCH',
      path: location,
      headers: { 'content-type': 'application/octet-stream', 'content-range': `${start}-${start + chunk.length - 1}` },
      body: chunk,
      ok: [202],
    });
    reply.body.resume();
    return this.location(reply);
  }

  async finishUpload(location: string, digest: string): Promise<void> {
    const url = new URL(location);
    url.searchParams.set('digest', digest);
    const reply = await this.call({ method: 'PUT', path: url.href, headers: { 'content-type': 'application/octet-stream' }, ok: [201, 204] });
    reply.body.resume();
  }

  /** PUTs a manifest under a tag; returns the digest the registry says it stored, if it says. */
  async putManifest(tag: string, bytes: Buffer, mediaType: string): Promise<string | undefined> {
    const reply = await this.call({ method: 'PUT', path: `manifests/${tag}`, headers: { 'content-type': mediaType }, body: bytes, ok: [201, 200] });
    reply.body.resume();
    const d = reply.headers['docker-content-digest'];
    return typeof d === 'string' ? d : undefined;
  }

  private location(reply: Reply): string {
    const loc = reply.headers.location;
    if (!loc) throw new AgentError('E_REGISTRY', `${reply.url}: the registry opened an upload without a Location`, { fix: 'this registry does not follow the OCI distribution spec; ask its operator' });
    return new URL(loc, reply.url).href;
  }

  private secrets(): string[] {
    const c = this.opts.credentials;
    const auth = this.authorization?.replace(/^\S+\s+/, '');
    return [...(c ? [c.password, Buffer.from(`${c.username}:${c.password}`).toString('base64')] : []), ...(auth ? [auth] : [])];
  }

  /** One call with auth, retries and the deadline; any other status than `ok` is an error naming it. Errors never hold a secret. */
  private async call(call: Call): Promise<Reply> {
    try {
      return await this.attempt(call);
    } catch (err) {
      throw err instanceof AgentError ? scrubError(err, this.secrets()) : err;
    }
  }

  private async attempt(call: Call): Promise<Reply> {
    const url = /^https?:\/\//.test(call.path) ? call.path : this.base + call.path;
    const what = `${call.method} ${url.replace(/\?.*$/, '')}`;
    let authTried = false;
    for (let repeat = 0; ; ) {
      const remaining = this.opts.deadlineMs - (this.opts.timing.now() - this.started);
      if (remaining <= 0 || this.abort.signal.aborted) throw this.deadline(what);
      const ex: Exchange = { method: call.method, url, headers: { ...call.headers, ...(this.authorization ? { authorization: this.authorization } : {}) }, ...(call.body ? { body: call.body } : {}) };
      let reply: Reply;
      try {
        reply = await send(ex, { timeoutMs: Math.min(this.opts.timeoutMs, remaining), signal: this.abort.signal, insecure: this.opts.insecure });
      } catch (err) {
        if (err instanceof TransportError && err.retry && (await this.backoff(repeat++))) continue;
        throw err;
      }
      if (call.ok.includes(reply.status)) return reply;
      const body = await readBounded(reply, MAX_ERROR_BODY, what).catch(() => Buffer.alloc(0));
      if (reply.status === 401 && !authTried) {
        authTried = true;
        if (await this.authenticate(String(reply.headers['www-authenticate'] ?? ''))) continue;
      }
      if (reply.status >= 500 && (await this.backoff(repeat++))) continue;
      const creds = this.opts.credentials;
      if (reply.status === 401 && creds) {
        throw statusError(what, 401, body, this.opts.ref.host, `the registry refused the credentials for ${this.opts.ref.host} in ${creds.source}; check them (skopeo login rewrites them)`);
      }
      throw statusError(what, reply.status, body, this.opts.ref.host);
    }
  }

  private deadline(what: string): AgentError {
    return new AgentError('E_REGISTRY', `${what}: the overall deadline of ${Math.round(this.opts.deadlineMs / 1000)} s passed`, { fix: 'try again, or allow more time with --deadline SECONDS' });
  }

  /** Answers a 401's challenge: a bearer token from the realm, or Basic with the credentials. False when there is nothing to answer with. */
  private async authenticate(header: string): Promise<boolean> {
    const challenges = parseChallenges(header);
    const bearer = challenges.find((c) => c.scheme === 'bearer' && c.params.realm);
    const creds = this.opts.credentials;
    const basic = creds ? `Basic ${Buffer.from(`${creds.username}:${creds.password}`).toString('base64')}` : undefined;
    if (bearer) {
      this.authorization = `Bearer ${await this.token(bearer, basic)}`;
      return true;
    }
    if (basic && challenges.some((c) => c.scheme === 'basic')) {
      if (this.authorization === basic) return false;
      this.authorization = basic;
      return true;
    }
    return false;
  }

  private async token(challenge: Challenge, basic: string | undefined): Promise<string> {
    const realm = new URL(challenge.params.realm!);
    checkScheme(realm, this.opts.insecure);
    const scopes = (challenge.params.scope ?? `repository:${this.opts.ref.repo}:${this.opts.push ? 'pull,push' : 'pull'}`).split(' ');
    if (challenge.params.service) realm.searchParams.set('service', challenge.params.service);
    for (const s of scopes) realm.searchParams.append('scope', s);
    const what = `GET ${realm.origin}${realm.pathname} (token)`;
    const reply = await send({ method: 'GET', url: realm.href, headers: basic ? { authorization: basic } : {} }, { timeoutMs: this.opts.timeoutMs, signal: this.abort.signal, insecure: this.opts.insecure });
    const body = await readBounded(reply, MAX_TOKEN_BODY, what);
    if (reply.status !== 200) throw statusError(what, reply.status, body, this.opts.ref.host);
    const parsed = parseJsonText(body.toString('utf8'), 8);
    const value = parsed.ok ? (parsed.value as { token?: unknown; access_token?: unknown } | null) : null;
    const token = value?.token ?? value?.access_token;
    if (typeof token !== 'string' || token === '' || /[\s"]/.test(token)) {
      throw new AgentError('E_REGISTRY', `${what}: the answer holds no token`, { fix: 'the token service does not follow the Docker token protocol; ask the registry operator' });
    }
    return token;
  }
}
