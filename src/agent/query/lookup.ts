// Finds a dotted key (`meta.instanceId`, `config.db.user`, `meta.keys.0`) in a recorded template context. Pure.

import { nearestName } from '../../cli-kit/nearest-name';
import { AgentError } from '../../errors';

/** Keys listed in an "unknown key" error; a long list says less than the nearest few. */
const MAX_LISTED = 12;

/** The value at `key` in `tree`; an unknown key is a usage error naming the deepest known part and its nearest keys. */
export function lookup(tree: Readonly<Record<string, unknown>>, key: string): unknown {
  const parts = key.split('.');
  if (parts.some((p) => p === '')) {
    throw new AgentError('E_USAGE', `"${key}" is not a key: parts are separated by single dots`, {
      fix: 'name a key as env.arch, meta.instanceId or config.db.user; "cloudlet-agent query" prints them all',
    });
  }
  let node: unknown = tree;
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i] as string;
    const at = parts.slice(0, i).join('.');
    if (typeof node !== 'object' || node === null) {
      throw new AgentError('E_USAGE', `unknown key "${key}": ${at} is ${describe(node)}, it has no keys`, {
        fix: `query ${at} itself`,
      });
    }
    const names = Array.isArray(node) ? node.map((_, n) => String(n)) : Object.keys(node);
    if (!names.includes(part)) throw unknownKey(key, at, part, names);
    node = (node as Record<string, unknown>)[part];
  }
  return node;
}

function unknownKey(key: string, at: string, part: string, names: readonly string[]): AgentError {
  const prefix = at === '' ? '' : `${at}.`;
  const near = nearestName(part, names);
  const rest = names.filter((n) => n !== near).sort();
  const listed = [...(near === undefined ? [] : [near]), ...rest].slice(0, MAX_LISTED).map((n) => prefix + n);
  const more = names.length > listed.length ? ` and ${names.length - listed.length} more` : '';
  const where = at === '' ? 'the context' : at;
  const hint = near === undefined ? '' : `; did you mean "${prefix}${near}"?`;
  return new AgentError('E_USAGE', `unknown key "${key}": ${where} has no "${part}"${hint}`, {
    fix: names.length ? `keys of ${where}: ${listed.join(', ')}${more}` : `${where} is empty`,
  });
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  return typeof value === 'string' ? `a string` : `a ${typeof value}`;
}
