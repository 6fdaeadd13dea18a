// Runs one EJS template in strict mode against the context; includes come from what the caller loaded. Pure.

import ejs, { type Options, type TemplateFunction } from 'ejs';
import type { TemplateContext } from './context';
import { IncludeNameError, includePath, pristinePath, type IncludeEntry } from './includes';
import { strictView } from './strict-view';
import { syntaxErrorLocation } from './syntax-line';

const MAX_INCLUDE_DEPTH = 32;

/** The names a template sees; `include` is ours, so EJS never reads a file by itself. */
const LOCALS = ['config', 'env', 'meta', 'manifest', 'include'];

/** The context as templates see it: config and env strict, all of it read-only. Build once per render set. */
export interface TemplateLocals {
  config: object;
  env: object;
  meta: object;
  manifest: object;
}

export function templateLocals(context: TemplateContext): TemplateLocals {
  return {
    config: strictView(context.config, 'config'),
    env: strictView(context.env, 'env'),
    meta: context.meta,
    manifest: context.manifest,
  };
}

export interface RenderRequest {
  /** image path of the target: names the template in errors */
  path: string;
  text: string;
  locals: TemplateLocals;
  /** include files read so far, by image path */
  includes: ReadonlyMap<string, IncludeEntry>;
  /** compiled templates and includes, shared by the rounds of one plan so each file compiles once */
  compiled?: CompiledTemplates;
}

/** Compiled template functions by file and text. */
export type CompiledTemplates = Map<string, TemplateFunction>;

/** Either the output (and the include files it used), or the include files that must be read first. */
export type RenderOutcome = { output: string; needs: []; used: string[] } | { output: undefined; needs: string[] };

/** A template could not be compiled; carries the file (and line with its text, when it can be found). */
export class TemplateCompileError extends Error {
  override name = 'TemplateCompileError';
  readonly source: string | undefined;
  constructor(
    readonly file: string,
    readonly line: number | undefined,
    message: string,
    text: string,
  ) {
    super(message);
    this.source = line === undefined ? undefined : excerpt(text, line);
  }
}

/** Longest template line an error quotes. */
const EXCERPT_CHARS = 160;

function excerpt(text: string, line: number): string {
  const whole = text.split('\n', line)[line - 1]?.replace(/\r$/, '') ?? '';
  return whole.length > EXCERPT_CHARS ? `${whole.slice(0, EXCERPT_CHARS)}...` : whole;
}

/** Signals an include that is not loaded yet; the caller loads it and renders again. */
class NeedInclude extends Error {}

/**
 * Renders `request.text`. Template errors are thrown as they come from EJS (message prefixed with
 * "file:line" frames); `templateError` turns them into the one readable AgentError.
 */
export function renderTemplate(request: RenderRequest): RenderOutcome {
  const needs = new Set<string>();
  const used = new Set<string>();
  const run = (text: string, file: string, storePath: string, depth: number, extra: Record<string, unknown>): string => {
    const fn = compileOnce(text, file, request.compiled);
    const include = (name: unknown, data?: unknown): string => {
      if (depth >= MAX_INCLUDE_DEPTH) throw new IncludeNameError(`includes nest deeper than ${MAX_INCLUDE_DEPTH} (does a file include itself?)`);
      const target = includePath(name, storePath);
      const entry = request.includes.get(target);
      if (entry === undefined) {
        needs.add(target);
        throw new NeedInclude(target);
      }
      if ('missing' in entry) throw new IncludeNameError(`include("${String(name)}"): ${target} does not exist in the image`);
      if ('refused' in entry) throw new IncludeNameError(`include("${String(name)}") is refused: ${entry.refused}`);
      used.add(target);
      const own = typeof data === 'object' && data !== null ? (data as Record<string, unknown>) : {};
      return run(entry.text, target, target, depth + 1, own);
    };
    return fn({ ...extra, ...request.locals, include });
  };
  try {
    const output = run(request.text, request.path, pristinePath(request.path), 0, {});
    return needs.size ? { output: undefined, needs: [...needs] } : { output, needs: [], used: [...used] };
  } catch (err) {
    // A template may swallow the signal in its own try/catch; what it asked for still counts.
    if (needs.size) return { output: undefined, needs: [...needs] };
    throw err;
  }
}

/** Compiles a template without running it (what validate can still check when it has no config to render with). */
export function compileTemplate(text: string, file: string): void {
  compile(text, file);
}

function compileOnce(text: string, file: string, compiled: CompiledTemplates | undefined): TemplateFunction {
  const key = `${file}\0${text}`;
  let fn = compiled?.get(key);
  if (!fn) {
    fn = compile(text, file);
    compiled?.set(key, fn);
  }
  return fn;
}

function compile(text: string, file: string): TemplateFunction {
  const options: Options = {
    filename: file,
    strict: true,
    _with: false,
    destructuredLocals: LOCALS,
    compileDebug: true,
    async: false,
    cache: false,
  };
  try {
    return ejs.compile(text, options);
  } catch (err) {
    const raw = err instanceof Error ? err.message : String(err);
    const tag = /^Could not find matching close tag for "(.+)"\.$/.exec(raw)?.[1];
    if (tag !== undefined) {
      throw new TemplateCompileError(file, unclosedTagLine(text), `the tag "${tag}" opened at this line is never closed with "%>"`, text);
    }
    if (!(err instanceof SyntaxError)) throw new TemplateCompileError(file, undefined, raw, text);
    const at = syntaxErrorLocation(text, options);
    if (at?.unclosed) {
      throw new TemplateCompileError(file, at.line, 'the template ends inside the block opened at this line (a "{" without its "}"?)', text);
    }
    // EJS appends advice and the file name to syntax errors; keep the JavaScript engine's own words.
    const message = raw.split('\n')[0]?.replace(/ in \S+ while compiling ejs$/, '') ?? raw;
    throw new TemplateCompileError(file, at?.line, message, text);
  }
}

/** The line of the first "<%" after the last "%>": the tag EJS found no end for ("<%%" is a literal "<%"). */
function unclosedTagLine(text: string): number {
  const lastClose = text.lastIndexOf('%>');
  let at = text.indexOf('<%', lastClose === -1 ? 0 : lastClose + 2);
  while (at !== -1 && text[at + 2] === '%') at = text.indexOf('<%', at + 3);
  return at === -1 ? 1 : text.slice(0, at).split('\n').length;
}
