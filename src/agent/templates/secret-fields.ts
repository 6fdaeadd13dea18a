// Tells whether a rendered file may hold secrets, now or from an earlier render (for --diff). Pure.

import { holdsSecret } from '../../secrets/scrub';

/** Names of the properties the config schema marks writeOnly, at any depth. */
export function writeOnlyNames(schema: unknown): Set<string> {
  const names = new Set<string>();
  const walk = (node: unknown): void => {
    if (typeof node !== 'object' || node === null) return;
    const props = (node as { properties?: unknown }).properties;
    if (typeof props === 'object' && props !== null) {
      for (const [name, sub] of Object.entries(props)) {
        if (typeof sub === 'object' && sub !== null && (sub as { writeOnly?: unknown }).writeOnly === true) names.add(name);
        walk(sub);
      }
    }
    for (const key of ['items', 'additionalProperties']) walk((node as Record<string, unknown>)[key]);
  };
  walk(schema);
  return names;
}

/**
 * A file is sensitive when its output holds a secret now, or when its template text (or an include it
 * used) names a writeOnly field: an earlier render may have written a secret that is no longer known,
 * so the lines it had cannot be checked against today's secrets.
 */
export function isSensitive(output: string, sources: readonly string[], secrets: readonly string[], fields: ReadonlySet<string>): boolean {
  if (holdsSecret(output, secrets)) return true;
  for (const name of fields) {
    const word = new RegExp(`(^|[^A-Za-z0-9_$])${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}($|[^A-Za-z0-9_$])`);
    if (sources.some((s) => word.test(s))) return true;
  }
  return false;
}
