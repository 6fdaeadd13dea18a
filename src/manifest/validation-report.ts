// The validate report of both programs: every problem of a manifest, of user data against it, and of the image tree, by JSON path.

import { AgentError, type Problem } from '../errors';
import { compileConfigSchema } from './config-schema';
import { unknownSchemaKeywords } from './config-schema-keywords';
import { configSchemaOf, userDataProblems, validateUserData } from './config';
import { checkManifestBytes, readManifestBytes, type ManifestSource } from './load';
import type { NormalizedManifest } from './types';
import { decodeUserData } from './user-data-bytes';
import { readUserDataFile } from './user-data-file';
import type { ValidatedUserData } from './user-data';

export type ProblemSource = 'manifest' | 'user-data' | 'image';

export interface SourcedProblem extends Problem {
  source: ProblemSource;
  /** how to fix it, where the message does not say */
  fix?: string;
}

/** The user data validate was given: valid (data), or with problems of its own (reported as such). */
export interface GivenUserData {
  file: string;
  data: ValidatedUserData | undefined;
}

/** Looks at the image tree of a valid manifest as the boot would; given by the program (the agent's own steps). */
export type ImageChecker = (input: { root: string; manifest: NormalizedManifest; userData: GivenUserData | undefined }) => Promise<{
  problems: Array<Problem & { fix?: string }>;
  /** what the templates were checked with, in words */
  templates: string;
}>;

export interface ValidationReport {
  valid: boolean;
  problems: SourcedProblem[];
  /** the manifest file, as the report names it */
  where: string;
  /** the checked manifest, when it has no problem of its own */
  manifest: NormalizedManifest | undefined;
  /** name and version, read even from a manifest with problems when they are there */
  label: { name: string; version?: string } | undefined;
  userDataFile: string | undefined;
  /** the image tree checked (with --root), and what its templates were checked with */
  image: { root: string; templates: string } | undefined;
}

/** The platform name validateUserData reports for user data given on the command line. */
const ARG_PLATFORM = 'arg';

/**
 * Checks the manifest of `source`, when given a user-data file against it, and with `checkImage` the image
 * tree of a manifest read from an image root (not a --manifest file) once the manifest itself is valid.
 * Throws only when a file cannot be read.
 */
export async function validationReport(source: ManifestSource, userDataFile?: string, checkImage?: ImageChecker): Promise<ValidationReport> {
  const { bytes, where } = await readManifestBytes(source);
  const check = checkManifestBytes(bytes, where);
  const problems: SourcedProblem[] = check.problems.map((p) => ({ ...p, source: 'manifest' }));
  const schema = check.manifest ? configSchemaProblems(check.manifest) : { compile: [], keywords: [] };
  problems.push(...schema.compile, ...schema.keywords);
  // Keywords JSON Schema ignores are ignored at boot too: the boot would still take user data and render.
  const manifestUsable = check.problems.length === 0 && schema.compile.length === 0 ? check.manifest : undefined;

  let given: GivenUserData | undefined;
  if (userDataFile !== undefined) {
    const found = await userDataFileProblems(userDataFile, manifestUsable);
    problems.push(...found.problems.map((p): SourcedProblem => ({ ...p, source: 'user-data' })));
    given = { file: userDataFile, data: found.problems.length === 0 ? found.data : undefined };
  }
  let image: ValidationReport['image'];
  if (checkImage && manifestUsable && source.file === undefined) {
    const found = await checkImage({ root: source.root, manifest: manifestUsable, userData: given });
    problems.push(...found.problems.map((p): SourcedProblem => ({ ...p, source: 'image' })));
    image = { root: source.root, templates: found.templates };
  }
  const label = check.manifest ?? nameOf(check.data);
  return {
    valid: problems.length === 0,
    problems,
    where,
    manifest: check.manifest,
    label: label ? { name: label.name, ...(label.version !== undefined ? { version: label.version } : {}) } : undefined,
    userDataFile,
    image,
  };
}

/** What `validate --json` prints: {valid, problems: [{path, message, source, fix?}], manifest: {name, version} | null, image: {root, templates} | null}. */
export function reportJson(report: ValidationReport): Record<string, unknown> {
  return { valid: report.valid, problems: report.problems, manifest: report.label ?? null, image: report.image ?? null };
}

/** What `validate` prints: one section per file, each problem on its own line. */
export function reportText(report: ValidationReport): string {
  const { problems, manifest, userDataFile } = report;
  const section = (title: string, source: ProblemSource, okLine: string) => {
    const mine = problems.filter((p) => p.source === source);
    if (mine.length === 0) return [`${title}: ${okLine}`];
    return [`${title}: ${mine.length} problem${mine.length === 1 ? '' : 's'}`, ...mine.flatMap(problemLines)];
  };
  const label = manifest ? `valid (${manifest.name}${manifest.version ? ` ${manifest.version}` : ''})` : 'valid';
  const lines = section(`manifest ${report.where}`, 'manifest', label);
  if (userDataFile !== undefined) {
    const skipped = !manifest || problems.some((p) => p.source === 'manifest');
    lines.push(...section(`user data ${userDataFile}`, 'user-data', 'valid'));
    if (skipped) lines.push('  (config not checked against the config schema: the manifest has problems)');
  }
  if (report.image) {
    lines.push(...section(`image ${report.image.root}`, 'image', 'valid'));
    lines.push(`  (${report.image.templates})`);
  }
  return lines.join('\n');
}

/** A problem as report lines: path and message, the message's further lines and the fix indented below. */
function problemLines(p: SourcedProblem): string[] {
  const [first = '', ...rest] = p.message.split('\n');
  return [`  ${p.path || '/'}: ${first}`, ...rest.map((l) => `    ${l.trimStart()}`), ...(p.fix ? [`    fix: ${p.fix}`] : [])];
}

/** Why the config schema does not compile, else the keywords in it that JSON Schema ignores. */
function configSchemaProblems(manifest: NormalizedManifest): { compile: SourcedProblem[]; keywords: SourcedProblem[] } {
  try {
    compileConfigSchema(configSchemaOf(manifest), { metaSchema: true });
  } catch (err) {
    if (!(err instanceof AgentError)) throw err;
    return { compile: err.problems.map((p) => ({ ...p, source: 'manifest' })), keywords: [] };
  }
  // Only once the schema compiled: it is then within the limits that bound this walk too.
  return { compile: [], keywords: unknownSchemaKeywords(manifest.config?.schema).map((p) => ({ ...p, source: 'manifest' })) };
}

/** Problems of a user-data file, and the user data as the boot would use it when it has none; against the config schema only when the manifest itself is valid. */
async function userDataFileProblems(file: string, manifest: NormalizedManifest | undefined): Promise<{ problems: Problem[]; data?: ValidatedUserData }> {
  const bytes = await readUserDataFile(file);
  let data: unknown;
  try {
    data = decodeUserData(bytes, ARG_PLATFORM) ?? {};
  } catch (err) {
    if (err instanceof AgentError && err.code.startsWith('E_USERDATA')) return { problems: [{ path: '', message: err.message }] };
    throw err;
  }
  const problems = userDataProblems(data);
  const config = (data as Record<string, unknown>).config ?? {};
  // The config is checked even when another part of the user data is wrong: every problem at once.
  if (!manifest || config === null || typeof config !== 'object' || Array.isArray(config)) return { problems };
  try {
    // The whole user data once it has no problem of its own: validate renders with it, storage and hostname included.
    const validated = validateUserData(problems.length === 0 ? data : { config }, manifest, ARG_PLATFORM);
    return problems.length === 0 ? { problems, data: validated } : { problems };
  } catch (err) {
    if (!(err instanceof AgentError && err.code === 'E_CONFIG_INVALID')) throw err;
    problems.push(...err.problems);
    return { problems };
  }
}

function nameOf(data: unknown): { name: string; version?: string } | undefined {
  if (data === null || typeof data !== 'object') return undefined;
  const { name, version } = data as Record<string, unknown>;
  if (typeof name !== 'string') return undefined;
  return typeof version === 'string' ? { name, version } : { name };
}
