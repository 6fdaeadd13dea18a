// Finds the template line of a JavaScript syntax error, which EJS reports without one. Pure.

import ejs, { type Options } from 'ejs';
import { Script } from 'node:vm';

/**
 * EJS builds one function body from the template, marking template lines with `__line = N`. Parsing
 * that body with vm.Script (which reports the failing line, unlike `new Function`) and looking back for
 * the last marker gives the template line. Undefined when it cannot be told.
 */
export function syntaxErrorLine(text: string, options: Options): number | undefined {
  let source: string;
  try {
    const template = new ejs.Template(text, options);
    template.generateSource();
    source = template.source;
  } catch {
    return undefined;
  }
  let generatedLine: number | undefined;
  try {
    new Script(`(function () {\n${source}\n})`, { filename: 'template' });
    return undefined;
  } catch (err) {
    const match = /^template:(\d+)/.exec(String((err as Error).stack ?? ''));
    generatedLine = match ? Number(match[1]) - 1 : undefined;
  }
  if (generatedLine === undefined) return undefined;
  const lines = source.split('\n').slice(0, generatedLine);
  for (let i = lines.length - 1; i >= 0; i--) {
    const marker = /__line = (\d+)/.exec(lines[i] ?? '');
    if (marker) return Number(marker[1]);
  }
  return 1;
}
