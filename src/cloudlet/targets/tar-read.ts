// Walks a tar stream member by member (headers parsed, data hashed, small members kept) to check bundles after they are written.

import { createHash } from 'node:crypto';
import { BLOCK, padding, parseHeader, parseSparseExtension, type ParsedHeader, type Region } from './tar-header';

export interface TarMember {
  header: ParsedHeader;
  /** the full sparse map (type S), extension blocks included */
  sparse: Region[];
  /** where the member's data starts in the (uncompressed) stream */
  dataOffset: number;
  sha256: string;
  /** the data, for members `keep` asked for */
  data?: Buffer;
}

export interface TarListing {
  members: TarMember[];
  /** why the walk stopped early or what is malformed; empty when the archive is whole */
  problems: string[];
}

export interface ReadLimits {
  /** the most members a bundle can have; more means it is not ours */
  maxMembers: number;
  /** members whose data to keep, with the most bytes each may have */
  keep: Readonly<Record<string, number>>;
}

/** Pulls exact byte counts out of a stream of chunks. */
class ByteReader {
  private buffered: Buffer[] = [];
  private length = 0;
  offset = 0;
  constructor(private readonly source: AsyncIterator<Buffer>) {}

  private async fill(n: number): Promise<boolean> {
    while (this.length < n) {
      const next = await this.source.next();
      if (next.done) return false;
      this.buffered.push(next.value);
      this.length += next.value.length;
    }
    return true;
  }

  /** Up to `max` bytes (at least one), or null at the end. */
  private async chunk(max: number): Promise<Buffer | null> {
    if (!(await this.fill(1))) return null;
    const first = this.buffered[0] as Buffer;
    const part = first.subarray(0, Math.min(max, first.length));
    if (part.length === first.length) this.buffered.shift();
    else this.buffered[0] = first.subarray(part.length);
    this.length -= part.length;
    this.offset += part.length;
    return part;
  }

  /** Exactly `n` bytes, or null when the stream ends first. */
  async read(n: number): Promise<Buffer | null> {
    if (!(await this.fill(n))) return null;
    const parts: Buffer[] = [];
    for (let left = n; left > 0; ) {
      const part = (await this.chunk(left)) as Buffer;
      parts.push(part);
      left -= part.length;
    }
    return Buffer.concat(parts, n);
  }

  /** Passes `n` bytes to `sink`; false when the stream ends first. */
  async stream(n: number, sink: (chunk: Buffer) => void): Promise<boolean> {
    for (let left = n; left > 0; ) {
      const part = await this.chunk(left);
      if (!part) return false;
      sink(part);
      left -= part.length;
    }
    return true;
  }
}

async function readMember(r: ByteReader, header: ParsedHeader, limits: ReadLimits): Promise<TarMember | string> {
  const sparse = [...header.sparse];
  for (let extended = header.extended; extended; ) {
    const block = await r.read(BLOCK);
    if (!block) return `${header.name}: the archive ends inside its sparse map`;
    const ext = parseSparseExtension(block);
    sparse.push(...ext.regions);
    extended = ext.extended;
  }
  const dataOffset = r.offset;
  const hash = createHash('sha256');
  const keepMax = limits.keep[header.name];
  if (keepMax !== undefined && header.size > keepMax) return `${header.name} is ${header.size} bytes, more than the ${keepMax} expected`;
  const kept: Buffer[] = [];
  const whole = await r.stream(header.size, (chunk) => {
    hash.update(chunk);
    if (keepMax !== undefined) kept.push(Buffer.from(chunk));
  });
  if (!whole || !(await r.stream(padding(header.size), () => {}))) return `${header.name}: the archive ends inside its data`;
  return { header, sparse, dataOffset, sha256: hash.digest('hex'), ...(keepMax !== undefined ? { data: Buffer.concat(kept) } : {}) };
}

/** Every member up to the end-of-archive blocks, or as far as the archive is readable. */
export async function readTar(chunks: AsyncIterable<Buffer>, limits: ReadLimits): Promise<TarListing> {
  const r = new ByteReader(chunks[Symbol.asyncIterator]());
  const members: TarMember[] = [];
  for (;;) {
    const block = await r.read(BLOCK);
    if (!block) return { members, problems: ['the archive ends without its two zero blocks'] };
    const header = parseHeader(block);
    if (header === null) {
      const second = await r.read(BLOCK);
      return { members, problems: second && second.every((b) => b === 0) ? [] : ['the archive ends with one zero block, not two'] };
    }
    if (!header.checksumOk) return { members, problems: [`the header after ${members.length} member(s) has a bad checksum`] };
    if (!Number.isSafeInteger(header.size) || header.size < 0) return { members, problems: [`${header.name}: size field is not a number`] };
    if (members.length >= limits.maxMembers) return { members, problems: [`more than ${limits.maxMembers} members`] };
    const member = await readMember(r, header, limits);
    if (typeof member === 'string') return { members, problems: [member] };
    members.push(member);
  }
}
