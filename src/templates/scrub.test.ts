// Secret scrubbing of messages and diffs.

import { describe, expect, it } from 'vitest';
import { holdsSecret, scrub } from './scrub';

describe('scrub', () => {
  it('replaces every occurrence of a secret', () => {
    expect(scrub('a=pw1 b=pw1', ['pw1'])).toBe('a=<secret> b=<secret>');
  });

  it('hides a longer secret whole even when a shorter one is inside it', () => {
    expect(scrub('x=abcdef', ['abc', 'abcdef'])).toBe('x=<secret>');
  });

  it('hides the JSON-escaped form engines use in messages', () => {
    expect(scrub('Unexpected token in "a\\"b"', ['a"b'])).toBe('Unexpected token in "<secret>"');
  });

  it('hides each long line of a multi-line secret on its own', () => {
    const key = '-----BEGIN KEY-----\nMIIEvQIBADANBgkqhkiG9w0B\n-----END KEY-----';
    const shown = scrub('+MIIEvQIBADANBgkqhkiG9w0B\n', [key]);
    expect(shown).toBe('+<secret>\n');
    expect(holdsSecret(shown, [key])).toBe(false);
  });

  it('ignores empty secrets', () => {
    expect(scrub('text', [''])).toBe('text');
  });
});
