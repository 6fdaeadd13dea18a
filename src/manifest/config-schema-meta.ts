// Checks a config schema against its dialect's meta-schema with validators compiled at build time (build/gen-meta-validators.mjs).

import type { ErrorObject } from 'ajv';

/**
 * The meta-schema's errors about `schema` (already known to be 2020-12 or draft-07), or undefined when it
 * conforms. The validators load on first use: only `validate` asks, never a boot.
 */
export function metaSchemaErrors(schema: Record<string, unknown>, draft07: boolean): ErrorObject[] | undefined {
  const meta = require('./generated/meta-validators.cjs') as typeof import('./generated/meta-validators.cjs');
  const validate = draft07 ? meta.validateDraft07Schema : meta.validate2020Schema;
  return validate(schema) ? undefined : [...(validate.errors ?? [])];
}
