// One HTTP exchange over node:http/https: socket timeout, bounded headers, redirects followed (with a bound), bounded body reads.

import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { AgentError } from '../../errors';
import { isLoopback } from './reference';

export type Method = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH';

export interface Exchange {
  method: Method;
  url: string;
  headers: Record<string, string>;
  body?: Buffer;
}

export interface Reply {
  status: number;
  headers: IncomingMessage['headers'];
  body: IncomingMessage;
  /** the URL that answered, after redirects */
  url: string;
}

export interface SendOptions {
  /** no byte for this long (connecting, waiting for headers, or between body chunks) fails the exchange */
  timeoutMs: number;
  signal: AbortSignal;
  /** plain http allowed for any host, not only loopback */
  insecure: boolean;
}

/** What a connection failure becomes, so callers can tell a retryable failure (`retry`) from a timeout. */
export class TransportError extends AgentError {
  constructor(
    message: string,
    readonly retry: boolean,
    cause?: unknown,
  ) {
    super('E_REGISTRY', message, { cause, fix: 'check that the registry is up and reachable from this machine (address, port, proxy, firewall)' });
  }
}

const MAX_REDIRECTS = 5;
const MAX_HEADERS = 128;
const MAX_HEADER_BYTES = 64 * 1024;
const RETRYABLE = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'EAI_AGAIN', 'ECONNABORTED', 'EHOSTUNREACH', 'ENETUNREACH']);

/** Refuses plain http to a host that is not loopback unless --insecure said so. */
export function checkScheme(url: URL, insecure: boolean): void {
  if (url.protocol === 'https:') return;
  if (url.protocol === 'http:' && (insecure || isLoopback(url.host))) return;
  throw new AgentError('E_REGISTRY', `refusing ${url.protocol}//${url.host}: plain http is used only for 127.0.0.1, localhost and ::1, or with --insecure`, {
    fix: 'use a registry that speaks https, or pass --insecure if you trust the network to this registry',
  });
}

function once(ex: Exchange, opts: SendOptions): Promise<Reply> {
  const url = new URL(ex.url);
  checkScheme(url, opts.insecure);
  const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = request(url, {
      method: ex.method,
      headers: { ...ex.headers, ...(ex.body ? { 'content-length': String(ex.body.length) } : ex.method === 'GET' || ex.method === 'HEAD' ? {} : { 'content-length': '0' }) },
      signal: opts.signal,
      maxHeaderSize: MAX_HEADER_BYTES,
    });
    req.maxHeadersCount = MAX_HEADERS;
    let response: IncomingMessage | undefined;
    req.setTimeout(opts.timeoutMs, () => {
      const err = new TransportError(`${ex.method} ${url.origin}${url.pathname}: nothing received for ${opts.timeoutMs / 1000} s`, false);
      // The reader of a body already under way must see the timeout, not a bare "aborted".
      response?.destroy(err);
      req.destroy(err);
    });
    req.on('response', (res) => {
      response = res;
      res.on('error', () => undefined);
      resolve({ status: res.statusCode ?? 0, headers: res.headers, body: res, url: url.href });
    });
    req.on('error', (err: NodeJS.ErrnoException) => {
      if (err instanceof AgentError) return reject(err);
      if (opts.signal.aborted) return reject(new TransportError(`${ex.method} ${url.origin}${url.pathname}: the overall deadline passed`, false, err));
      const code = err.code ?? '';
      const tls = /SSL|TLS|wrong version|EPROTO/i.test(`${code} ${err.message}`);
      const why = tls ? `${err.message} (does this registry speak plain http? then pass --insecure)` : err.message;
      reject(new TransportError(`${ex.method} ${url.origin}${url.pathname}: ${why}`, RETRYABLE.has(code) || /socket hang up/.test(err.message), err));
    });
    req.end(ex.body);
  });
}

/** Sends `ex`, following redirects of GET and HEAD (blob downloads go to storage); Authorization stays with its origin. */
export async function send(ex: Exchange, opts: SendOptions): Promise<Reply> {
  let current = ex;
  for (let hop = 0; ; hop++) {
    const reply = await once(current, opts);
    const location = reply.headers.location;
    if (![301, 302, 303, 307, 308].includes(reply.status) || !location || (ex.method !== 'GET' && ex.method !== 'HEAD')) return reply;
    reply.body.resume();
    if (hop >= MAX_REDIRECTS) throw new AgentError('E_REGISTRY', `${ex.method} ${ex.url}: more than ${MAX_REDIRECTS} redirects`, { fix: 'the registry or its storage redirects in a loop; ask its operator' });
    const next = new URL(location, current.url);
    const headers = { ...current.headers };
    if (next.origin !== new URL(current.url).origin) delete headers.authorization;
    current = { ...current, url: next.href, headers };
  }
}

/** The whole body, refused past `max` bytes while it streams in. */
export async function readBounded(reply: Reply, max: number, what: string): Promise<Buffer> {
  const declared = Number(reply.headers['content-length']);
  if (declared > max) {
    reply.body.destroy();
    throw new AgentError('E_REGISTRY', `${what}: the registry sends ${declared} bytes, more than the ${max} allowed`, { fix: 'this is not a normal answer of a registry; check the reference and the registry' });
  }
  const parts: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of reply.body as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > max) {
        reply.body.destroy();
        throw new AgentError('E_REGISTRY', `${what}: the answer grows past the ${max} bytes allowed`, { fix: 'this is not a normal answer of a registry; check the reference and the registry' });
      }
      parts.push(chunk);
    }
  } catch (err) {
    throw bodyError(err, what);
  }
  return Buffer.concat(parts);
}

/** A failure while a body streams in, as the one error callers handle: a cut connection may be retried. */
export function bodyError(err: unknown, what: string): AgentError {
  if (err instanceof AgentError) return err;
  return new TransportError(`${what}: the connection broke off mid-answer (${(err as Error).message})`, true, err);
}
