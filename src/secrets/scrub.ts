// Replaces every known secret value with "<secret>" in text, JSON values and errors: the one scrubber of the agent.

import { AgentError } from '../errors';

export const SECRET_MARK = '<secret>';

/** Lines of a multi-line secret shorter than this are not hidden on their own (they would hide too much). */
const MIN_LINE = 8;

/**
 * The spellings a secret can take in output, longest first so a secret that contains another is hidden
 * whole: as is; JSON-escaped (text that embeds JSON, an error quoting a document); and each long line of
 * a multi-line secret (a key, a certificate), which a diff shows line by line.
 */
function forms(secrets: readonly unknown[]): string[] {
  const all = new Set<string>();
  for (const s of secrets) {
    if (typeof s !== 'string' || s.length === 0) continue;
    all.add(s);
    all.add(JSON.stringify(s).slice(1, -1));
    for (const line of s.split('\n')) if (line.trim().length >= MIN_LINE) all.add(line);
  }
  return [...all].sort((a, b) => b.length - a.length);
}

function scrubForms(text: string, list: readonly string[]): string {
  let out = text;
  for (const form of list) if (out.includes(form)) out = out.split(form).join(SECRET_MARK);
  return out;
}

export function scrub(text: string, secrets: readonly string[]): string {
  return scrubForms(text, forms(secrets));
}

/** True when `text` holds any secret (in any form scrub knows). */
export function holdsSecret(text: string, secrets: readonly string[]): boolean {
  return forms(secrets).some((form) => text.includes(form));
}

/** The same error with every secret scrubbed from its message, place, fix and problems; code and cause kept. */
export function scrubError(error: AgentError, secrets: readonly string[]): AgentError {
  const list = forms(secrets);
  if (list.length === 0) return error;
  const clean = (s: string) => scrubForms(s, list);
  return new AgentError(error.code, clean(error.message), {
    ...(error.where !== undefined ? { where: clean(error.where) } : {}),
    ...(error.fix !== undefined ? { fix: clean(error.fix) } : {}),
    problems: error.problems.map((p) => ({ path: clean(p.path), message: clean(p.message) })),
    cause: error.cause,
  });
}

export interface Scrubber {
  text(value: string): string;
  /** A deep copy with every string (keys too) scrubbed; JSON stays valid whatever the secrets look like. */
  json<T>(value: T): T;
}

/**
 * `secrets` is asked on every call: secrets are known only once user data has been read, and a
 * reporter made before that must still scrub what it prints afterwards.
 */
export function createScrubber(secrets: () => readonly string[]): Scrubber {
  const current = (): string[] => {
    try {
      return forms(secrets());
    } catch {
      return [];
    }
  };
  const deep = (value: unknown, list: readonly string[]): unknown => {
    if (typeof value === 'string') return scrubForms(value, list);
    if (Array.isArray(value)) return value.map((v) => deep(v, list));
    if (value !== null && typeof value === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) out[scrubForms(k, list)] = deep(v, list);
      return out;
    }
    return value;
  };
  return {
    text: (value) => {
      const list = current();
      return list.length ? scrubForms(value, list) : value;
    },
    json: <T>(value: T): T => {
      const list = current();
      // Always a copy, so callers may hand out the result without sharing state.
      return (list.length ? deep(value, list) : JSON.parse(JSON.stringify(value ?? null))) as T;
    },
  };
}
