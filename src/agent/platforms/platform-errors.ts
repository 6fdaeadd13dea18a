// The failures several platforms share: a service that stops answering, a document that is not a JSON object.

import { AgentError } from '../../errors';
import { MAX_JSON_DEPTH, parseJsonText } from '../../manifest/json-text';

/** A metadata service refused a connection after it had answered an earlier request of the same run. */
export function stoppedAnswering(platform: string, url: string): AgentError {
  return new AgentError('E_PLATFORM', `${platform}: ${url} stopped answering`, {
    where: url,
    fix: `the ${platform} metadata service answered, then refused a connection; boot again, and check the service if it persists`,
  });
}

/** `text` parsed as one JSON object; E_PLATFORM naming `what` otherwise (never quoting the text). */
export function parseJsonObject(text: string, platform: string, what: string, where: string, fix: string): Record<string, unknown> {
  const parsed = parseJsonText(text);
  if (!parsed.ok) {
    const why = parsed.tooDeep ? `nests arrays and objects more than ${MAX_JSON_DEPTH} levels deep` : 'is not JSON';
    throw new AgentError('E_PLATFORM', `${platform}: ${what} ${why}`, { where, fix });
  }
  const value = parsed.value;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new AgentError('E_PLATFORM', `${platform}: ${what} is not a JSON object`, { where, fix });
  }
  return value as Record<string, unknown>;
}
