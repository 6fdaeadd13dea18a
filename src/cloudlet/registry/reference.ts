// Parses a registry reference HOST[:PORT]/REPO[:TAG][@DIGEST]: a host is always named, never assumed. Pure.

import { AgentError } from '../../errors';

export interface RegistryRef {
  /** host[:port] as written (IPv6 in brackets), the key of credentials files and of the mount cache */
  host: string;
  repo: string;
  tag?: string;
  digest?: string;
}

const HOST = /^(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?)*)(?::[0-9]{1,5})?$/;
const REPO_PART = /^[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*$/;
const TAG = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/;
export const DIGEST = /^sha256:[a-f0-9]{64}$/;
const MAX_REF = 1024;

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

function bad(text: string, why: string): AgentError {
  return new AgentError('E_USAGE', `registry reference "${text}": ${why}`, {
    fix: 'write HOST[:PORT]/REPO[:TAG] or HOST[:PORT]/REPO@sha256:DIGEST, e.g. 127.0.0.1:5000/apps/web:1.0',
  });
}

export function parseRegistryRef(text: string): RegistryRef {
  if (text.length > MAX_REF) throw bad(text.slice(0, 64) + '...', `longer than ${MAX_REF} characters`);
  if (/^[a-z]+:\/\//i.test(text)) throw bad(text, 'no scheme: the host comes first (https is used; plain http only for loopback or with --insecure)');
  const slash = text.indexOf('/');
  if (slash <= 0) throw bad(text, 'no registry host: the reference must start with HOST[:PORT]/');
  const host = text.slice(0, slash);
  if (!HOST.test(host)) throw bad(text, `"${host}" is not a host name, address or host:port`);
  let rest = text.slice(slash + 1);
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST.test(digest)) throw bad(text, `"${digest}" is not a sha256:<64 hex> digest`);
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG.test(tag)) throw bad(text, `"${tag}" is not a tag (letters, digits, _ . -, at most 128, not starting with . or -)`);
  }
  if (rest === '' || !rest.split('/').every((p) => REPO_PART.test(p))) {
    throw bad(text, `"${rest}" is not a repository name (lower-case path components of letters and digits, separated by . _ __ -)`);
  }
  return { host, repo: rest, ...(tag !== undefined ? { tag } : {}), ...(digest !== undefined ? { digest } : {}) };
}

/** What a manifest is asked for by: the digest when given, else the tag, else latest. */
export function manifestKey(ref: RegistryRef): string {
  return ref.digest ?? ref.tag ?? 'latest';
}

export function formatRef(ref: RegistryRef): string {
  return `${ref.host}/${ref.repo}${ref.tag !== undefined ? `:${ref.tag}` : ''}${ref.digest !== undefined ? `@${ref.digest}` : ''}`;
}

/** The host without its port, brackets removed. */
export function hostName(host: string): string {
  if (host.startsWith('[')) return host.slice(0, host.indexOf(']') + 1);
  const colon = host.lastIndexOf(':');
  return colon >= 0 ? host.slice(0, colon) : host;
}

export function isLoopback(host: string): boolean {
  return LOOPBACK.has(hostName(host));
}
