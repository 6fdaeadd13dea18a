// The validate report of both programs: every problem of a manifest, and of user data against it, by JSON path.

import { AgentError, type Problem } from '../errors';
import { compileConfigSchema } from './config-schema';
import { configSchemaOf, userDataProblems, validateUserData } from './config';
import { checkManifestBytes, readManifestBytes, type ManifestSource } from './load';
import type { NormalizedManifest } from './types';
import { decodeUserData } from './user-data-bytes';
import { readUserDataFile } from './user-data-file';

export type ProblemSource = 'manifest' | 'user-data';

export interface SourcedProblem extends Problem {
  source: ProblemSource;
}

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
}

/** The platform name validateUserData reports for user data given on the command line. */
const ARG_PLATFORM = 'arg';

/** Checks the manifest of `source` and, when given, a user-data file against it; throws only when a file cannot be read. */
export async function validationReport(source: ManifestSource, userDataFile?: string): Promise<ValidationReport> {
  const { bytes, where } = await readManifestBytes(source);
  const check = checkManifestBytes(bytes, where);
  const problems: SourcedProblem[] = check.problems.map((p) => ({ ...p, source: 'manifest' }));
  if (check.manifest) problems.push(...configSchemaProblems(check.manifest));

  if (userDataFile !== undefined) {
    const manifestUsable = problems.length === 0 ? check.manifest : undefined;
    const found = await userDataFileProblems(userDataFile, manifestUsable);
    problems.push(...found.map((p): SourcedProblem => ({ ...p, source: 'user-data' })));
  }
  const label = check.manifest ?? nameOf(check.data);
  return {
    valid: problems.length === 0,
    problems,
    where,
    manifest: check.manifest,
    label: label ? { name: label.name, ...(label.version !== undefined ? { version: label.version } : {}) } : undefined,
    userDataFile,
  };
}

/** What `validate --json` prints: {valid, problems: [{path, message, source}], manifest: {name, version} | null}. */
export function reportJson(report: ValidationReport): Record<string, unknown> {
  return { valid: report.valid, problems: report.problems, manifest: report.label ?? null };
}

/** What `validate` prints: one section per file, each problem on its own line. */
export function reportText(report: ValidationReport): string {
  const { problems, manifest, userDataFile } = report;
  const section = (title: string, source: ProblemSource, okLine: string) => {
    const mine = problems.filter((p) => p.source === source);
    if (mine.length === 0) return [`${title}: ${okLine}`];
    return [`${title}: ${mine.length} problem${mine.length === 1 ? '' : 's'}`, ...mine.map((p) => `  ${p.path || '/'}: ${p.message}`)];
  };
  const label = manifest ? `valid (${manifest.name}${manifest.version ? ` ${manifest.version}` : ''})` : 'valid';
  const lines = section(`manifest ${report.where}`, 'manifest', label);
  if (userDataFile !== undefined) {
    const skipped = !manifest || problems.some((p) => p.source === 'manifest');
    lines.push(...section(`user data ${userDataFile}`, 'user-data', 'valid'));
    if (skipped) lines.push('  (config not checked against the config schema: the manifest has problems)');
  }
  return lines.join('\n');
}

function configSchemaProblems(manifest: NormalizedManifest): SourcedProblem[] {
  try {
    compileConfigSchema(configSchemaOf(manifest), { metaSchema: true });
    return [];
  } catch (err) {
    if (!(err instanceof AgentError)) throw err;
    return err.problems.map((p) => ({ ...p, source: 'manifest' }));
  }
}

/** Problems of a user-data file; against the config schema only when the manifest itself is valid. */
async function userDataFileProblems(file: string, manifest: NormalizedManifest | undefined): Promise<Problem[]> {
  const bytes = await readUserDataFile(file);
  let data: unknown;
  try {
    data = decodeUserData(bytes, ARG_PLATFORM) ?? {};
  } catch (err) {
    if (err instanceof AgentError && err.code.startsWith('E_USERDATA')) return [{ path: '', message: err.message }];
    throw err;
  }
  const problems = userDataProblems(data);
  const config = (data as Record<string, unknown>).config;
  // The config is checked even when another part of the user data is wrong: every problem at once.
  if (!manifest || config === null || typeof config !== 'object' || Array.isArray(config)) return problems;
  try {
    validateUserData({ config }, manifest, ARG_PLATFORM);
  } catch (err) {
    if (!(err instanceof AgentError && err.code === 'E_CONFIG_INVALID')) throw err;
    problems.push(...err.problems);
  }
  return problems;
}

function nameOf(data: unknown): { name: string; version?: string } | undefined {
  if (data === null || typeof data !== 'object') return undefined;
  const { name, version } = data as Record<string, unknown>;
  if (typeof name !== 'string') return undefined;
  return typeof version === 'string' ? { name, version } : { name };
}
