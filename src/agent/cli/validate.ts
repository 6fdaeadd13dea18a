// `cloudlet-agent validate`: every problem of a manifest (and of user data against it) at once, by JSON path.

import { AgentError, EXIT, type Problem } from '../../errors';
import { compileConfigSchema } from '../../manifest/config-schema';
import { configSchemaOf, userDataProblems, validateUserData } from '../../manifest/config';
import { checkManifestBytes, readManifestBytes } from '../../manifest/load';
import type { NormalizedManifest } from '../../manifest/types';
import { readUserDataFile } from '../datasources/local-files';
import { decodeUserData } from '../datasources/user-data-bytes';
import { boolFlag, printJson, stringFlag, type Command } from './command';
import type { System } from '../../system/system';

type Source = 'manifest' | 'user-data';

interface SourcedProblem extends Problem {
  source: Source;
}

/** The platform name validateUserData reports for user data given on the command line. */
const ARG_PLATFORM = 'arg';

export const validateCommand: Command = {
  name: 'validate',
  usage: '[--root DIR | --manifest FILE] [--user-data FILE] [--json]',
  details: [
    '--root DIR         the image root whose /.cloudlet/manifest is checked (default /)',
    '--manifest FILE    check this manifest file instead',
    '--user-data FILE   also check this user data (JSON, at most 1 MiB) against the manifest\'s config schema',
    '--json             {valid, problems: [{path, message, source}], manifest: {name, version}}',
    'Exit status: 0 valid, 2 invalid. Secret (writeOnly) values are never printed.',
  ],
  examples: [
    'cloudlet-agent validate --root ./image',
    'cloudlet-agent validate --manifest manifest.json --user-data ud.json --json',
  ],
  flags: { root: { type: 'string' }, manifest: { type: 'string' }, 'user-data': { type: 'string' }, json: { type: 'boolean' } },
  async run(args, system) {
    const root = stringFlag(args, 'root');
    const file = stringFlag(args, 'manifest');
    if (root !== undefined && file !== undefined) {
      throw new AgentError('E_USAGE', 'validate: give --root or --manifest, not both', { fix: 'see "cloudlet-agent validate --help"' });
    }
    const { bytes, where } = await readManifestBytes({ root: root ?? '/', ...(file !== undefined ? { file } : {}) });
    const check = checkManifestBytes(bytes, where);
    const problems: SourcedProblem[] = check.problems.map((p) => ({ ...p, source: 'manifest' }));
    if (check.manifest) problems.push(...configSchemaProblems(check.manifest));

    const userDataFile = stringFlag(args, 'user-data');
    if (userDataFile !== undefined) {
      const manifestUsable = problems.length === 0 ? check.manifest : undefined;
      const found = await userDataFileProblems(userDataFile, manifestUsable);
      problems.push(...found.map((p): SourcedProblem => ({ ...p, source: 'user-data' })));
    }

    const valid = problems.length === 0;
    if (boolFlag(args, 'json')) {
      const m = check.manifest ?? nameOf(check.data);
      printJson(system, { valid, problems, manifest: m ? { name: m.name, ...(m.version !== undefined ? { version: m.version } : {}) } : null });
    } else {
      report(system, where, userDataFile, check.manifest, problems);
    }
    return valid ? EXIT.ok : EXIT.usage;
  },
};

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

function report(system: System, where: string, userDataFile: string | undefined, manifest: NormalizedManifest | undefined, problems: SourcedProblem[]): void {
  const section = (title: string, source: Source, okLine: string) => {
    const mine = problems.filter((p) => p.source === source);
    if (mine.length === 0) return [`${title}: ${okLine}`];
    return [`${title}: ${mine.length} problem${mine.length === 1 ? '' : 's'}`, ...mine.map((p) => `  ${p.path || '/'}: ${p.message}`)];
  };
  const label = manifest ? `valid (${manifest.name}${manifest.version ? ` ${manifest.version}` : ''})` : 'valid';
  const lines = section(`manifest ${where}`, 'manifest', label);
  if (userDataFile !== undefined) {
    const skipped = !manifest || problems.some((p) => p.source === 'manifest');
    lines.push(...section(`user data ${userDataFile}`, 'user-data', 'valid'));
    if (skipped) lines.push('  (config not checked against the config schema: the manifest has problems)');
  }
  system.out(lines.join('\n'));
}
