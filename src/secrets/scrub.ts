// Hides every known secret value, in any spelling, in text, JSON values and errors: the one scrubber of both programs.

import { AgentError } from '../errors';
import { matcherFor, merge, type Matcher, type Range } from './secret-matcher';

export const SECRET_MARK = '<secret>';

/*
 * The rules (docs/security.md says the same for operators):
 * - each secret is looked for in every spelling an engine prints it in (spellings.ts): as is, JSON, HTML/XML,
 *   URL-encoded, base64 at any alignment, hex; and each line of 8 characters or more of a multi-line secret;
 * - a secret of 4 characters or more is hidden wherever it appears, inside longer words too;
 * - a shorter one (1 to 3 characters) only where it stands alone, not inside a longer word or number:
 *   hiding every "a" or "1" would hide everything, and outputs would say nothing;
 * - a run of 6 characters or more of a secret that starts or ends at a quote mark is hidden: engines quote
 *   values cut short (V8: `"correct-ho"... is not valid JSON`);
 * - a message whose words are an engine's, which may hold any part of a secret (even the one character V8
 *   names in `Unexpected token 'c'`), is not scrubbed but replaced when `mayHoldSecret` says so.
 */

function hide(text: string, ranges: readonly Range[]): string {
  if (ranges.length === 0) return text;
  let out = '';
  let at = 0;
  for (const [start, end] of merge(ranges)) {
    out += text.slice(at, start) + SECRET_MARK;
    at = end;
  }
  return out + text.slice(at);
}

function ranges(text: string, m: Matcher, keys = false): Range[] {
  return m.empty ? [] : [...m.whole(text, keys), ...m.quoted(text)];
}

export function scrub(text: string, secrets: readonly string[]): string {
  return hide(text, ranges(text, matcherFor(secrets)));
}

/** True when `text` holds any secret (in any form scrub knows). */
export function holdsSecret(text: string, secrets: readonly string[]): boolean {
  return ranges(text, matcherFor(secrets)).length > 0;
}

/**
 * True when `text` may hold a secret or any part of one: a spelling, a short secret even inside a word, or
 * 4 characters in a row of one (a value an engine cut, or changed around). For messages that quote values
 * as they please, such as JavaScript errors: the caller says what happened in words of its own instead.
 */
export function mayHoldSecret(text: string, secrets: readonly string[]): boolean {
  const m = matcherFor(secrets);
  if (m.empty) return false;
  const whole = m.whole(text);
  return whole.length > 0 || m.residue(text, whole);
}

/** The same error with every secret scrubbed from its message, place, fix and problems; code and cause kept. */
export function scrubError(error: AgentError, secrets: readonly string[]): AgentError {
  if (!secrets.some((s) => s.length > 0)) return error;
  const clean = (s: string) => scrub(s, secrets);
  return new AgentError(error.code, clean(error.message), {
    ...(error.where !== undefined ? { where: clean(error.where) } : {}),
    ...(error.fix !== undefined ? { fix: clean(error.fix) } : {}),
    problems: error.problems.map((p) => ({ path: clean(p.path), message: clean(p.message) })),
    cause: error.cause,
  });
}

export interface Scrubber {
  text(value: string): string;
  /**
   * A deep copy with every string scrubbed; JSON stays valid whatever the secrets look like. Keys are
   * scrubbed too, but not of short secrets, which would turn a field such as "ok" or "pid" into a mark.
   */
  json<T>(value: T): T;
}

/**
 * `secrets` is asked on every call: secrets are known only once user data has been read, and a
 * reporter made before that must still scrub what it prints afterwards.
 */
export function createScrubber(secrets: () => readonly string[]): Scrubber {
  const current = (): readonly string[] => {
    try {
      return secrets();
    } catch {
      return [];
    }
  };
  const deep = (value: unknown, m: Matcher): unknown => {
    if (typeof value === 'string') return hide(value, ranges(value, m));
    if (Array.isArray(value)) return value.map((v) => deep(v, m));
    if (value !== null && typeof value === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) out[hide(k, ranges(k, m, true))] = deep(v, m);
      return out;
    }
    return value;
  };
  return {
    text: (value) => scrub(value, current()),
    json: <T>(value: T): T => {
      const m = matcherFor(current());
      // Always a copy, so callers may hand out the result without sharing state.
      return (m.empty ? JSON.parse(JSON.stringify(value ?? null)) : deep(value, m)) as T;
    },
  };
}
