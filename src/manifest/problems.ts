// Turns ajv errors into problems: a JSON pointer to the offending place and a message without its value.

import type { ErrorObject } from 'ajv';
import type { Problem } from '../errors';

/** Readable messages for pattern failures by instance path: a regular expression explains nothing to most people. */
export type PatternHints = Record<string, string>;

/**
 * One problem per meaningful ajv error; `prefix` is put before every path (e.g. "/config" for the
 * user's config). Messages never include the instance value: only ajv's messages and params (schema
 * facts) and the error's parentSchema (ajv's verbose option) are read, never its `data`.
 */
export function problemsFromAjv(errors: readonly ErrorObject[] | null | undefined, prefix = '', hints: PatternHints = {}): Problem[] {
  const problems: Problem[] = [];
  const seen = new Set<string>();
  for (const e of errors ?? []) {
    const hint = e.keyword === 'pattern' ? hints[e.instancePath] : undefined;
    const problem = hint ? { path: prefix + e.instancePath, message: hint } : toProblem(e, prefix);
    if (!problem) continue;
    const key = `${problem.path}\0${problem.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    problems.push(problem);
  }
  return problems;
}

function toProblem(e: ErrorObject, prefix: string): Problem | undefined {
  const at = prefix + e.instancePath;
  const params = e.params as Record<string, unknown>;
  switch (e.keyword) {
    // if/then/else only picks the short or the long form; the chosen branch reports the real problem.
    case 'if':
      return undefined;
    case 'required':
      return { path: `${at}/${escapePointer(String(params.missingProperty))}`, message: 'is required' };
    case 'additionalProperties': {
      const key = String(params.additionalProperty);
      const allowed = allowedKeys(e.parentSchema);
      const guess = allowed.length ? closest(key, allowed) : undefined;
      const hint = guess ? `; did you mean "${guess}"?` : allowed.length ? `; allowed keys: ${allowed.join(', ')}` : '';
      return { path: `${at}/${escapePointer(key)}`, message: `unknown key${hint}` };
    }
    case 'type': {
      const types = String(params.type).split(',');
      return { path: at, message: `must be ${types.map(article).join(' or ')}` };
    }
    case 'enum':
      return { path: at, message: `must be one of ${(params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}` };
    case 'const':
      return { path: at, message: `must be ${JSON.stringify(params.allowedValue)}` };
    default:
      return { path: at, message: e.message ?? `fails "${e.keyword}"` };
  }
}

function article(type: string): string {
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}

export function escapePointer(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** The keys the object's schema names, for an "unknown key" hint. */
function allowedKeys(parentSchema: unknown): string[] {
  if (parentSchema === null || typeof parentSchema !== 'object') return [];
  const props = (parentSchema as Record<string, unknown>).properties;
  return props && typeof props === 'object' ? Object.keys(props) : [];
}

/** The allowed key within two edits of `key` (a typo), if exactly one is that close. */
export function closest(key: string, allowed: string[]): string | undefined {
  const near = allowed.filter((a) => editDistance(key.toLowerCase(), a.toLowerCase()) <= Math.min(2, Math.floor(a.length / 2)));
  return near.length === 1 ? near[0] : undefined;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      row.push(Math.min((prev[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + cost));
    }
    prev = row;
  }
  return prev[b.length] ?? 0;
}
