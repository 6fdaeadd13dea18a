// Strict base64: both alphabets, optional padding and whitespace accepted; anything else refused, never half-decoded.

import { describe, expect, it } from 'vitest';
import { decodeBase64 } from './base64';

describe('decodeBase64', () => {
  it('decodes standard and URL-safe base64, with or without padding, across whitespace', () => {
    const bytes = Buffer.from([0xfb, 0xff, 0xfe, 0x7b, 0x7d]);
    for (const text of ['+//+e30=', '-__-e30=', '-__-e30', '+//+\n e30=']) expect(decodeBase64(text)).toEqual(bytes);
  });

  it('refuses characters outside base64 and impossible lengths', () => {
    for (const text of ['{"config":{}}', 'e30=!', 'abcde', 'e3=0']) expect(decodeBase64(text)).toBeNull();
  });
});
