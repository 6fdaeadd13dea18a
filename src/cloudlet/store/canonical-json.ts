// The one serialisation of everything the store hashes: keys sorted, no spaces, so equal values give equal digests.

/**
 * JSON with every object's keys sorted (by UTF-16 code units, as Array.prototype.sort does) and no
 * whitespace. Undefined object members are left out, as JSON.stringify does; values JSON cannot hold
 * (undefined at the top, functions, non-finite numbers, bigints) are refused rather than silently changed.
 */
export function canonicalJson(value: unknown): Buffer {
  return Buffer.from(encode(value, '$'), 'utf8');
}

function encode(value: unknown, path: string): string {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError(`canonicalJson: ${path} is ${value}, which JSON cannot hold`);
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map((v, i) => encode(v === undefined ? null : v, `${path}[${i}]`)).join(',')}]`;
  if (typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    const members = Object.keys(obj)
      .sort()
      .filter((k) => obj[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${encode(obj[k], `${path}.${k}`)}`);
    return `{${members.join(',')}}`;
  }
  throw new TypeError(`canonicalJson: ${path} is a ${typeof value}, which JSON cannot hold`);
}
