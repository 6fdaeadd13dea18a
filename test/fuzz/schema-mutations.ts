// Mutations of a config schema: $ref loops and chains, branching recursion, costly keywords, broken references.

import { deepText, Raw, smallValue } from './json-mutations';
import type { Prng } from './prng';

/** A hostile subschema to put somewhere inside config.schema. */
export function hostileSubschema(rng: Prng): unknown {
  switch (rng.int(16)) {
    case 0: return { $ref: '#' };
    case 1: return { anyOf: [{ $ref: '#' }, { type: 'string' }] };
    case 2: return { $ref: '#/$defs/loopA', $defs: { loopA: { $ref: '#/$defs/loopB' }, loopB: { allOf: [{ $ref: '#/$defs/loopA' }] } } };
    case 3: return { $ref: '#/definitions/missing' };
    case 4: return { $ref: rng.pick(['http://127.0.0.1:1/schema.json', 'urn:x:y', '#/properties/%zz', '#a-name', '', '#/$defs']) };
    case 5: return branching(rng);
    case 6: return { type: 'array', uniqueItems: true, items: rng.chance(0.5) ? { type: 'object' } : {} };
    case 7: return { enum: Array.from({ length: rng.pick([10, 1000, 3000]) }, (_, i) => ({ v: i })) };
    case 8: return { type: rng.pick(['strin', ['string', 'nope'], 7, null]) };
    case 9: return { pattern: rng.pick(['(', '[a-', '\\', '(?<n>a)\\k<m>', '\\p{Nope}']) };
    case 10: return { $dynamicRef: '#meta', $dynamicAnchor: 'meta', items: { $dynamicRef: '#meta' } };
    case 11: return { definitions: { d: { x: deepText(rng, rng.pick([20, 30, 36, 40])) } }, properties: { list: { items: { $ref: '#/definitions/d' } } } };
    case 12: return chain(rng.pick([50, 199, 201, 400]), rng.chance(0.5));
    case 13: return { $schema: rng.pick(['http://json-schema.org/draft-04/schema#', 'https://json-schema.org/draft/2019-09/schema', 'nonsense', 3]) };
    case 14: return { default: new Raw(JSON.stringify({ deep: 'x'.repeat(1000) })), writeOnly: rng.chance(0.5) ? true : 'yes', properties: { s: smallValue(rng) } };
    default: return { required: Array.from({ length: rng.pick([5, 2000]) }, (_, i) => `r${i}`), minProperties: -1, maxLength: 'ten' };
  }
}

/** Recursion through two branches of anyOf/oneOf: every level of the data is checked twice. */
function branching(rng: Prng): unknown {
  const kw = rng.pick(['anyOf', 'oneOf']);
  return {
    $defs: { t: { [kw]: [{ type: 'array', items: { $ref: '#/$defs/t' }, minItems: 2 }, { type: 'array', items: { $ref: '#/$defs/t' } }] } },
    properties: { x: { $ref: '#/$defs/t' } },
  };
}

/** `n` definitions each referring to the next, the last back to the first when `cycle`. */
function chain(n: number, cycle: boolean): unknown {
  const defs: Record<string, unknown> = {};
  for (let i = 0; i < n; i++) {
    const next = i + 1 < n ? `#/$defs/d${i + 1}` : cycle ? '#/$defs/d0' : undefined;
    defs[`d${i}`] = { type: 'object', properties: { next: next ? { $ref: next } : { type: 'string' } } };
  }
  return { $ref: '#/$defs/d0', $defs: defs };
}

/** Config data shaped to make a hostile schema work hard: deep single-item arrays, long lists of objects. */
export function costlyConfig(rng: Prng): unknown {
  const depth = rng.pick([10, 30, 60, 63]);
  let x: unknown = [];
  for (let i = 1; i < depth; i++) x = [x];
  return rng.chance(0.5) ? { x, tree: { kids: [{ kids: [] }] } } : { list: Array.from({ length: rng.pick([100, 20_000]) }, (_, i) => ({ id: i })), x };
}
