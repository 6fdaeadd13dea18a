// Exact-size reads over a stream of chunks: what a tar reader needs (headers whole, bodies in pieces, skips).

const EMPTY = Buffer.alloc(0);

export class ByteReader {
  private chunk: Buffer = EMPTY;
  private pos = 0;
  private ended = false;
  private readonly it: AsyncIterator<Buffer>;
  /** Bytes consumed so far (offset of the next byte in the stream). */
  offset = 0;

  constructor(source: AsyncIterable<Buffer>) {
    this.it = source[Symbol.asyncIterator]();
  }

  /** `n` bytes, or fewer only at the end of the stream (then possibly none). */
  async readExact(n: number): Promise<Buffer> {
    if (!(await this.fill())) return EMPTY;
    if (this.chunk.length - this.pos >= n) return this.take(n);
    const parts: Buffer[] = [];
    let got = 0;
    while (got < n && (await this.fill())) {
      const part = this.take(Math.min(n - got, this.chunk.length - this.pos));
      parts.push(part);
      got += part.length;
    }
    return Buffer.concat(parts, got);
  }

  /** Between 1 and `max` bytes as they come, or none at the end of the stream. */
  async readUpTo(max: number): Promise<Buffer> {
    if (max <= 0 || !(await this.fill())) return EMPTY;
    return this.take(Math.min(max, this.chunk.length - this.pos));
  }

  /** Skips `n` bytes; returns how many were there. */
  async skip(n: number): Promise<number> {
    let left = n;
    while (left > 0 && (await this.fill())) left -= this.take(Math.min(left, this.chunk.length - this.pos)).length;
    return n - left;
  }

  /** Reads to the end of the stream (so whatever hashes or counts it sees all of it); returns the bytes skipped. */
  async drain(): Promise<number> {
    let n = 0;
    while (await this.fill()) n += this.take(this.chunk.length - this.pos).length;
    return n;
  }

  /** Stops the source early (its streams and child processes are released). */
  async close(): Promise<void> {
    this.ended = true;
    await this.it.return?.();
  }

  private take(n: number): Buffer {
    const out = this.chunk.subarray(this.pos, this.pos + n);
    this.pos += n;
    this.offset += n;
    return out;
  }

  private async fill(): Promise<boolean> {
    while (this.pos >= this.chunk.length) {
      if (this.ended) return false;
      const next = await this.it.next();
      if (next.done) {
        this.ended = true;
        return false;
      }
      this.chunk = next.value;
      this.pos = 0;
    }
    return true;
  }
}
