// Proves `validate`'s meta-schema check of config.schema uses the build-time validators and says what ajv's run-time check says.

import Ajv2020 from 'ajv/dist/2020';
import AjvDraft07 from 'ajv';
import AjvCore from 'ajv/dist/core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { agentErrorOf } from '../test-support';
import { compileConfigSchema } from './config-schema';

const DRAFT_07 = 'http://json-schema.org/draft-07/schema#';

const INVALID: Array<[string, Record<string, unknown>]> = [
  ['a misspelled type', { type: 'object', properties: { port: { type: 'integr' } } }],
  ['a negative minLength and a non-array required', { type: 'object', required: 'name', properties: { name: { type: 'string', minLength: -1 } } }],
  ['a bad nested schema under $defs', { $defs: { x: { type: 'object', additionalProperties: 3 } }, $ref: '#/$defs/x' }],
  ['a draft-07 schema with items of the wrong type', { $schema: DRAFT_07, type: 'array', items: 'string', maxItems: 'many' }],
  ['a draft-07 schema with a bad enum', { $schema: DRAFT_07, properties: { mode: { enum: 'fast' } } }],
];

/** What ajv's own run-time check said of a schema: the behaviour the build-time validators replace. */
function ajvRuntimeMessage(schema: Record<string, unknown>): string | undefined {
  const options = { allErrors: true, verbose: true, strict: false, validateFormats: false, logger: false as const };
  const ajv = schema.$schema === DRAFT_07 ? new AjvDraft07(options) : new Ajv2020(options);
  return ajv.validateSchema(schema) ? undefined : `schema is invalid: ${ajv.errorsText(ajv.errors)}`;
}

afterEach(() => vi.restoreAllMocks());

describe('config schema meta-schema check', () => {
  it.each(INVALID)('reports %s exactly as ajv checks it at run time', (_what, schema) => {
    const expected = ajvRuntimeMessage(structuredClone(schema));
    expect(expected).toBeDefined();
    const err = agentErrorOf(() => compileConfigSchema(structuredClone(schema), { metaSchema: true }));
    expect(err.code).toBe('E_MANIFEST_INVALID');
    expect(err.problems).toEqual([{ path: '/config/schema', message: expected }]);
  });

  it.each([
    ['2020-12', { type: 'object', properties: { port: { type: 'integer', minimum: 1 }, tags: { type: 'array', items: { type: 'string' } } } }],
    ['draft-07', { $schema: DRAFT_07, type: 'object', definitions: { s: { type: 'string' } }, properties: { a: { $ref: '#/definitions/s' } } }],
  ])('accepts a conforming %s schema', (_dialect, schema) => {
    expect(ajvRuntimeMessage(structuredClone(schema))).toBeUndefined();
    expect(compileConfigSchema(schema, { metaSchema: true }).check({}).valid).toBe(true);
  });

  it('compiles no meta-schema at run time, in either dialect', () => {
    const runtimeCheck = vi.spyOn(AjvCore.prototype, 'validateSchema');
    const compiles = vi.spyOn(AjvCore.prototype, 'compile');
    agentErrorOf(() => compileConfigSchema({ type: 'object', properties: { a: { type: 'strng' } } }, { metaSchema: true }));
    compileConfigSchema({ type: 'object', properties: { a: { type: 'string' } } }, { metaSchema: true });
    compileConfigSchema({ $schema: DRAFT_07, properties: { a: { type: 'string' } } }, { metaSchema: true });
    expect(runtimeCheck).not.toHaveBeenCalled();
    // One compile per valid config schema, none for a meta-schema.
    expect(compiles).toHaveBeenCalledTimes(2);
  });
});
