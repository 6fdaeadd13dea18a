// Finds the template line of a JavaScript syntax error, which EJS reports without one. Pure.

import ejs, { type Options } from 'ejs';
import { Script } from 'node:vm';

/** Past this many bytes of code parsed, the opening line of an unclosed block is not looked for. */
const MAX_PARSED_BYTES = 64 * 1024 * 1024;

/** Where a syntax error is: its template line, and whether the template ends inside a block it opened at that line. */
export interface SyntaxLocation {
  line: number;
  /** the template ends before the block or statement opened in a tag at `line` is complete */
  unclosed: boolean;
}

/**
 * EJS builds one function body from the template, marking template lines with `; __line = N`. Parsing
 * that body with vm.Script (which reports the failing line, unlike `new Function`) and looking back for
 * the last marker gives the template line. A body that fails only at its wrapper's closing line ends
 * inside a block ("{" without "}", "try" without "catch"): V8 then blames EJS's own code after the
 * template ("Unexpected token 'catch'" past the last line), so the line given is the one opening that
 * block, the last marker before which the code still parses.
 * Undefined when it cannot be told.
 */
export function syntaxErrorLocation(text: string, options: Options): SyntaxLocation | undefined {
  let lines: string[];
  try {
    const template = new ejs.Template(text, options);
    template.generateSource();
    lines = template.source.split('\n');
  } catch {
    return undefined;
  }
  const generatedLine = failingLine(lines.join('\n'));
  if (generatedLine === undefined || generatedLine === UNKNOWN) return undefined;
  if (generatedLine > lines.length) {
    const opening = openingLine(lines);
    if (opening !== undefined) return { line: opening, unclosed: true };
  }
  return { line: markerBefore(lines, generatedLine) ?? 1, unclosed: false };
}

/** A parse that failed without saying where. */
const UNKNOWN = -1;

/** The line (1-based, in `source`) where parsing `source` as a function body fails (UNKNOWN when V8 does not say); undefined when it parses. */
function failingLine(source: string): number | undefined {
  try {
    new Script(`(function () {\n${source}\n})`, { filename: 'template' });
    return undefined;
  } catch (err) {
    const match = /^template:(\d+)/.exec(String((err as Error).stack ?? ''));
    return match ? Number(match[1]) - 1 : UNKNOWN;
  }
}

/** The template line of the last marker at or before generated line `generatedLine`. */
function markerBefore(lines: readonly string[], generatedLine: number): number | undefined {
  for (let i = Math.min(generatedLine, lines.length) - 1; i >= 0; i--) {
    const marker = /__line = (\d+)/.exec(lines[i] ?? '');
    if (marker) return Number(marker[1]);
  }
  return undefined;
}

/** The template line of the last marker before which the code still parses: the tag that opens the unclosed block. */
function openingLine(lines: readonly string[]): number | undefined {
  let parsed = 0;
  for (let i = lines.length - 1; i >= 0; i--) {
    const marker = /__line = (\d+)/.exec(lines[i] ?? '');
    if (!marker) continue;
    const prefix = lines.slice(0, i).join('\n');
    parsed += prefix.length;
    if (parsed > MAX_PARSED_BYTES) return undefined;
    if (failingLine(prefix) === undefined) return Number(marker[1]);
  }
  return 1;
}
