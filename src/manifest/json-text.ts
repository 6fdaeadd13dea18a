// The one reader of untrusted JSON text: bounded nesting, a syntax error located by line and column, never quoting the text.

/**
 * Arrays and objects nest at most this deep in any JSON the agent reads (manifests, user data,
 * metadata, facts). Real documents use a handful of levels; far deeper ones exist only to exhaust the
 * call stack of whatever walks the value later (cloning, validation, printing).
 */
export const MAX_JSON_DEPTH = 64;

export type JsonParseResult =
  | { ok: true; value: unknown }
  | {
      ok: false;
      line: number;
      column: number;
      /** the text ends before the JSON does */
      atEnd: boolean;
      reason: string;
      /** the text nests arrays and objects deeper than allowed; line and column point at the first bracket too many */
      tooDeep: boolean;
    };

/**
 * Parses `text` (a leading UTF-8 byte order mark is ignored). On failure gives the line and column
 * (1-based) and a reason with any quoted excerpt of the input removed: the text may be user data,
 * whose values must never reach an error message. Text nesting deeper than `maxDepth` is refused
 * before it is parsed, wherever it is nested (valid JSON or not).
 */
export function parseJsonText(text: string, maxDepth = MAX_JSON_DEPTH): JsonParseResult {
  const body = text.startsWith('\uFEFF') ? text.slice(1) : text;
  const deep = firstBracketTooDeep(body, maxDepth);
  // A syntax error before that bracket is the first problem of the text, and the one to report.
  if (deep >= 0 && viablePrefix(body.slice(0, deep))) {
    const { line, column } = lineColumn(body, deep);
    return { ok: false, line, column, atEnd: false, reason: `arrays and objects nest more than ${maxDepth} levels deep`, tooDeep: true };
  }
  try {
    return { ok: true, value: JSON.parse(body) };
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    const offset = errorOffset(body);
    const { line, column } = lineColumn(body, offset);
    const atEnd = offset >= body.length;
    return { ok: false, line, column, atEnd, reason: atEnd ? 'unexpected end of input' : reasonOf(message), tooDeep: false };
  }
}

/**
 * Offset of the first `[` or `{` that opens a level beyond `maxDepth`, or -1. One pass that skips
 * strings; exact for valid JSON, and for invalid JSON whatever it finds is refused anyway.
 */
function firstBracketTooDeep(text: string, maxDepth: number): number {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x5b || c === 0x7b) {
      if (++depth > maxDepth) return i;
    } else if (c === 0x5d || c === 0x7d) {
      depth--;
    }
  }
  return -1;
}

/**
 * Offset of the first character JSON.parse cannot accept. V8 names a position for most errors but
 * not for an unexpected token, so the longest prefix that is still a valid beginning of JSON (it fails
 * only at its end) is found by bisection, as such prefixes nest. Runs only on the error path.
 */
function errorOffset(text: string): number {
  let good = 0;
  let bad = text.length;
  while (bad - good > 1) {
    const mid = (good + bad) >> 1;
    if (viablePrefix(text.slice(0, mid))) good = mid;
    else bad = mid;
  }
  return viablePrefix(text) ? text.length : good;
}

function viablePrefix(prefix: string): boolean {
  try {
    JSON.parse(prefix);
    return true;
  } catch (err) {
    const message = (err as Error).message;
    if (/Unexpected end of JSON input/.test(message)) return true;
    const m = /at position (\d+)/.exec(message);
    return m !== null && Number(m[1]) >= prefix.length;
  }
}

function lineColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, Math.min(offset, text.length));
  const lines = before.split('\n');
  return { line: lines.length, column: (lines[lines.length - 1] ?? '').length + 1 };
}

// V8 messages look like `Expected ',' or '}' after property value in JSON at position 21 (line 1 column 22)`
// or `Unexpected token 'h', "hunter2" is not valid JSON`; the second quotes the input, so it is cut.
function reasonOf(message: string): string {
  const token = /^Unexpected token '(.)'/.exec(message);
  if (token) return 'unexpected character';
  const cut = message.replace(/\s*in JSON at position \d+.*$/, '').replace(/\s*at position \d+.*$/, '');
  if (/"/.test(cut) || cut.length > 80) return 'invalid JSON';
  return cut.charAt(0).toLowerCase() + cut.slice(1);
}

/** The widest excerpt line: a long line is cut to this many characters around the error. */
const EXCERPT_WIDTH = 72;

/**
 * Two lines that show where a syntax error is: the line of `text` holding it (cut to a window around
 * the column) and a caret under the column, both led by "| " so they stay aligned wherever they are
 * indented. With `hideValues` (user data, metadata: they may hold secrets) every string value, number
 * and bare word shows as "…" and only the structure, keys, true, false and null remain.
 */
export function jsonExcerpt(text: string, line: number, column: number, options: { hideValues: boolean }): string[] {
  const body = text.startsWith('\uFEFF') ? text.slice(1) : text;
  const source = body.split('\n')[line - 1] ?? '';
  const { shown, caret } = options.hideValues ? masked(source, column - 1) : { shown: source, caret: column - 1 };
  const printable = shown.replace(/[\u0000-\u001f\u007f]/g, (c) => (c === '\t' ? ' ' : '?'));
  let start = 0;
  let end = printable.length;
  if (printable.length > EXCERPT_WIDTH) {
    start = Math.max(0, Math.min(caret - EXCERPT_WIDTH / 2, printable.length - EXCERPT_WIDTH));
    end = start + EXCERPT_WIDTH;
  }
  const before = start > 0 ? '…' : '';
  const window = `${before}${printable.slice(start, end)}${end < printable.length ? '…' : ''}`;
  return [`| ${window}`.trimEnd(), `| ${' '.repeat(before.length + Math.max(0, caret - start))}^`];
}

/** `line` with string values, numbers and bare words replaced by "…", and where the character at `at` ends up. */
function masked(line: string, at: number): { shown: string; caret: number } {
  let shown = '';
  let caret = -1;
  let i = 0;
  while (i < line.length) {
    if (i === at) caret = shown.length;
    const c = line[i] as string;
    if (/[\s{}[\],:]/.test(c)) {
      shown += c;
      i++;
      continue;
    }
    const end = c === '"' ? stringEnd(line, i) : wordEnd(line, i);
    const token = line.slice(i, end);
    // A key opens an object or follows a comma, and a colon follows it: a value, even before a stray colon, stays hidden.
    const isKey = c === '"' && /^\s*:/.test(line.slice(end)) && /(^|[{,])\s*$/.test(line.slice(0, i));
    const shownAs = isKey || token === 'true' || token === 'false' || token === 'null' ? token : c === '"' ? '"…"' : '…';
    if (at > i && at < end) caret = shown.length + Math.min(at - i, shownAs === token ? at - i : c === '"' ? 1 : 0);
    shown += shownAs;
    i = end;
  }
  if (caret < 0) caret = shown.length + Math.max(0, at - line.length);
  return { shown, caret };
}

/** The offset just past the string literal opening at `from` (or the line's end when it never closes). */
function stringEnd(line: string, from: number): number {
  for (let i = from + 1; i < line.length; i++) {
    if (line[i] === '\\') i++;
    else if (line[i] === '"') return i + 1;
  }
  return line.length;
}

/** The offset just past a number or a bare word (which JSON refuses, but which may be a secret typed unquoted). */
function wordEnd(line: string, from: number): number {
  let i = from;
  while (i < line.length && /[^\s{}[\],:"]/.test(line[i] as string)) i++;
  return i;
}
