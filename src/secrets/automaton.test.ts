// The multi-string search behind scrubbing: every occurrence found, overlapping ones joined, repeats in one pass.

import { describe, expect, it } from 'vitest';
import { Automaton } from './automaton';

/** The same answer the slow way: every occurrence of every string, joined where they overlap. */
function naive(strings: string[], text: string): Array<[number, number]> {
  const found: Array<[number, number]> = [];
  for (const s of strings) for (let i = text.indexOf(s); i !== -1; i = text.indexOf(s, i + 1)) found.push([i, i + s.length]);
  found.sort((a, b) => a[0] - b[0]);
  const out: Array<[number, number]> = [];
  for (const [s, e] of found) {
    const prev = out.at(-1);
    if (prev && s < prev[1]) prev[1] = Math.max(prev[1], e);
    else out.push([s, e]);
  }
  return out;
}

describe('Automaton', () => {
  it('finds strings that overlap, nest, or end inside one another', () => {
    const strings = ['abcd', 'bcdefg', 'cd', 'xyzxyz', 'zx'];
    const text = 'zzabcdefg..cd..xyzxyzxyz..abc';
    expect(new Automaton(strings).spans(text)).toEqual(naive(strings, text));
  });

  it('finds a string found only through a failure link (a suffix of a longer one that fails)', () => {
    expect(new Automaton(['abcde', 'cdx']).spans('abcdx')).toEqual([[2, 5]]);
  });

  it('joins the occurrences of a string that repeats itself into one span', () => {
    expect(new Automaton(['a'.repeat(50)]).spans(`b${'a'.repeat(500)}b`)).toEqual([[1, 501]]);
  });

  it('agrees with a plain search on random texts over a small alphabet', () => {
    let seed = 7;
    const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) % n);
    const word = (len: number) => Array.from({ length: len }, () => 'abc"'[rand(4)]).join('');
    for (let round = 0; round < 200; round++) {
      const strings = Array.from({ length: 1 + rand(4) }, () => word(1 + rand(6)));
      const text = word(rand(60));
      expect(new Automaton(strings).spans(text), `${JSON.stringify(strings)} in ${text}`).toEqual(naive(strings, text));
    }
  });

  it('leaves a text with none of the letters alone, and handles characters beyond ASCII', () => {
    expect(new Automaton(['ünï✓']).spans('plain text')).toEqual([]);
    expect(new Automaton(['ünï✓']).spans('x ünï✓ y')).toEqual([[2, 6]]);
  });
});
