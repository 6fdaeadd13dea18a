// Proves the config schema is bounded before and while ajv works on it: size, depth, $refs, recursion and the steps of a check.

import { describe, expect, it } from 'vitest';
import { validateUserData } from './config';
import { compileConfigSchema } from './config-schema';
import { MAX_CHECK_STEPS } from './config-schema-cost';
import { MAX_SCHEMA_DEPTH, MAX_SCHEMA_REFS, MAX_SCHEMA_VALUES } from './config-schema-limits';
import { checkManifestBytes } from './load';
import { exampleManifest } from './test-fixtures';
import type { NormalizedManifest } from './types';
import { agentErrorOf as thrown } from '../test-support';

const nestedArrays = (n: number): unknown[] => {
  let v: unknown[] = [];
  for (let i = 1; i < n; i++) v = [v];
  return v;
};

/** The schema of the reproduction: arrays nested n deep in a definition that a property $refs. */
const arraysUnderRef = (x: unknown) => ({ definitions: { pw: { x } }, properties: { list: { items: { $ref: '#/definitions/pw' } } } });

function manifestWith(schema: Record<string, unknown>): NormalizedManifest {
  const m = { ...exampleManifest(), config: { schema } };
  const { manifest, problems } = checkManifestBytes(Buffer.from(JSON.stringify(m)), 'test');
  if (!manifest) throw new Error(`fixture manifest invalid: ${JSON.stringify(problems)}`);
  return manifest;
}

describe('config schema limits, before ajv compiles', () => {
  it('refuses the 252-byte reproduction (arrays 36 deep under a $ref) at the first level too deep', () => {
    const e = thrown(() => compileConfigSchema(arraysUnderRef(nestedArrays(36)), { metaSchema: true }));
    expect(e.code).toBe('E_MANIFEST_INVALID');
    // schema, definitions, pw and x's arrays: the 29th array is level 32.
    const at = `/config/schema/definitions/pw/x${'/0'.repeat(MAX_SCHEMA_DEPTH - 3)}`;
    expect(e.problems).toEqual([{ path: at, message: `is nested more than ${MAX_SCHEMA_DEPTH} levels deep inside config.schema` }]);
    expect(e.fix).toMatch(/docs\/user-data.md/);
  });

  it('refuses more values than allowed, and more $refs', () => {
    const wide = { type: 'object', properties: Object.fromEntries(Array.from({ length: MAX_SCHEMA_VALUES / 2 }, (_, i) => [`p${i}`, { type: 'string' }])) };
    expect(thrown(() => compileConfigSchema(wide)).problems).toEqual([{ path: '/config/schema', message: expect.stringContaining(`more than ${MAX_SCHEMA_VALUES} values`) }]);
    const refs = { $defs: { s: { type: 'string' } }, properties: Object.fromEntries(Array.from({ length: MAX_SCHEMA_REFS + 1 }, (_, i) => [`p${i}`, { $ref: '#/$defs/s' }])) };
    expect(thrown(() => compileConfigSchema(refs)).problems).toEqual([{ path: '/config/schema', message: `has more than ${MAX_SCHEMA_REFS} $ref keywords` }]);
  });

  it('compiles an ordinary large schema: hundreds of properties, nested objects and a few dozen $refs', () => {
    const props: Record<string, unknown> = Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`p${i}`, { type: 'string', default: `v${i}` }]));
    for (let i = 0; i < 40; i++) props[`r${i}`] = { $ref: '#/$defs/server' };
    let nested: Record<string, unknown> = { type: 'integer', default: 1 };
    for (let i = 0; i < 12; i++) nested = { type: 'object', default: {}, properties: { inner: nested } };
    props.deep = nested;
    const schema = { type: 'object', properties: props, $defs: { server: { type: 'object', properties: { host: { type: 'string' }, port: { type: 'integer' } } } } };
    const r = compileConfigSchema(schema, { metaSchema: true }).check({ r0: { host: 'h', port: 1 } });
    expect(r.valid).toBe(true);
  });
});

describe('what ajv does with a schema within the limits', () => {
  it('reads each part of a $ref\'d definition a bounded number of times (ajv searched nested arrays exponentially)', () => {
    let reads = 0;
    const counted = (v: unknown): unknown => (Array.isArray(v) ? new Proxy(v.map(counted), { get: (t, k, r) => (reads++, Reflect.get(t, k, r)) }) : v);
    const depth = MAX_SCHEMA_DEPTH - 4;
    compileConfigSchema(arraysUnderRef(counted(nestedArrays(depth))));
    expect(reads).toBeLessThan(100 * depth);
  });

  it('refuses a $ref cycle that never goes deeper into the config before compiling, at the $ref that closes it', () => {
    const self = thrown(() => compileConfigSchema({ type: 'object', anyOf: [{ $ref: '#' }] }));
    expect(self).toMatchObject({ code: 'E_MANIFEST_INVALID', message: "the manifest's config schema recurses without end" });
    expect(self.problems).toEqual([{ path: '/config/schema/anyOf/0/$ref', message: expect.stringContaining('does not go deeper into the config') }]);
    const pair = { properties: { p: { $ref: '#/$defs/a' } }, $defs: { a: { not: { $ref: '#/$defs/b' } }, b: { allOf: [{ $ref: '#/$defs/a' }] } } };
    expect(thrown(() => compileConfigSchema(pair)).problems[0]?.path).toMatch(/^\/config\/schema\/\$defs\/(a\/not|b\/allOf\/0)\/\$ref$/);
  });

  it('refuses a cycle through references it cannot follow before compiling when the check runs out of stack on it', () => {
    const scoped = { properties: { x: { $ref: 'urn:loop' } }, $defs: { loop: { $id: 'urn:loop', anyOf: [{ $ref: 'urn:loop' }] } } };
    const compiled = compileConfigSchema(scoped);
    expect(compiled.check({}).valid).toBe(true);
    expect(thrown(() => compiled.check({ x: 1 }))).toMatchObject({ code: 'E_MANIFEST_INVALID', message: "the manifest's config schema recurses without end", problems: [{ path: '/config/schema' }] });
  });

  it('still follows a $ref cycle that goes into the config at each step', () => {
    const tree = { $defs: { node: { type: 'object', properties: { name: { type: 'string', default: 'n' }, kids: { type: 'array', items: { $ref: '#/$defs/node' } } } } }, $ref: '#/$defs/node' };
    let config: Record<string, unknown> = {};
    for (let i = 0; i < 30; i++) config = { kids: [config] };
    const r = compileConfigSchema(tree).check(config);
    expect(r.valid).toBe(true);
    expect(config.name).toBe('n');
  });
});

describe('the steps of one check', () => {
  it('stops a check whose recursion branches at every level of the config, as a config problem', () => {
    // Every level is checked twice (the first branch fails only after its items are checked): 2^25 steps.
    const branching = {
      type: 'object',
      properties: { x: { $ref: '#/$defs/t' } },
      $defs: { t: { anyOf: [{ type: 'array', items: { $ref: '#/$defs/t' }, minItems: 2 }, { type: 'array', items: { $ref: '#/$defs/t' } }] } },
    };
    const e = thrown(() => validateUserData({ config: { x: nestedArrays(25) } }, manifestWith(branching), 'cmdline'));
    expect(e.code).toBe('E_CONFIG_INVALID');
    expect(e.message).toBe('the config in the user data from platform "cmdline" has 1 problem');
    expect(e.problems).toEqual([{ path: '/config', message: expect.stringContaining(`takes more than ${MAX_CHECK_STEPS} steps`) }]);
  });

  it('charges uniqueItems for comparing every pair of objects, not for hashing strings', () => {
    const schema = { type: 'object', properties: { objects: { type: 'array', uniqueItems: true }, names: { type: 'array', uniqueItems: true, items: { type: 'string' } } } };
    const objects = Array.from({ length: 20_000 }, (_, i) => ({ i }));
    expect(compileConfigSchema(schema).check({ objects }).errors[0]?.message).toMatch(/takes more than/);
    const names = Array.from({ length: 20_000 }, (_, i) => `n${i}`);
    expect(compileConfigSchema(schema).check({ names, objects: objects.slice(0, 1000) }).valid).toBe(true);
  });
});
