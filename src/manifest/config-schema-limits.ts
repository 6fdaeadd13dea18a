// How large and deep a config schema may be before it is compiled: compile time grows with all three.

import type { Problem } from '../errors';
import { escapePointer } from './problems';

/** Arrays and objects nested inside config.schema (the schema object itself is level 1). */
export const MAX_SCHEMA_DEPTH = 32;
/** Values of every kind in config.schema: objects, arrays, keys' values, items. */
export const MAX_SCHEMA_VALUES = 10_000;
/** `$ref`, `$dynamicRef` and `$recursiveRef` keywords: ajv compiles each target by recursion. */
export const MAX_SCHEMA_REFS = 200;

const REF_KEYWORDS = new Set(['$ref', '$dynamicRef', '$recursiveRef']);

/** Where the limits are explained, for every fix line that mentions them. */
export const LIMITS_DOC = 'docs/user-data.md, "Limits"';

/**
 * Every limit the schema passes, as problems under `/config/schema` (none when it is within all of
 * them). The walk stops at the first level too deep and after the first value too many, so it costs
 * no more than a schema within the limits.
 */
export function configSchemaLimitProblems(schema: unknown): Problem[] {
  const problems: Problem[] = [];
  let values = 0;
  let refs = 0;
  let tooDeep: string | undefined;
  const walk = (node: unknown, pointer: string, depth: number): void => {
    values++;
    if (node === null || typeof node !== 'object' || values > MAX_SCHEMA_VALUES || tooDeep !== undefined) return;
    if (depth > MAX_SCHEMA_DEPTH) {
      tooDeep = pointer;
      return;
    }
    for (const [key, child] of Object.entries(node)) {
      if (REF_KEYWORDS.has(key) && typeof child === 'string') refs++;
      walk(child, `${pointer}/${escapePointer(key)}`, depth + 1);
    }
  };
  walk(schema, '/config/schema', 1);
  if (tooDeep !== undefined) problems.push({ path: tooDeep, message: `is nested more than ${MAX_SCHEMA_DEPTH} levels deep inside config.schema` });
  if (values > MAX_SCHEMA_VALUES) problems.push({ path: '/config/schema', message: `has more than ${MAX_SCHEMA_VALUES} values (keywords, subschemas, list items)` });
  if (refs > MAX_SCHEMA_REFS) problems.push({ path: '/config/schema', message: `has more than ${MAX_SCHEMA_REFS} $ref keywords` });
  return problems;
}
