// The spellings a secret value can take in output: as is and as template and JavaScript engines encode it. Pure.

/** Lines of a multi-line secret shorter than this are not looked for on their own (they would hide too much). */
const MIN_LINE = 8;

/**
 * What to look for: the secret, and each long line of a multi-line secret (a key, a certificate),
 * which a diff shows line by line.
 */
export function partsOf(secret: string): string[] {
  const parts = new Set([secret]);
  for (const line of secret.split(/\r?\n/)) if (line.trim().length >= MIN_LINE) parts.add(line);
  return [...parts];
}

/** `part` inside a string literal: as is, JSON, JSON with \u escapes, a single-quoted JavaScript literal. */
export function literalsOf(part: string): string[] {
  return [...new Set([part, jsonInner(part), asciiJson(part), singleQuoted(part)])];
}

/** The literal spellings, each also HTML/XML-escaped in the styles in use; and `part` URL-encoded. */
export function textSpellingsOf(part: string): string[] {
  const all = new Set<string>();
  for (const text of literalsOf(part)) {
    all.add(text);
    for (const style of HTML_QUOTES) all.add(htmlEscape(text, style));
  }
  for (const url of urlSpellings(part)) all.add(url);
  all.delete('');
  return [...all];
}

/** The text spellings, and `part` in base64 and base64url at each byte alignment and in hex. */
export function spellingsOf(part: string): string[] {
  const all = new Set(textSpellingsOf(part));
  const bytes = Buffer.from(part, 'utf8');
  for (const core of base64Cores(bytes)) {
    all.add(core);
    all.add(core.replace(/\+/g, '-').replace(/\//g, '_'));
  }
  const hex = bytes.toString('hex');
  all.add(hex);
  all.add(hex.toUpperCase());
  all.delete('');
  return [...all];
}

function jsonInner(s: string): string {
  return JSON.stringify(s).slice(1, -1);
}

/** JSON as writers that escape every non-ASCII character print it (\u00e9, surrogate pairs as two escapes). */
function asciiJson(s: string): string {
  return jsonInner(s).replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** The inside of a single-quoted JavaScript string literal, as util.inspect and stack traces print one. */
function singleQuoted(s: string): string {
  return jsonInner(s).replace(/\\"/g, '"').replace(/'/g, "\\'");
}

/** How `"` and `'` are escaped; `&`, `<` and `>` always are. The last style is XML text, which leaves quotes. */
const HTML_QUOTES: ReadonlyArray<readonly [string, string]> = [
  ['&#34;', '&#39;'], // EJS
  ['&quot;', '&#39;'],
  ['&quot;', '&apos;'],
  ['&quot;', '&#039;'],
  ['&#x22;', '&#x27;'],
  ['"', "'"],
];

function htmlEscape(s: string, [dq, sq]: readonly [string, string]): string {
  return s.replace(/[&<>"']/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : c === '"' ? dq : sq));
}

function urlSpellings(s: string): string[] {
  try {
    const component = encodeURIComponent(s);
    return [
      component,
      component.replace(/%[0-9A-F]{2}/g, (e) => e.toLowerCase()),
      new URLSearchParams({ v: s }).toString().slice(2),
      encodeURI(s),
    ];
  } catch {
    // A lone surrogate cannot be URL-encoded, so it is never printed that way.
    return [];
  }
}

/**
 * The base64 characters that depend on `bytes` alone, for the bytes starting at each of the three
 * offsets in a longer encoded text (a secret inside "user:secret" in an Authorization header, or inside
 * base64-encoded user data). Characters that also carry bits of the neighbours, and padding, are left out.
 */
function base64Cores(bytes: Buffer): string[] {
  const cores: string[] = [];
  for (let offset = 0; offset < 3; offset++) {
    const encoded = Buffer.concat([Buffer.alloc(offset), bytes]).toString('base64');
    const first = Math.ceil((8 * offset) / 6);
    const end = Math.floor((8 * (offset + bytes.length)) / 6);
    if (end > first) cores.push(encoded.slice(first, end));
  }
  return cores;
}
