// Parses a WWW-Authenticate header into its challenges (scheme + parameters), as RFC 7235 writes them. Pure.

export interface Challenge {
  /** lower case: "bearer", "basic" */
  scheme: string;
  params: Record<string, string>;
}

const MAX_HEADER = 8192;
const TOKEN = /[!#$%&'*+.^_`|~0-9A-Za-z-]+/y;

/** Every challenge of the header; a header it cannot read gives what it read so far (maybe none). */
export function parseChallenges(header: string): Challenge[] {
  const text = header.slice(0, MAX_HEADER);
  const out: Challenge[] = [];
  let i = 0;
  const skip = (chars: string) => {
    while (i < text.length && chars.includes(text[i]!)) i++;
  };
  const token = (): string | undefined => {
    TOKEN.lastIndex = i;
    const m = TOKEN.exec(text);
    if (!m) return undefined;
    i += m[0].length;
    return m[0];
  };
  while (i < text.length) {
    skip(' ,');
    const scheme = token();
    if (!scheme) break;
    const params: Record<string, string> = {};
    for (;;) {
      skip(' ');
      const save = i;
      const name = token();
      skip(' ');
      if (!name || text[i] !== '=') {
        i = save;
        break;
      }
      i++;
      skip(' ');
      let value = '';
      if (text[i] === '"') {
        i++;
        while (i < text.length && text[i] !== '"') {
          if (text[i] === '\\') i++;
          value += text[i] ?? '';
          i++;
        }
        i++;
      } else {
        value = token() ?? '';
      }
      params[name.toLowerCase()] = value;
      skip(' ');
      if (text[i] !== ',') break;
      i++;
    }
    out.push({ scheme: scheme.toLowerCase(), params });
  }
  return out;
}
