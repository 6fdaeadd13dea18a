// Grammar-aware mutations of JSON documents: a value swapped for a hostile one, then the text itself bent.

import { gzipSync } from 'node:zlib';
import type { Prng } from './prng';

/** Text put into the document as it is: nesting and sizes JSON.stringify could not build or would be slow to. */
export class Raw {
  constructor(readonly text: string) {}
}

/** An object whose keys may repeat, which a JavaScript object cannot hold. */
export class Entries {
  constructor(readonly entries: ReadonlyArray<readonly [string, unknown]>) {}
}

/** Serializes values with Raw and Entries parts; the values themselves are shallow, the depth is in Raw text. */
export function toText(value: unknown): string {
  if (value instanceof Raw) return value.text;
  if (value instanceof Entries) return `{${value.entries.map(([k, v]) => `${JSON.stringify(k)}:${toText(v)}`).join(',')}}`;
  if (Array.isArray(value)) return `[${value.map(toText).join(',')}]`;
  if (value !== null && typeof value === 'object') return toText(new Entries(Object.entries(value)));
  return JSON.stringify(value) ?? 'null';
}

export type Path = ReadonlyArray<string | number>;

/** Every place in `value` (objects and arrays only, as the corpus is built of them), the root first. */
export function pathsOf(value: unknown, under: Path = []): Path[] {
  const out: Path[] = [under];
  if (Array.isArray(value)) value.forEach((v, i) => out.push(...pathsOf(v, [...under, i])));
  else if (value !== null && typeof value === 'object' && !(value instanceof Raw) && !(value instanceof Entries)) {
    for (const [k, v] of Object.entries(value)) out.push(...pathsOf(v, [...under, k]));
  }
  return out;
}

/** A copy of `value` with the node at `path` replaced (the root when the path is empty). */
export function replaceAt(value: unknown, path: Path, next: unknown): unknown {
  if (path.length === 0) return next;
  const [head, ...rest] = path;
  if (Array.isArray(value)) return value.map((v, i) => (i === head ? replaceAt(v, rest, next) : v));
  const obj = value as Record<string, unknown>;
  return Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, k === head ? replaceAt(v, rest, next) : v]));
}

export function valueAt(value: unknown, path: Path): unknown {
  let node = value;
  for (const key of path) node = (node as Record<string | number, unknown>)[key];
  return node;
}

const DEEP_LEVELS = [62, 63, 64, 65, 66, 100, 1000, 2000, 5000, 50_000] as const;
const HUGE_LENGTHS = [1000, 65_536, (1 << 20) - 300, (1 << 20) + 10] as const;
const ODD_STRINGS = [
  '', ' ', '\u0000', '\ud800', '\udfff\ud800', '\u202e\u2066rtl', '\ufeff', '\u2028\u2029', 'é'.normalize('NFD'), '😀'.repeat(50),
  '\\', '"', '<%= 1 %>', '${process.exit(1)}', '../../../../etc/passwd', '/dev/sda', 'LABEL=', '%00', 'a'.repeat(300),
];
const ODD_NUMBERS = ['1e400', '-1e400', '-0', '1e-400', '12345678901234567890123', '0.1', '-1', '65536', '1.5', '9007199254740993'];

/** Nesting of `n` levels: arrays, objects, or both in turn. */
export function deepText(rng: Prng, n: number): Raw {
  const kind = rng.int(3);
  if (kind === 0) return new Raw('['.repeat(n) + ']'.repeat(n));
  if (kind === 1) return new Raw('{"a":'.repeat(n) + '1' + '}'.repeat(n));
  const open: string[] = [];
  const close: string[] = [];
  for (let i = 0; i < n; i++) {
    const array = i % 2 === 0;
    open.push(array ? '[' : '{"k":');
    close.push(array ? ']' : '}');
  }
  return new Raw(open.join('') + 'null' + close.reverse().join(''));
}

/** A small value of any JSON type. */
export function smallValue(rng: Prng): unknown {
  switch (rng.int(8)) {
    case 0: return null;
    case 1: return rng.chance(0.5);
    case 2: return new Raw(rng.pick(ODD_NUMBERS));
    case 3: return rng.pick(ODD_STRINGS);
    case 4: return [];
    case 5: return {};
    case 6: return [rng.pick(ODD_STRINGS), rng.int(100)];
    default: return { [rng.pick(ODD_STRINGS)]: rng.int(3) };
  }
}

/** A hostile replacement for one node. */
export function hostileValue(rng: Prng, old: unknown): unknown {
  switch (rng.int(10)) {
    case 0: return deepText(rng, rng.pick(DEEP_LEVELS));
    case 1: return new Raw(JSON.stringify('x'.repeat(rng.pick(HUGE_LENGTHS))));
    case 2: return rng.pick(ODD_STRINGS);
    case 3: return smallValue(rng);
    case 4: return new Raw(rng.pick(ODD_NUMBERS));
    case 5: return new Raw(`{${Array.from({ length: rng.pick([100, 5000, 40_000]) }, (_, i) => `"k${i}":${i}`).join(',')}}`);
    case 6: return new Raw(`[${new Array(rng.pick([1000, 100_000])).fill(rng.chance(0.5) ? '{}' : '"a"').join(',')}]`);
    case 7: return new Entries([['__proto__', { polluted: true }], ['constructor', { prototype: { x: 1 } }], ['toString', 1]]);
    case 8: return duplicateKeys(rng, old);
    default: return Array.isArray(old) ? [...old, ...old] : [old, old];
  }
}

/** `old` with one of its keys given twice (different values), or a fresh object with a repeated key. */
function duplicateKeys(rng: Prng, old: unknown): Entries {
  const own = old !== null && typeof old === 'object' && !Array.isArray(old) ? Object.entries(old) : [];
  const entries = own.length > 0 ? own : [['config', {}] as [string, unknown]];
  const [key] = rng.pick(entries);
  return new Entries([...entries, [key, smallValue(rng)], [key, smallValue(rng)]]);
}

/** Mutations of the text after serializing: truncation, stray bytes, encodings, comments. */
export function bendText(rng: Prng, text: Buffer, gzipAllowed: boolean): Buffer {
  switch (rng.int(gzipAllowed ? 11 : 9)) {
    case 0: return text.subarray(0, rng.int(text.length + 1));
    case 1: {
      const copy = Buffer.from(text);
      for (let i = rng.between(1, 8); i > 0 && copy.length > 0; i--) copy[rng.int(copy.length)] = rng.next() & 0xff;
      return copy;
    }
    case 2: {
      const at = rng.int(text.length + 1);
      return Buffer.concat([text.subarray(0, at), Buffer.from(rng.pick(['{', '[', '"', ',', ':', '}', ']', '\\', '\u0000', '//x\n', '/*', ',]'])), text.subarray(at)]);
    }
    case 3: return Buffer.concat([Buffer.from('\ufeff'), text]);
    case 4: return Buffer.from(text.toString('utf8'), 'utf16le');
    case 5: return rng.bytes(rng.pick([0, 1, 17, 4096, 70_000]));
    case 6: return Buffer.from(rng.pick(['', ' ', '\n\t', 'null', '[]', '"s"', '0', '#cloud-config\nusers: []\n', '#!/bin/sh\nreboot\n']));
    case 7: {
      const at = rng.int(text.length + 1);
      return Buffer.concat([text.subarray(0, at), text.subarray(Math.min(text.length, at + rng.between(1, 64)))]);
    }
    case 8: return Buffer.from(text.toString('utf8').replace(/}\s*$/, ',}'));
    case 9: return gzipSync(text);
    default: return gzipSync(Buffer.alloc(rng.pick([(1 << 20) + 1, 8 << 20]), 0x20));
  }
}
