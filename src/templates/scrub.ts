// Replaces secret values in any text meant for people (errors, diffs) with "<secret>". Pure.

export const SECRET_MARK = '<secret>';

/** Lines of a multi-line secret shorter than this are not hidden on their own (they would hide too much). */
const MIN_LINE = 8;

/** The forms a secret can take in a message: as is, and JSON-escaped (engines quote values that way). */
function forms(secrets: readonly string[]): string[] {
  const all = new Set<string>();
  for (const s of secrets) {
    if (s.length === 0) continue;
    all.add(s);
    all.add(JSON.stringify(s).slice(1, -1));
    // A multi-line secret (a key, a certificate) shows up line by line in a diff.
    for (const line of s.split('\n')) if (line.trim().length >= MIN_LINE) all.add(line);
  }
  // Longest first, so a secret that contains another is hidden whole.
  return [...all].sort((a, b) => b.length - a.length);
}

export function scrub(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const form of forms(secrets)) out = out.split(form).join(SECRET_MARK);
  return out;
}

/** True when `text` holds any secret (in any form scrub knows). */
export function holdsSecret(text: string, secrets: readonly string[]): boolean {
  return forms(secrets).some((form) => text.includes(form));
}
