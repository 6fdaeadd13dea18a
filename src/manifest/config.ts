// Validates user data: its own schema, then `config` against the manifest's config schema with defaults and secrets.

import { scrub, SECRET_MARK } from '../secrets/scrub';
import { AgentError, type Problem } from '../errors';
import { compileConfigSchema } from './config-schema';
import { validateUserData as validateUserDataSchema } from './generated/validators.cjs';
import { problemsFromAjv } from './problems';
import type { NormalizedManifest, StorageSpec } from './types';
import type { ValidatedUserData } from './user-data';

/** With no config schema any config object is accepted as it is (and nothing in it is known to be secret). */
const ANY_OBJECT: Record<string, unknown> = { type: 'object' };

/** Problems of user data against the agent's user-data schema (not the config schema). */
export function userDataProblems(obj: unknown): Problem[] {
  if (validateUserDataSchema(obj ?? {})) return [];
  return problemsFromAjv(validateUserDataSchema.errors, '', {
    '/hostname': 'is not a host name: letters, digits and inner "-" in dot-separated labels of at most 63 characters',
  });
}

/**
 * User data as the pipeline uses it. `obj` is the parsed user data (undefined when there is none:
 * the config is then the schema's defaults). Throws E_USERDATA_INVALID (naming `platform`) or
 * E_CONFIG_INVALID, listing every problem by JSON path; no message ever holds a value of the user data.
 */
export function validateUserData(obj: unknown, manifest: NormalizedManifest, platform: string): ValidatedUserData {
  const data = obj ?? {};
  const problems = userDataProblems(data);
  if (problems.length > 0) {
    throw new AgentError('E_USERDATA_INVALID', `the user data from platform "${platform}" does not match the user-data schema`, {
      where: `platform ${platform}`,
      problems,
      fix: 'correct the user data given to this machine; "cloudlet-agent specs user-data" prints its schema (config, hostname, storage)',
    });
  }
  const input = data as { config?: Record<string, unknown>; hostname?: string; storage?: Partial<StorageSpec> };
  const schema = configSchemaOf(manifest);
  const config = structuredClone(input.config ?? {});
  const result = compileConfigSchema(schema).check(config);
  if (!result.valid) {
    const configProblems = problemsFromAjv(result.errors, '/config').map((p) => ({ path: p.path, message: scrub(p.message, result.secretValues) }));
    const n = configProblems.length;
    throw new AgentError('E_CONFIG_INVALID', `the config in the user data from platform "${platform}" has ${n} problem${n === 1 ? '' : 's'}`, {
      where: `platform ${platform}`,
      problems: configProblems,
      fix: `give a config that matches the config schema of image ${manifest.name}; "cloudlet-agent validate --user-data FILE" checks it before deploying`,
    });
  }
  return {
    config,
    ...(input.hostname !== undefined ? { hostname: input.hostname } : {}),
    ...(input.storage !== undefined ? { storage: { ...input.storage } } : {}),
    secrets: result.secretValues,
  };
}

/** A copy of `config` with every writeOnly value replaced by "<secret>", for outputs a person or a log may read. */
export function redactConfig(config: Record<string, unknown>, schema: Record<string, unknown> | undefined): Record<string, unknown> {
  const copy = structuredClone(config);
  const { secretPaths } = compileConfigSchema(schema ?? ANY_OBJECT).check(structuredClone(config));
  // A writeOnly config as a whole: every value in it is secret.
  if (secretPaths.includes('')) return Object.fromEntries(Object.keys(copy).map((k) => [k, SECRET_MARK]));
  // Shallow first: once a parent is replaced, its children are gone with it.
  for (const path of [...secretPaths].sort((a, b) => a.length - b.length)) setAt(copy, path, SECRET_MARK);
  return copy;
}

/** The config schema of a manifest (an open object schema when it declares none). */
export function configSchemaOf(manifest: Pick<NormalizedManifest, 'config'>): Record<string, unknown> {
  return manifest.config?.schema ?? ANY_OBJECT;
}

function setAt(root: Record<string, unknown>, pointer: string, value: unknown): void {
  const keys = pointer.split('/').slice(1).map((k) => k.replace(/~1/g, '/').replace(/~0/g, '~'));
  let node: unknown = root;
  for (const key of keys.slice(0, -1)) {
    if (node === null || typeof node !== 'object') return;
    node = (node as Record<string, unknown>)[key];
  }
  const last = keys[keys.length - 1];
  if (last !== undefined && node !== null && typeof node === 'object') (node as Record<string, unknown>)[last] = value;
}
