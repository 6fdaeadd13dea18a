// Parses NoCloud meta-data (YAML, of which JSON is a subset) into a plain object, without echoing it.

import { AgentError } from '../../errors';

// yaml loads when there is meta-data to parse: most boots read none, and initialising it costs
// milliseconds on every start (tens under emulation).
const yaml = () => require('yaml') as typeof import('yaml');

export function parseMetaData(text: string, platform: string, where: string): Record<string, unknown> {
  if (text.trim() === '') return {};
  let value: unknown;
  try {
    // A few aliases are plenty for meta-data; a low cap stops alias bombs.
    value = yaml().parse(text, { maxAliasCount: 50, prettyErrors: false });
  } catch (err) {
    const line = (err as { linePos?: Array<{ line: number }> }).linePos?.[0]?.line;
    throw new AgentError('E_PLATFORM', `${platform}: ${where} is neither YAML nor JSON${line ? ` (line ${line})` : ''}`, {
      where,
      fix: 'write meta-data as YAML ("instance-id: i-1") or JSON',
    });
  }
  if (value === null || value === undefined) return {};
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new AgentError('E_PLATFORM', `${platform}: ${where} must be a mapping of keys to values`, { where });
  }
  return value as Record<string, unknown>;
}

/** The first of `keys` whose value is a non-empty string or a number, as a string. */
export function pick(meta: Record<string, unknown>, ...keys: string[]): string | undefined {
  for (const k of keys) {
    const v = meta[k];
    if (typeof v === 'string' && v.trim() !== '') return v.trim();
    if (typeof v === 'number') return String(v);
  }
  return undefined;
}
