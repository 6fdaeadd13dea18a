// The JSON Schemas that both programs print with `specs`, by name.

import manifestSchema from './manifest.schema.json';
import userDataSchema from './user-data.schema.json';

const SCHEMAS: Record<string, unknown> = { manifest: manifestSchema, 'user-data': userDataSchema };

export const SCHEMA_NAMES: readonly string[] = Object.keys(SCHEMAS);

/** The schema as `specs` prints it, or undefined for a name that is not one of SCHEMA_NAMES. */
export function schemaJson(name: string): string | undefined {
  const schema = SCHEMAS[name];
  return schema === undefined ? undefined : JSON.stringify(schema, null, 2);
}
