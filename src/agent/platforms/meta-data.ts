// Parses NoCloud meta-data (YAML, of which JSON is a subset) into a plain object of bounded depth, without echoing it.

import { AgentError } from '../../errors';
import { MAX_JSON_DEPTH } from '../../manifest/json-text';

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
  if (deeperThan(value, MAX_JSON_DEPTH)) {
    throw new AgentError('E_PLATFORM', `${platform}: ${where} nests lists and mappings more than ${MAX_JSON_DEPTH} levels deep`, {
      where,
      fix: 'meta-data is a flat mapping such as "instance-id: i-1": remove the deep nesting',
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

/**
 * Whether lists and mappings nest more than `max` levels. YAML aliases make the value a graph whose
 * parts are shared, so each part's height is computed once; the walk never goes past `max + 1` levels.
 */
function deeperThan(value: unknown, max: number): boolean {
  const heights = new Map<object, number>();
  const height = (node: unknown, room: number): number => {
    if (node === null || typeof node !== 'object') return 0;
    const known = heights.get(node);
    if (known !== undefined) return known;
    if (room === 0) return 1;
    let h = 0;
    for (const child of Object.values(node)) {
      h = Math.max(h, height(child, room - 1));
      if (h >= room) break;
    }
    const result = h + 1;
    if (h < room) heights.set(node, result);
    return result;
  };
  return height(value, max) > max;
}
