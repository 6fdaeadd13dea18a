// Turns an unexpected registry answer into one clear E_REGISTRY error: the status, the registry's own error code, a fix. Pure.

import { AgentError } from '../../errors';
import { parseJsonText } from '../../manifest/json-text';

const MAX_DETAIL = 200;

/** The first `{"errors":[{"code","message"}]}` entry of an error body, if the body is one; printable characters only, cut short. */
export function registryErrorDetail(body: Buffer): string {
  const parsed = parseJsonText(body.toString('utf8'), 8);
  if (!parsed.ok) return '';
  const first = (parsed.value as { errors?: Array<{ code?: unknown; message?: unknown }> } | null)?.errors?.[0];
  if (!first) return '';
  const text = [first.code, first.message].filter((v) => typeof v === 'string').join(' ');
  return text.replace(/[^\x20-\x7e]/g, '?').slice(0, MAX_DETAIL);
}

function fixFor(status: number, host: string): string {
  if (status === 401) return `give credentials for ${host}: an auth file ($REGISTRY_AUTH_FILE, ~/.config/containers/auth.json or ~/.docker/config.json, as "skopeo login" writes)`;
  if (status === 403) return `the credentials for ${host} are not allowed this; check the repository name and your rights on it`;
  if (status === 404) return 'check the repository and tag (or digest): the registry does not have it';
  if (status === 429) return 'the registry limits requests; wait and try again';
  if (status >= 500) return 'the registry failed; try again later or ask its operator';
  return 'check the reference and the registry';
}

export function statusError(what: string, status: number, body: Buffer, host: string, fix = fixFor(status, host)): AgentError {
  const detail = registryErrorDetail(body);
  const name = status === 401 ? 'unauthorized' : status === 403 ? 'denied' : status === 404 ? 'not found' : status >= 500 ? 'registry failure' : 'unexpected answer';
  return new AgentError('E_REGISTRY', `${what}: ${status} ${name}${detail ? ` (${detail})` : ''}`, { fix });
}
