// The failures several platforms share: a service that stops answering, a document that is not a JSON object.

import { AgentError } from '../../errors';

/** A metadata service refused a connection after it had answered an earlier request of the same run. */
export function stoppedAnswering(platform: string, url: string): AgentError {
  return new AgentError('E_PLATFORM', `${platform}: ${url} stopped answering`, {
    where: url,
    fix: `the ${platform} metadata service answered, then refused a connection; boot again, and check the service if it persists`,
  });
}

/** `text` parsed as one JSON object; E_PLATFORM naming `what` otherwise (never quoting the text). */
export function parseJsonObject(text: string, platform: string, what: string, where: string, fix: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new AgentError('E_PLATFORM', `${platform}: ${what} is not JSON`, { where, fix });
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new AgentError('E_PLATFORM', `${platform}: ${what} is not a JSON object`, { where, fix });
  }
  return value as Record<string, unknown>;
}
