// The template context of a run, as `query` reads it: /run/cloudlet/context.json, writeOnly values redacted before it is written.

import { readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { AgentError } from '../../errors';
import { configSchemaOf, redactConfig } from '../../manifest/config';
import { MAX_JSON_DEPTH, parseJsonText } from '../../manifest/json-text';
import { createScrubber } from '../../secrets/scrub';
import { writeAtomicSync } from '../../system/atomic-write';
import type { System } from '../../system/system';
import type { TemplateContext } from '../templates/context';
import { statusPaths } from './run-dir';

export const CONTEXT_VERSION = 1;
/** A context is user data plus metadata, each capped well below this. */
const MAX_CONTEXT_BYTES = 16 * 1024 * 1024;
/** Root only: config and metadata that are not writeOnly may still be private (user names, addresses). */
const CONTEXT_MODE = 0o600;

export interface ContextDoc {
  version: number;
  recordedAt: string;
  mode: string;
  env: Record<string, unknown>;
  meta: Record<string, unknown>;
  config: Record<string, unknown>;
}

export function contextFile(runDir: string): string {
  return join(statusPaths(runDir).dir, 'context.json');
}

/**
 * The record of `context`: writeOnly values of the config replaced by the secret mark, then every known
 * secret scrubbed wherever else it appears (metadata that echoes it). Values a template would see as
 * undefined are null here, so that every key a template may name is listed. Pure.
 */
export function contextDoc(context: TemplateContext, secrets: readonly string[], mode: string, now: Date): ContextDoc {
  const config = redactConfig(structuredClone(context.config) as Record<string, unknown>, configSchemaOf(context.manifest));
  const plain = JSON.parse(JSON.stringify({ env: context.env, meta: context.meta, config }, (_k, v: unknown) => (v === undefined ? null : v))) as Pick<ContextDoc, 'env' | 'meta' | 'config'>;
  return { version: CONTEXT_VERSION, recordedAt: now.toISOString(), mode, ...createScrubber(() => secrets).json(plain) };
}

/**
 * Records this run's context for `query`, or removes the record of an earlier run in this boot when this
 * one never built a context (it stopped before the templates step): a query must not show another run's.
 * Like the status files, a failure to record is said once and does not stop the boot.
 */
export function recordContext(system: System, context: TemplateContext | undefined, secrets: readonly string[], mode: string): void {
  const file = contextFile(system.hostPaths.run);
  try {
    if (context) writeAtomicSync(file, JSON.stringify(contextDoc(context, secrets, mode, system.now()), null, 2) + '\n', CONTEXT_MODE);
    else rmSync(file, { force: true });
  } catch (err) {
    system.err(createScrubber(() => secrets).text(`cloudlet-agent: cannot record the template context in ${file}: ${(err as Error).message}`));
  }
}

/** The recorded context; a clear error when there is none or it is not one. */
export function readContext(file: string): ContextDoc {
  let text: string;
  try {
    if (statSync(file).size > MAX_CONTEXT_BYTES) throw invalid(file, `larger than ${MAX_CONTEXT_BYTES / 1024 / 1024} MiB`);
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if (err instanceof AgentError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      throw new AgentError('E_IO', `no template context recorded this boot: ${file} does not exist`, {
        where: file,
        fix: 'the agent records it when a run reaches the templates step; "cloudlet-agent status" tells how far this boot\'s run got',
      });
    }
    throw new AgentError('E_IO', `cannot read ${file}: ${code ?? (err as Error).message}`, {
      where: file,
      fix: code === 'EACCES' ? 'the context may hold private values and is readable by root only: run as root' : 'check the run directory',
      cause: err,
    });
  }
  // The record nests metadata and config, each already bounded by the untrusted-JSON reader, one level down.
  const parsed = parseJsonText(text, 2 * MAX_JSON_DEPTH);
  if (!parsed.ok) throw invalid(file, `not JSON (line ${parsed.line} column ${parsed.column}: ${parsed.reason})`);
  const doc = parsed.value as Partial<ContextDoc> | null;
  if (typeof doc !== 'object' || doc === null || doc.version !== CONTEXT_VERSION || !isObject(doc.env) || !isObject(doc.meta) || !isObject(doc.config)) {
    throw invalid(file, `not a context record of version ${CONTEXT_VERSION} (env, meta and config objects)`);
  }
  return doc as ContextDoc;
}

function invalid(file: string, why: string): AgentError {
  return new AgentError('E_REPORT_INVALID', `${file} is ${why}`, {
    where: file,
    fix: 'the agent replaces it whole at the end of each run: run the agent again to rewrite it, or remove it',
  });
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
