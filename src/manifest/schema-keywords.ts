// Where subschemas stand in a JSON Schema (2020-12 and draft-07): the keywords that hold one, a list, or a map of them.

export const SCHEMA_KEYWORDS: ReadonlySet<string> = new Set([
  'additionalItems', 'additionalProperties', 'contains', 'contentSchema', 'else', 'if', 'items', 'not',
  'propertyNames', 'then', 'unevaluatedItems', 'unevaluatedProperties',
]);
export const SCHEMA_LIST_KEYWORDS: ReadonlySet<string> = new Set(['allOf', 'anyOf', 'items', 'oneOf', 'prefixItems']);
export const SCHEMA_MAP_KEYWORDS: ReadonlySet<string> = new Set(['$defs', 'definitions', 'dependencies', 'dependentSchemas', 'patternProperties', 'properties']);

/** The subschemas directly inside `node`, each with its pointer below the node (already escaped). */
export function subschemaEntries(node: Record<string, unknown>): Array<[string, unknown]> {
  const out: Array<[string, unknown]> = [];
  for (const [key, value] of Object.entries(node)) {
    const at = `/${escape(key)}`;
    if (Array.isArray(value)) {
      if (SCHEMA_LIST_KEYWORDS.has(key)) value.forEach((v, i) => out.push([`${at}/${i}`, v]));
    } else if (SCHEMA_KEYWORDS.has(key)) {
      out.push([at, value]);
    } else if (SCHEMA_MAP_KEYWORDS.has(key) && value !== null && typeof value === 'object') {
      for (const [name, v] of Object.entries(value)) out.push([`${at}/${escape(name)}`, v]);
    }
  }
  return out;
}

function escape(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}
