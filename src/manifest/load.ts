// Reads the image's manifest, checks it against schema v1 and the semantic rules, and normalizes it.

import { readFile, stat } from 'node:fs/promises';
import { AgentError, type Problem } from '../errors';
import { joinRoot } from '../system/root-path';
import { validateManifest } from './generated/validators.cjs';
import { jsonExcerpt, MAX_JSON_DEPTH, parseJsonText } from './json-text';
import { normalizeManifest } from './normalize';
import { problemsFromAjv } from './problems';
import { semanticProblems } from './semantic';
import type { Manifest, NormalizedManifest } from './types';

/** Where spec 0.0.4 puts the manifest inside the image. */
export const MANIFEST_PATH = '/.cloudlet/manifest';
/** A manifest is a few kilobytes; anything near this is not one. */
export const MAX_MANIFEST_BYTES = 1024 * 1024;

export interface ManifestSource {
  /** host path of the image root; the manifest is its /.cloudlet/manifest */
  root: string;
  /** a manifest file on the host instead (validate --manifest FILE) */
  file?: string;
}

export interface ManifestCheck {
  /** the file, for messages */
  where: string;
  /** every problem: a syntax error (path ""), or the schema's and the semantic checks' */
  problems: Problem[];
  /** set when the text is not JSON, or nests deeper than the JSON reader allows (`tooDeep`) */
  syntaxError?: { line: number; column: number; reason: string; tooDeep: boolean; excerpt: string[] };
  /** the parsed document, when it is JSON */
  data?: unknown;
  /** the normalized manifest, when there is no problem */
  manifest?: NormalizedManifest;
}

const NAME_HINT = { '/name': 'must start with a letter or digit and hold only letters, digits, ".", "_", "+" and "-"' };

const SCHEMA_FIX = 'correct the manifest; "cloudlet-agent specs manifest" prints its schema, docs/manifest.md explains each key';

/** The manifest's bytes and a name for it; E_MANIFEST_MISSING when there is none. */
export async function readManifestBytes(source: ManifestSource): Promise<{ bytes: Buffer; where: string }> {
  const where = source.file ?? `${source.root.replace(/\/$/, '')}${MANIFEST_PATH}`;
  const host = source.file ?? (await joinRoot(source.root, MANIFEST_PATH));
  const missing = (why: string, cause?: unknown) =>
    new AgentError('E_MANIFEST_MISSING', `no manifest: ${where} ${why}`, {
      where,
      fix: source.file
        ? 'pass the path of an existing manifest file to --manifest'
        : `put the image's manifest at ${MANIFEST_PATH} inside the image, or point --root at the image root`,
      cause,
    });
  let size: number;
  try {
    const st = await stat(host);
    if (!st.isFile()) throw missing('is not a regular file');
    size = st.size;
  } catch (err) {
    if (err instanceof AgentError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw missing('does not exist', err);
    throw new AgentError('E_IO', `cannot read ${where}: ${(err as Error).message}`, { where, cause: err });
  }
  if (size > MAX_MANIFEST_BYTES) {
    throw new AgentError('E_MANIFEST_INVALID', `the manifest is ${size} bytes, more than the ${MAX_MANIFEST_BYTES} allowed`, {
      where,
      fix: 'a manifest describes an image in a few kilobytes: check that the right file is at that path',
    });
  }
  return { bytes: await readFile(host), where };
}

/** Parses and checks manifest bytes; reports every problem at once and never throws for bad input. */
export function checkManifestBytes(bytes: Uint8Array, where: string): ManifestCheck {
  const text = Buffer.from(bytes).toString('utf8');
  const parsed = parseJsonText(text);
  if (!parsed.ok) {
    const { line, column, reason, tooDeep } = parsed;
    // A manifest ships in the image for anyone to read: its text may be quoted.
    const excerpt = tooDeep ? [] : jsonExcerpt(text, line, column, { hideValues: false });
    const message = [tooDeep ? `${reason} at line ${line} column ${column}` : `not valid JSON at line ${line} column ${column}: ${reason}`, ...excerpt].join('\n');
    return { where, problems: [{ path: '', message }], syntaxError: { line, column, reason, tooDeep, excerpt } };
  }
  const data = parsed.value;
  const schemaOk = validateManifest(data);
  const problems = [...problemsFromAjv(validateManifest.errors, '', NAME_HINT), ...semanticProblems(data)];
  if (!schemaOk || problems.length > 0) return { where, problems, data };
  return { where, problems, data, manifest: normalizeManifest(data as Manifest, bytes) };
}

/** The checked, normalized manifest of an image (or file); E_MANIFEST_PARSE or E_MANIFEST_INVALID listing every problem. */
export async function loadManifest(source: ManifestSource): Promise<NormalizedManifest> {
  const { bytes, where } = await readManifestBytes(source);
  const check = checkManifestBytes(bytes, where);
  if (check.manifest) return check.manifest;
  throw manifestError(check);
}

/** The one error that sums up a failed check. */
export function manifestError(check: ManifestCheck): AgentError {
  if (check.syntaxError) {
    const { line, column, reason, tooDeep, excerpt } = check.syntaxError;
    if (tooDeep) {
      return new AgentError('E_MANIFEST_PARSE', `the manifest cannot be read: its ${reason} (line ${line} column ${column})`, {
        where: `${check.where}:${line}:${column}`,
        fix: `a manifest needs a few levels of nesting: remove the excess there (at most ${MAX_JSON_DEPTH} levels of arrays and objects)`,
      });
    }
    return new AgentError('E_MANIFEST_PARSE', [`the manifest is not valid JSON: ${reason} at line ${line} column ${column}`, ...excerpt.map((l) => `  ${l}`)].join('\n'), {
      where: `${check.where}:${line}:${column}`,
      fix: 'fix the JSON syntax there (a missing comma or quote, a trailing comma, a comment); "cloudlet-agent validate --manifest FILE" checks it',
    });
  }
  const n = check.problems.length;
  return new AgentError('E_MANIFEST_INVALID', `the manifest has ${n} problem${n === 1 ? '' : 's'}`, {
    where: check.where,
    problems: check.problems,
    fix: SCHEMA_FIX,
  });
}
