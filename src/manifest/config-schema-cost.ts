// Bounds the work of checking one config: every subschema ajv applies spends steps, and a check that needs too many stops.

import type { CodeKeywordDefinition, KeywordCxt } from 'ajv';
import { SCHEMA_KEYWORDS, SCHEMA_LIST_KEYWORDS, SCHEMA_MAP_KEYWORDS } from './schema-keywords';

/**
 * Steps one check may take. A subschema applied to a value is a step (plus one per `enum` and
 * `required` entry it compares); `uniqueItems` costs what ajv's comparison of the items costs.
 * Ordinary configs take hundreds of steps, and 1 MiB of user data against a plain schema about two
 * million; five million take about a second on a small host. A schema goes past it when its recursion
 * branches (a `$ref` cycle through `anyOf`/`oneOf`) or it compares long lists pairwise.
 */
export const MAX_CHECK_STEPS = 5_000_000;

/** The keyword added to every subschema of the copy ajv compiles; no JSON Schema vocabulary uses the name. */
const COST_KEYWORD = 'x-cloudlet-cost';

/** Thrown out of a running check when it has spent its steps; the partial result is dropped. */
export class CheckTooCostly extends Error {
  constructor() {
    super(`checking the config takes more than ${MAX_CHECK_STEPS} steps`);
    this.name = 'CheckTooCostly';
  }
}

/** The steps of the check under way; the compiled validator adds to it. */
export class CostMeter {
  steps = 0;

  over(): never {
    throw new CheckTooCostly();
  }

  /** What ajv's uniqueItems will cost on `data`: a pass with a hash, or every pair. */
  unique(data: unknown, linear: boolean): void {
    if (!Array.isArray(data)) return;
    const n = data.length;
    this.steps += linear ? n : (n * (n - 1)) / 2;
    if (this.steps > MAX_CHECK_STEPS) this.over();
  }
}

/**
 * A copy of `schema` with the cost keyword on every subschema, found by the keywords that hold
 * subschemas in 2020-12 and draft-07. Values that are not subschemas (`default`, `enum`, ...) are
 * shared, as ajv only reads them. Recursion is bounded by the schema depth limit, checked first.
 */
export function withCost(schema: unknown): unknown {
  if (schema === null || typeof schema !== 'object' || Array.isArray(schema)) return schema;
  const entries = Object.entries(schema).map(([key, value]): [string, unknown] => {
    if (Array.isArray(value)) return [key, SCHEMA_LIST_KEYWORDS.has(key) ? value.map(withCost) : value];
    if (SCHEMA_KEYWORDS.has(key)) return [key, withCost(value)];
    if (SCHEMA_MAP_KEYWORDS.has(key) && value !== null && typeof value === 'object') {
      return [key, Object.fromEntries(Object.entries(value).map(([name, sub]) => [name, withCost(sub)]))];
    }
    return [key, value];
  });
  // fromEntries defines own properties: a "__proto__" key stays a key, as JSON.parse made it.
  return Object.fromEntries([...entries, [COST_KEYWORD, true]]);
}

/** The keyword that spends steps, generated inline (a function keyword costs ten times more per call). */
export function costKeyword(meter: CostMeter): CodeKeywordDefinition {
  return {
    keyword: COST_KEYWORD,
    schemaType: 'boolean',
    code(cxt: KeywordCxt) {
      // The codegen of the ajv already loaded for this schema.
      const { _ } = require('ajv/dist/compile/codegen') as typeof import('ajv/dist/compile/codegen');
      const m = cxt.gen.scopeValue('keyword', { ref: meter });
      const parent = cxt.parentSchema as Record<string, unknown>;
      cxt.gen.code(_`if ((${m}.steps += ${stepsOf(parent)}) > ${MAX_CHECK_STEPS}) ${m}.over();`);
      if (parent.uniqueItems === true) cxt.gen.code(_`${m}.unique(${cxt.data}, ${hashableItems(parent)});`);
    },
  };
}

function stepsOf(schema: Record<string, unknown>): number {
  const length = (v: unknown) => (Array.isArray(v) ? v.length : 0);
  return 1 + length(schema.enum) + length(schema.required);
}

/** Whether ajv checks uniqueItems with a hash: the items schema names only scalar types. */
function hashableItems(schema: Record<string, unknown>): boolean {
  const items = schema.items;
  if (items === null || typeof items !== 'object' || Array.isArray(items)) return false;
  const type = (items as Record<string, unknown>).type;
  const types = Array.isArray(type) ? type : type === undefined ? [] : [type];
  return types.length > 0 && types.every((t) => typeof t === 'string' && t !== 'object' && t !== 'array');
}
