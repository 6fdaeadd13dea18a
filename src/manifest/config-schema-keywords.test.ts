import { describe, expect, it } from 'vitest';
import { unknownSchemaKeywords } from './config-schema-keywords';

describe('unknownSchemaKeywords', () => {
  it('finds a misspelled writeOnly (which would leave a secret unscrubbed) and names the keyword meant', () => {
    const schema = { type: 'object', properties: { db_password: { type: 'string', writeonly: true } } };
    expect(unknownSchemaKeywords(schema)).toEqual([
      { path: '/config/schema/properties/db_password/writeonly', message: expect.stringContaining('unknown keyword "writeonly": JSON Schema ignores it, so it has no effect (did you mean "writeOnly"?') },
    ]);
  });

  it('looks wherever subschemas stand, and only there: never into enum, const, default or examples values', () => {
    const schema = {
      $defs: { port: { type: 'integer', maximun: 65535 } },
      type: 'object',
      properties: {
        list: { type: 'array', items: { type: 'string', minlen: 1 }, default: [{ anything: 1 }] },
        mode: { enum: [{ colour: 'red' }], const: { size: 1 }, examples: [{ whatever: true }] },
      },
      anyOf: [{ required: ['list'], requried: ['mode'] }],
    };
    expect(unknownSchemaKeywords(schema).map((p) => p.path)).toEqual([
      '/config/schema/$defs/port/maximun',
      '/config/schema/properties/list/items/minlen',
      '/config/schema/anyOf/0/requried',
    ]);
  });

  it('accepts every keyword of 2020-12 and draft-07, annotations included, and x- extensions', () => {
    const schema = {
      $schema: 'https://json-schema.org/draft/2020-12/schema', $id: 'urn:x', $comment: 'c', title: 't', description: 'd', deprecated: false,
      type: 'object', required: ['a'], minProperties: 1, dependentRequired: { a: ['b'] }, 'x-ui-order': ['a'],
      properties: { a: { type: 'string', format: 'email', readOnly: true, contentMediaType: 'text/plain', pattern: '^a', examples: ['a'] } },
      definitions: { b: { type: 'array', additionalItems: false, uniqueItems: true, contains: { const: 1 }, minContains: 1 } },
      if: { properties: { a: { const: 'x' } } }, then: { not: { required: ['c'] } }, else: {},
    };
    expect(unknownSchemaKeywords(schema)).toEqual([]);
  });

  it('finds nothing where there is no schema', () => {
    expect(unknownSchemaKeywords(undefined)).toEqual([]);
  });
});
