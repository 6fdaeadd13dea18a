// Proves the standard outputs' helpers: whole lines, a flush that waits for every earlier write, and a reader that went away.

import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { flushed, writeLine } from './stdio';

/** An output whose writes complete only when released, like a pipe whose reader is slow. */
class SlowOutput extends Writable {
  written = '';
  private held: Array<() => void> = [];
  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.written += chunk.toString('utf8');
    this.held.push(() => callback());
  }
  /** Completes the writes one by one, as the stream hands them over, until none is held. */
  release(): void {
    while (this.held.length) this.held.shift()?.();
  }
}

/** An output whose reader is gone: every write fails with EPIPE. */
class BrokenOutput extends Writable {
  attempts = 0;
  override _write(_chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.attempts++;
    callback(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
  }
}

const settledYet = async (p: Promise<void>): Promise<boolean> => {
  let settled = false;
  void p.then(() => (settled = true));
  await new Promise((resolve) => setImmediate(resolve));
  return settled;
};

describe('writeLine', () => {
  it('writes one line per call, adding the newline only when it is missing', () => {
    const out = new SlowOutput();
    writeLine(out, 'first');
    writeLine(out, 'second\n');
    out.release();
    expect(out.written).toBe('first\nsecond\n');
  });
});

describe('flushed', () => {
  it('waits until every earlier write has completed', async () => {
    const out = new SlowOutput();
    writeLine(out, 'x'.repeat(200_000));
    writeLine(out, 'last');
    const flush = flushed(out);
    expect(await settledYet(flush)).toBe(false);
    out.release();
    await flush;
    expect(out.written.endsWith('last\n')).toBe(true);
  });

  it('resolves at once when nothing is pending', async () => {
    const out = new SlowOutput();
    expect(await settledYet(flushed(out))).toBe(true);
  });

  it('survives a reader that went away: no error thrown, the flush ends, later lines are dropped', async () => {
    const out = new BrokenOutput();
    writeLine(out, 'lost');
    await flushed(out);
    writeLine(out, 'also lost');
    await flushed(out);
    expect(out.attempts).toBe(1);
  });
});
