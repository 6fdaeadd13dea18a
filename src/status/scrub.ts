// Replaces every known secret value with "<secret>" in text and in JSON values, the last line of defense.

export const SECRET_MARK = '<secret>';

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
    let list: readonly string[];
    try {
      list = secrets();
    } catch {
      list = [];
    }
    const unique = [...new Set(list.filter((s) => typeof s === 'string' && s.length > 0))];
    // Longest first, so a secret that contains another is replaced whole.
    return unique.sort((a, b) => b.length - a.length);
  };
  const scrubWith = (value: string, list: readonly string[]): string => {
    let out = value;
    for (const secret of list) {
      if (out.includes(secret)) out = out.split(secret).join(SECRET_MARK);
      // The JSON-escaped spelling too: text that embeds JSON (an error quoting a document) carries that form.
      const escaped = JSON.stringify(secret).slice(1, -1);
      if (escaped !== secret && out.includes(escaped)) out = out.split(escaped).join(SECRET_MARK);
    }
    return out;
  };
  const deep = (value: unknown, list: readonly string[]): unknown => {
    if (typeof value === 'string') return scrubWith(value, list);
    if (Array.isArray(value)) return value.map((v) => deep(v, list));
    if (value !== null && typeof value === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) out[scrubWith(k, list)] = deep(v, list);
      return out;
    }
    return value;
  };
  return {
    text: (value) => {
      const list = current();
      return list.length ? scrubWith(value, list) : value;
    },
    json: <T>(value: T): T => {
      const list = current();
      // Always a copy, so callers may hand out the result without sharing state.
      return (list.length ? deep(value, list) : JSON.parse(JSON.stringify(value ?? null))) as T;
    },
  };
}
