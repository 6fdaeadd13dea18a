import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { sha256Hex } from './sha256';

const reference = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');

describe('sha256Hex', () => {
  it('gives the standard digests of the empty string and "abc"', () => {
    expect(sha256Hex(new Uint8Array())).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(sha256Hex(Buffer.from('abc'))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it('agrees with node:crypto at every length around the padding boundaries and beyond', () => {
    for (let length = 0; length <= 200; length++) {
      const data = randomBytes(length);
      expect(sha256Hex(data), `length ${length}`).toBe(reference(data));
    }
    const large = randomBytes(300_000);
    expect(sha256Hex(large)).toBe(reference(large));
  });

  it('hashes only the bytes of a view, not the rest of its buffer', () => {
    const buffer = Buffer.from('xxmanifestyy');
    expect(sha256Hex(buffer.subarray(2, 10))).toBe(reference(Buffer.from('manifest')));
  });
});
