// Builds tar bytes header by header for the reader's unit tests (hand-made, so malformed ones are easy too).

import { ByteReader } from './byte-reader';
import { Budget } from './budget';
import { limitsWith, type InputLimits } from './limits';
import { BLOCK, FIELD, headerChecksums, padding } from './tar-format';
import type { TarEntry } from './tar-entry';
import { readTar } from './tar-reader';

export interface HeaderSpec {
  name: string;
  type?: string;
  size?: number;
  mode?: number;
  uid?: number;
  gid?: number;
  mtime?: number;
  linkname?: string;
  devmajor?: number;
  devminor?: number;
  prefix?: string;
  format?: 'ustar' | 'gnu' | 'v7';
  /** Raw bytes for a numeric field (base-256 tests). */
  raw?: Partial<Record<keyof typeof FIELD, Uint8Array>>;
}

export function header(spec: HeaderSpec): Buffer {
  const b = Buffer.alloc(BLOCK);
  const put = (field: keyof typeof FIELD, value: string | Uint8Array) => {
    const [start, len] = FIELD[field];
    const bytes = typeof value === 'string' ? Buffer.from(value, 'utf8') : Buffer.from(value);
    bytes.copy(b, start, 0, Math.min(len, bytes.length));
  };
  const oct = (field: keyof typeof FIELD, n: number) => put(field, n.toString(8).padStart(FIELD[field][1] - 1, '0') + '\0');
  put('name', spec.name);
  oct('mode', spec.mode ?? 0o644);
  oct('uid', spec.uid ?? 0);
  oct('gid', spec.gid ?? 0);
  oct('size', spec.size ?? 0);
  oct('mtime', spec.mtime ?? 1_700_000_000);
  put('typeflag', spec.type ?? '0');
  put('linkname', spec.linkname ?? '');
  const format = spec.format ?? 'ustar';
  if (format === 'ustar') {
    put('magic', 'ustar\0');
    put('version', '00');
    put('prefix', spec.prefix ?? '');
  } else if (format === 'gnu') {
    put('magic', 'ustar ');
    put('version', ' \0');
  }
  if (format !== 'v7') {
    oct('devmajor', spec.devmajor ?? 0);
    oct('devminor', spec.devminor ?? 0);
  }
  for (const [field, bytes] of Object.entries(spec.raw ?? {})) put(field as keyof typeof FIELD, bytes as Uint8Array);
  const sum = headerChecksums(b).unsigned;
  put('chksum', sum.toString(8).padStart(6, '0') + '\0 ');
  return b;
}

/** Header, content and padding of one member. */
export function member(spec: HeaderSpec, content: string | Buffer = ''): Buffer {
  const body = typeof content === 'string' ? Buffer.from(content) : content;
  return Buffer.concat([header({ ...spec, size: spec.size ?? body.length }), body, Buffer.alloc(padding(body.length))]);
}

/** A pax extended header member ('x', or 'g' for global) holding `records`. */
export function pax(records: Record<string, string | Buffer>, type = 'x'): Buffer {
  const parts = Object.entries(records).map(([k, v]) => {
    const value = typeof v === 'string' ? Buffer.from(v) : v;
    const tail = Buffer.concat([Buffer.from(` ${k}=`), value, Buffer.from('\n')]);
    let len = tail.length + 1;
    while (String(len).length + tail.length !== len) len = String(len).length + tail.length;
    return Buffer.concat([Buffer.from(String(len)), tail]);
  });
  return member({ name: 'PaxHeaders/x', type }, Buffer.concat(parts));
}

/** A GNU long name ('L') or long link ('K') record. */
export function gnuLong(type: 'L' | 'K', name: string): Buffer {
  return member({ name: '././@LongLink', type, format: 'gnu' }, Buffer.from(name + '\0'));
}

export function archive(...parts: Buffer[]): Buffer {
  return Buffer.concat([...parts, Buffer.alloc(2 * BLOCK)]);
}

export interface ReadMember {
  entry: TarEntry;
  content: string;
}

/** Every member of `bytes` with its content (unless `bodies` is off), fed in chunks of `chunk` bytes to cross chunk edges. */
export async function readAll(bytes: Buffer, limits: Partial<InputLimits> = {}, chunk = 100, bodies = true): Promise<ReadMember[]> {
  async function* chunks() {
    for (let i = 0; i < bytes.length; i += chunk) yield bytes.subarray(i, i + chunk);
  }
  const out: ReadMember[] = [];
  for await (const m of readTar(new ByteReader(chunks()), new Budget(limitsWith(limits)), 'test.tar')) {
    const parts: Buffer[] = [];
    if (bodies) for await (const c of m.body()) parts.push(c);
    out.push({ entry: m.entry, content: Buffer.concat(parts).toString() });
  }
  return out;
}
