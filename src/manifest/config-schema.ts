// Compiles the manifest's config.schema (the image author's JSON Schema) once per run, within limits, marking writeOnly secrets.

import type Ajv2020 from 'ajv/dist/2020';
import type AjvDraft07 from 'ajv';
import type { ErrorObject, SchemaValidateFunction } from 'ajv';
import { AgentError } from '../errors';
import { appendErrorsInPlace } from './ajv-code';
import { CheckTooCostly, CostMeter, costKeyword, MAX_CHECK_STEPS, withCost } from './config-schema-cost';
import { inPlaceRefCycle } from './config-schema-cycles';
import { metaSchemaErrors } from './config-schema-meta';
import { configSchemaLimitProblems, LIMITS_DOC, MAX_SCHEMA_DEPTH, MAX_SCHEMA_REFS, MAX_SCHEMA_VALUES } from './config-schema-limits';

export interface ConfigCheck {
  valid: boolean;
  errors: ErrorObject[];
  /** JSON pointers (inside the config) of every value a writeOnly schema applied to */
  secretPaths: string[];
  /** the string values found at and below those places */
  secretValues: string[];
}

export interface CompiledConfigSchema {
  schema: Record<string, unknown>;
  /** Validates `config` in place: defaults are written into it. */
  check(config: unknown): ConfigCheck;
}

interface SecretHit {
  path: string;
  value: unknown;
}

export interface CompileOptions {
  /**
   * Check the schema against its dialect's meta-schema first. The check is compiled at build time, but its
   * code is large to load, so the boot path leaves it to `cloudlet-agent validate` (run when the image is
   * built); at boot a schema ajv cannot compile is still refused.
   */
  metaSchema?: boolean;
}

const compiled = { checked: new WeakMap<object, CompiledConfigSchema>(), unchecked: new WeakMap<object, CompiledConfigSchema>() };

const DRAFT_2020 = 'https://json-schema.org/draft/2020-12/schema';
const DRAFT_07 = /^https?:\/\/json-schema\.org\/draft-07\/schema#?$/;

/**
 * The compiled config schema, from a cache keyed by the schema object, so one run compiles it once.
 * A schema beyond the limits, with a $ref cycle that stays in place, or that ajv cannot compile is
 * E_MANIFEST_INVALID under /config/schema. Each check is bounded by MAX_CHECK_STEPS.
 */
export function compileConfigSchema(schema: Record<string, unknown>, options: CompileOptions = {}): CompiledConfigSchema {
  const cache = options.metaSchema ? compiled.checked : compiled.unchecked;
  const cached = cache.get(schema);
  if (cached) return cached;
  const beyond = configSchemaLimitProblems(schema);
  if (beyond.length > 0) {
    throw new AgentError('E_MANIFEST_INVALID', 'the manifest\'s config schema is larger or deeper than the agent compiles', {
      problems: beyond,
      fix: `keep config.schema within ${MAX_SCHEMA_DEPTH} levels, ${MAX_SCHEMA_VALUES} values and ${MAX_SCHEMA_REFS} $refs; share repeated parts with $defs and $ref (${LIMITS_DOC})`,
    });
  }
  const cycle = inPlaceRefCycle(schema);
  if (cycle !== undefined) throw endlessRecursion(cycle);
  let hits: SecretHit[] = [];
  const meter = new CostMeter();
  const ajv = ajvFor(schema);
  // writeOnly is only an annotation to ajv; as a keyword with a function it tells which values it covers,
  // through $ref, allOf, items and the rest, exactly as validation walks them.
  const collect: SchemaValidateFunction = (flag: unknown, data: unknown, _parent?: unknown, cxt?: { instancePath: string }) => {
    if (flag === true) hits.push({ path: cxt?.instancePath ?? '', value: data });
    return true;
  };
  ajv.removeKeyword('writeOnly');
  ajv.addKeyword({ keyword: 'writeOnly', schemaType: 'boolean', errors: false, validate: collect });
  ajv.addKeyword(costKeyword(meter));
  let validate;
  try {
    const metaErrors = options.metaSchema ? metaSchemaErrors(schema, schema.$schema !== undefined && schema.$schema !== DRAFT_2020) : undefined;
    // Worded as ajv words its own meta-schema check, which this replaces.
    if (metaErrors) throw new Error(`schema is invalid: ${ajv.errorsText(metaErrors)}`);
    validate = ajv.compile(withCost(schema) as Record<string, unknown>);
  } catch (err) {
    if (err instanceof RangeError) throw endlessRecursion('/config/schema', err);
    throw new AgentError('E_MANIFEST_INVALID', 'the manifest\'s config schema is not a usable JSON Schema', {
      problems: [{ path: '/config/schema', message: (err as Error).message }],
      fix: 'correct config.schema in the manifest (JSON Schema 2020-12, or draft-07 with "$schema" saying so)',
      cause: err,
    });
  }
  const result: CompiledConfigSchema = {
    schema,
    check(config) {
      hits = [];
      meter.steps = 0;
      let valid: boolean;
      try {
        valid = validate(config) === true;
      } catch (err) {
        hits = [];
        if (err instanceof CheckTooCostly) return { valid: false, errors: [TOO_COSTLY], secretPaths: [], secretValues: [] };
        if (err instanceof RangeError) throw endlessRecursion('/config/schema', err);
        throw err;
      }
      const found = hits;
      hits = [];
      return {
        valid,
        errors: [...(validate.errors ?? [])],
        secretPaths: [...new Set(found.map((h) => h.path))],
        secretValues: [...new Set(found.flatMap((h) => stringsIn(h.value)))],
      };
    },
  };
  cache.set(schema, result);
  return result;
}

/**
 * A $ref cycle that never goes deeper into the config: found before compiling when its references are
 * plain pointers, else when ajv's compiler or the check runs out of stack following it (`cause`).
 */
function endlessRecursion(path: string, cause?: RangeError): AgentError {
  return new AgentError('E_MANIFEST_INVALID', 'the manifest\'s config schema recurses without end', {
    problems: [{ path, message: 'closes a $ref cycle (or a chain of $refs too long to follow) that does not go deeper into the config at each step' }],
    fix: `make every $ref cycle in config.schema pass through properties, items or another keyword that goes into the config (${LIMITS_DOC})`,
    ...(cause ? { cause } : {}),
  });
}

/** The one problem of a check that ran out of steps (its other findings are incomplete, so none is kept). */
const TOO_COSTLY: ErrorObject = {
  keyword: 'x-cloudlet-cost',
  instancePath: '',
  schemaPath: '#',
  params: {},
  message: `takes more than ${MAX_CHECK_STEPS} steps to check against config.schema, more than the agent spends: simplify the schema's recursion through anyOf/oneOf or its uniqueItems and enum on long lists, or give a smaller config (${LIMITS_DOC})`,
};

function ajvFor(schema: Record<string, unknown>): Ajv2020 | AjvDraft07 {
  const options = {
    // Formats are annotations here: the agent carries no format library, and an unknown format must not stop a boot.
    // verbose gives errors their parentSchema (for the allowed keys); their `data` is never read.
    allErrors: true, verbose: true, useDefaults: true, strict: false, validateFormats: false, validateSchema: false, logger: false as const,
    // The meta-schemas take ajv ~1.5 ms to add (tens under emulation) and here serve only to resolve an id of
    // theirs, which a schema can only name by its json-schema.org address; the check against them is compiled
    // at build time (metaSchemaErrors).
    meta: namesJsonSchemaOrg(schema),
    // The validator runs once per boot on a small config: ajv's optimising passes over the generated code
    // would cost more than they save. They change how the code reads, not what it accepts.
    code: { optimize: false, process: appendErrorsInPlace },
    // Inlining a $ref'd schema needs ajv to search it for further $refs, a search that takes exponential time
    // on nested arrays (each is searched as an array and again as an object). A call per $ref costs nothing here.
    inlineRefs: false,
  };
  const declared = schema.$schema;
  // ajv loads here, for the one dialect in use: commands without a config schema never pay for it.
  if (declared === undefined || declared === DRAFT_2020) return new (require('ajv/dist/2020') as typeof import('ajv/dist/2020')).default(options);
  if (typeof declared === 'string' && DRAFT_07.test(declared)) return new (require('ajv') as typeof import('ajv')).default(options);
  throw new AgentError('E_MANIFEST_INVALID', 'the manifest\'s config schema names a JSON Schema dialect the agent does not read', {
    problems: [{ path: '/config/schema/$schema', message: `must be "${DRAFT_2020}" or "http://json-schema.org/draft-07/schema#" (or left out for 2020-12)` }],
    fix: 'write config.schema in JSON Schema 2020-12 or draft-07',
  });
}

/** Whether the schema mentions json-schema.org anywhere but in its own top-level $schema (read by ajvFor). */
function namesJsonSchemaOrg(schema: Record<string, unknown>): boolean {
  return JSON.stringify({ ...schema, $schema: undefined }).includes('json-schema.org');
}

/** Every string at or below a value: what must be scrubbed when the value is a secret. */
function stringsIn(value: unknown): string[] {
  if (typeof value === 'string') return value === '' ? [] : [value];
  if (Array.isArray(value)) return value.flatMap(stringsIn);
  if (value !== null && typeof value === 'object') return Object.values(value).flatMap(stringsIn);
  return [];
}
