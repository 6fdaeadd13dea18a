// Finds keywords in the config schema that JSON Schema does not know: ajv ignores them, so a misspelled `writeonly` silently turns secret scrubbing off.

import type { Problem } from '../errors';
import { subschemaEntries } from './schema-keywords';

/** Every keyword of JSON Schema 2020-12 and draft-07 (the dialects the agent reads), annotations included. */
const KNOWN_KEYWORDS: ReadonlySet<string> = new Set([
  // core
  '$schema', '$id', '$anchor', '$dynamicAnchor', '$dynamicRef', '$recursiveAnchor', '$recursiveRef', '$ref', '$defs', 'definitions',
  '$comment', '$vocabulary',
  // applicators
  'allOf', 'anyOf', 'oneOf', 'not', 'if', 'then', 'else', 'dependentSchemas', 'dependencies', 'prefixItems', 'items', 'additionalItems',
  'contains', 'properties', 'patternProperties', 'additionalProperties', 'propertyNames', 'unevaluatedItems', 'unevaluatedProperties',
  // validation
  'type', 'enum', 'const', 'multipleOf', 'maximum', 'exclusiveMaximum', 'minimum', 'exclusiveMinimum', 'maxLength', 'minLength', 'pattern',
  'maxItems', 'minItems', 'uniqueItems', 'maxContains', 'minContains', 'maxProperties', 'minProperties', 'required', 'dependentRequired',
  // annotations, format, content
  'title', 'description', 'default', 'deprecated', 'readOnly', 'writeOnly', 'examples', 'format', 'contentEncoding', 'contentMediaType',
  'contentSchema',
]);

const BY_LOWER_CASE = new Map([...KNOWN_KEYWORDS].map((k) => [k.toLowerCase(), k]));

/** Extensions named as OpenAPI names them ("x-..."), which an author writes on purpose. */
const EXTENSION = /^x-/;

/**
 * One problem per keyword of `schema` (at `base`, a JSON pointer) that is neither a JSON Schema keyword
 * nor an "x-" extension, with the keyword it was probably meant to be. Walks only where subschemas
 * stand, so the values of enum, const, default and examples are never read as schemas.
 */
export function unknownSchemaKeywords(schema: unknown, base = '/config/schema'): Problem[] {
  const problems: Problem[] = [];
  const walk = (node: unknown, at: string): void => {
    if (node === null || typeof node !== 'object' || Array.isArray(node)) return;
    for (const key of Object.keys(node)) {
      if (KNOWN_KEYWORDS.has(key) || EXTENSION.test(key)) continue;
      const meant = BY_LOWER_CASE.get(key.toLowerCase());
      const hint = meant ? `did you mean "${meant}"? ` : '';
      problems.push({
        path: `${at}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`,
        message: `unknown keyword "${key}": JSON Schema ignores it, so it has no effect (${hint}name an extension "x-${key}" to keep it)`,
      });
    }
    for (const [rel, child] of subschemaEntries(node as Record<string, unknown>)) walk(child, at + rel);
  };
  walk(schema, base);
  return problems;
}
