// A config made of the config schema's `examples`, for validate to render templates with when no user data is given. Pure.

/**
 * The first example of every property that has one, nested objects followed through `properties`;
 * defaults are left to the schema check, which writes them in. Undefined where nothing is given.
 */
export function exampleConfig(schema: unknown): Record<string, unknown> {
  const value = exampleOf(schema);
  return isObject(value) ? value : {};
}

function exampleOf(schema: unknown): unknown {
  if (!isObject(schema)) return undefined;
  if (Array.isArray(schema.examples) && schema.examples.length > 0) return structuredClone(schema.examples[0] as unknown);
  if (!isObject(schema.properties)) return undefined;
  const out: Record<string, unknown> = {};
  for (const [key, sub] of Object.entries(schema.properties)) {
    const v = exampleOf(sub);
    if (v !== undefined) out[key] = v;
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
