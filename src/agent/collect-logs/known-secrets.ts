// The secret values `collect-logs` can know after the boot: writeOnly defaults of the manifest and writeOnly values of given user data.

import { compileConfigSchema } from '../../manifest/config-schema';
import { configSchemaOf } from '../../manifest/config';
import type { NormalizedManifest } from '../../manifest/types';

/**
 * Every string a writeOnly schema covers, in the schema's defaults and in each user-data object's config.
 * User data that does not validate still gives what its writeOnly fields hold: a secret is one whether or
 * not the rest of the config is right.
 */
export function knownSecrets(manifest: NormalizedManifest, userData: readonly Record<string, unknown>[]): string[] {
  const schema = compileConfigSchema(configSchemaOf(manifest));
  const configs = [{}, ...userData.map((u) => (isObject(u.config) ? u.config : {}))];
  return [...new Set(configs.flatMap((c) => schema.check(structuredClone(c)).secretValues))];
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
