// Finds a $ref cycle that stays in place: checking a config would follow it forever without going into the config.

import { escapePointer } from './problems';
import { subschemaEntries } from './schema-keywords';

/** Keywords whose subschemas apply to the same value as their schema (2020-12 and draft-07). */
const IN_PLACE_SINGLE = new Set(['not', 'if', 'then', 'else']);
const IN_PLACE_LIST = new Set(['allOf', 'anyOf', 'oneOf']);
const IN_PLACE_MAP = new Set(['dependentSchemas', 'dependencies']);

type Node = Record<string, unknown>;

/**
 * The JSON pointer (under /config/schema) of a `$ref` that closes an in-place cycle, or undefined.
 * JSON Schema leaves such schemas undefined ("MUST NOT produce infinite loops"); ajv recurses until the
 * stack runs out. Only `#`-pointer references are followed: a schema with an inner `$id` or a dynamic
 * reference is left to the check, where running out of stack is caught as the same problem.
 */
export function inPlaceRefCycle(schema: unknown): string | undefined {
  if (!isNode(schema) || hasScopeChange(schema, true)) return undefined;
  const root = schema;
  // Iterative depth-first search over schemas by pointer: a chain of in-place steps can be long.
  const state = new Map<string, 'open' | 'done'>();
  for (const start of pointersOf(root, '')) {
    if (state.has(start)) continue;
    const stack: Array<{ pointer: string; next: Array<{ to: string; via: string }> }> = [{ pointer: start, next: inPlaceSteps(root, start) }];
    state.set(start, 'open');
    while (stack.length > 0) {
      const top = stack[stack.length - 1] as (typeof stack)[number];
      const step = top.next.pop();
      if (!step) {
        state.set(top.pointer, 'done');
        stack.pop();
        continue;
      }
      const seen = state.get(step.to);
      if (seen === 'open') return `/config/schema${step.via}`;
      if (seen === undefined) {
        state.set(step.to, 'open');
        stack.push({ pointer: step.to, next: inPlaceSteps(root, step.to) });
      }
    }
  }
  return undefined;
}

/** The schemas a check of the value applies next, to the same value: in-place subschemas and the $ref target. */
function inPlaceSteps(root: Node, pointer: string): Array<{ to: string; via: string }> {
  const node = resolve(root, pointer);
  if (!isNode(node)) return [];
  const steps: Array<{ to: string; via: string }> = [];
  for (const [key, value] of Object.entries(node)) {
    const at = `${pointer}/${escapePointer(key)}`;
    if (key === '$ref' && typeof value === 'string' && value.startsWith('#')) {
      const target = refPointer(value);
      if (target !== undefined && isNode(resolve(root, target))) steps.push({ to: target, via: at });
    } else if (IN_PLACE_SINGLE.has(key) && isNode(value)) {
      steps.push({ to: at, via: at });
    } else if (IN_PLACE_LIST.has(key) && Array.isArray(value)) {
      value.forEach((v, i) => isNode(v) && steps.push({ to: `${at}/${i}`, via: `${at}/${i}` }));
    } else if (IN_PLACE_MAP.has(key) && isNode(value)) {
      for (const [name, v] of Object.entries(value)) if (isNode(v)) steps.push({ to: `${at}/${escapePointer(name)}`, via: `${at}/${escapePointer(name)}` });
    }
  }
  return steps;
}

/** Every subschema, by pointer: each may start a cycle. Recursion is bounded by the schema depth limit, checked first. */
function pointersOf(node: unknown, pointer: string): string[] {
  if (!isNode(node)) return [];
  return [pointer, ...subschemaEntries(node).flatMap(([at, sub]) => pointersOf(sub, pointer + at))];
}

/** "#/$defs/a%20b" -> "/$defs/a b"; undefined for an anchor ("#name"). */
function refPointer(ref: string): string | undefined {
  const fragment = ref.slice(1);
  if (fragment !== '' && !fragment.startsWith('/')) return undefined;
  try {
    return decodeURIComponent(fragment);
  } catch {
    return undefined;
  }
}

function resolve(root: Node, pointer: string): unknown {
  let node: unknown = root;
  for (const raw of pointer.split('/').slice(1)) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (node === null || typeof node !== 'object' || !Object.prototype.hasOwnProperty.call(node, key)) return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

/** Whether a reference could mean something other than a pointer from the root: an inner $id, or a dynamic reference. */
function hasScopeChange(node: unknown, isRoot: boolean): boolean {
  if (node === null || typeof node !== 'object') return false;
  if (!Array.isArray(node)) {
    const n = node as Node;
    if ((!isRoot && typeof n.$id === 'string') || '$dynamicRef' in n || '$recursiveRef' in n) return true;
  }
  return Object.values(node).some((v) => hasScopeChange(v, false));
}

function isNode(v: unknown): v is Node {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}
