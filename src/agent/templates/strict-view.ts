// Read-only views of config/env where reading a key the object does not have throws instead of yielding undefined.

/** Thrown when a template reads a key that does not exist; the message names the key, never a value. */
export class MissingKeyError extends ReferenceError {
  constructor(readonly keyPath: string, target: object) {
    super(`${keyPath} is not defined (${describeKeys(target)})`);
    this.name = 'MissingKeyError';
  }
}

// Keys that JavaScript itself probes for on any object (JSON.stringify, await);
// a missing one must read as undefined or those operations would break.
const PROBED = new Set(['toJSON', 'then']);

/**
 * A strict, read-only view of `value` (deeply). The view works on a private copy: the invariants of
 * Proxy forbid handing out wrapped children of a frozen target, and the copy keeps templates from
 * reaching the shared context.
 */
export function strictView<T extends object>(value: T, label: string): T {
  return wrap(structuredClone(value), label, new WeakMap()) as T;
}

function wrap(value: unknown, label: string, cache: WeakMap<object, object>): unknown {
  if (typeof value !== 'object' || value === null) return value;
  const cached = cache.get(value);
  if (cached) return cached;
  const child = (target: object, key: string): string => (Array.isArray(target) && /^\d+$/.test(key) ? `${label}[${key}]` : `${label}.${key}`);
  const handler: ProxyHandler<object> = {
    get(target, key, receiver) {
      if (typeof key === 'symbol' || key in target) {
        const v: unknown = Reflect.get(target, key, receiver);
        return typeof key === 'string' && Object.hasOwn(target, key) ? wrap(v, child(target, key), cache) : v;
      }
      if (PROBED.has(key)) return undefined;
      throw new MissingKeyError(child(target, key), target);
    },
    getOwnPropertyDescriptor(target, key) {
      const d = Reflect.getOwnPropertyDescriptor(target, key);
      if (d && 'value' in d && typeof key === 'string') d.value = wrap(d.value, child(target, key), cache);
      return d;
    },
    set: (_t, key) => readOnly(label, key),
    defineProperty: (_t, key) => readOnly(label, key),
    deleteProperty: (_t, key) => readOnly(label, key),
    setPrototypeOf: () => readOnly(label, '__proto__'),
  };
  const proxy = new Proxy(value, handler);
  cache.set(value, proxy);
  return proxy;
}

function describeKeys(target: object): string {
  if (Array.isArray(target)) return `it has ${target.length} item${target.length === 1 ? '' : 's'}`;
  const known = Object.keys(target);
  if (known.length === 0) return 'it has no keys';
  return `known keys: ${known.slice(0, 12).join(', ')}${known.length > 12 ? ', ...' : ''}`;
}

function readOnly(label: string, key: string | symbol): never {
  throw new TypeError(`templates cannot change ${label}.${String(key)}: the context is read-only`);
}
