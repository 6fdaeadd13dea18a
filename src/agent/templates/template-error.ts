// Turns whatever a template threw into the one readable E_TEMPLATE error: what, file:line, how to fix. Pure.

import { AgentError } from '../../errors';
import { IncludeNameError, TEMPLATE_STORE } from './includes';
import { TemplateCompileError } from './render-template';
import { mayHoldSecret, scrub } from '../../secrets/scrub';
import { MissingKeyError } from './strict-view';

interface Frame {
  file: string;
  line?: number;
  source?: string;
}

// EJS (compileDebug) rethrows with "file:line", up to six lines of context, a blank line, then the
// original message; an error in an include is rethrown once per including template.
const RETHROW = /^(.*):(\d+)\n((?:(?: >> | {4})\d+\| .*(?:\n|$))*)\n([\s\S]*)$/;

function unwrap(message: string): { frames: Frame[]; message: string } {
  const frames: Frame[] = [];
  let rest = message;
  for (let m = RETHROW.exec(rest); m; m = RETHROW.exec(rest)) {
    const [, file = '', line = '0', context = '', inner = ''] = m;
    const marked = / >> \d+\| (.*)/.exec(context);
    frames.push({ file, line: Number(line), ...(marked?.[1] !== undefined ? { source: marked[1] } : {}) });
    rest = inner;
  }
  return { frames, message: rest };
}

function explain(err: unknown, message: string, secrets: readonly string[]): { detail: string; fix: string } {
  if (err instanceof MissingKeyError) {
    const [base, key] = err.keyPath.split(/[.[]/, 2);
    const fix =
      base === 'config'
        ? `check the spelling; an optional setting must be declared in the manifest's config.schema (it then reads as undefined when unset, so "config.${key} ?? fallback" works), or test it with "'${key}' in config"`
        : `check the spelling against the keys listed; test optional keys with "'${key}' in ${base}"`;
    return { detail: message, fix };
  }
  if (err instanceof TemplateCompileError) {
    return { detail: `syntax error: ${message}`, fix: 'check the <% %> tags and the JavaScript inside them at that line' };
  }
  if (err instanceof IncludeNameError) {
    return { detail: message, fix: `put shared pieces under ${TEMPLATE_STORE} in the image and include them by their path there, e.g. include('/partials/header.ejs')` };
  }
  // From here on the words are the JavaScript engine's (or the template's own throw), which quote values
  // as they please: cut short, upper-cased, one character named apart. Shown only when no part of a secret can be in them.
  const name = err instanceof Error && !mayHoldSecret(err.name, secrets) ? err.name : 'Error';
  if (mayHoldSecret(message, secrets)) {
    return {
      detail: `${name} (its message is not shown: it quotes a value that may be a secret)`,
      fix: 'look at what that line does with writeOnly config values (e.g. JSON.parse of a value that is not JSON), and fix the template or the value',
    };
  }
  if (err instanceof ReferenceError) {
    return {
      detail: `undefined name: ${message}`,
      fix: 'a template sees only config, env, meta, manifest and include; check the spelling, or declare the name with <% const name = ... %> first',
    };
  }
  return { detail: `${name}: ${message}`, fix: 'fix the template, or the values it reads, at that line' };
}

/** The E_TEMPLATE error for `err` thrown while rendering `templatePath`; secret values never appear in it. */
export function templateError(err: unknown, templatePath: string, secrets: readonly string[]): AgentError {
  const raw = err instanceof Error ? err.message : String(err);
  const { frames, message } = unwrap(raw);
  if (err instanceof TemplateCompileError) {
    frames.push({ file: err.file, ...(err.line !== undefined ? { line: err.line } : {}), ...(err.source !== undefined ? { source: err.source } : {}) });
  }
  const inner = frames.at(-1) ?? { file: templatePath };
  const where = inner.line !== undefined ? `${inner.file}:${inner.line}` : inner.file;
  const { detail, fix } = explain(err, message.trim(), secrets);
  const lines = [`template ${templatePath}: ${detail}`];
  if (inner.source !== undefined) lines.push(`  ${inner.line}| ${inner.source}`);
  for (const outer of frames.slice(0, -1).reverse()) lines.push(`  included from ${outer.file}:${outer.line}`);
  return new AgentError('E_TEMPLATE', scrub(lines.join('\n'), secrets), { where: scrub(where, secrets), fix: scrub(fix, secrets) });
}
