// Proves NoCloud meta-data is bounded like JSON: nesting past the JSON bound, and values that contain themselves, are refused.

import { describe, expect, it } from 'vitest';
import { MAX_JSON_DEPTH } from '../../manifest/json-text';
import { parseMetaData } from './meta-data';

const flow = (n: number) => `${'['.repeat(n)}${']'.repeat(n)}`;

describe('parseMetaData nesting', () => {
  it('accepts meta-data nested to the bound', () => {
    expect(parseMetaData(`instance-id: i-1\nx: ${flow(MAX_JSON_DEPTH - 1)}\n`, 'nocloud', 'seed:meta-data')).toMatchObject({ 'instance-id': 'i-1' });
  });

  it('refuses meta-data nested past the bound, which YAML itself would still read', () => {
    expect(() => parseMetaData(`x: ${flow(MAX_JSON_DEPTH)}\n`, 'nocloud', 'seed:meta-data')).toThrow(
      expect.objectContaining({ code: 'E_PLATFORM', message: `nocloud: seed:meta-data nests lists and mappings more than ${MAX_JSON_DEPTH} levels deep` }),
    );
  });

  it('counts the depth an alias reaches, not where its anchor was written', () => {
    const deepAnchor = `a: &deep ${flow(MAX_JSON_DEPTH - 1)}\nb: [*deep]\n`;
    expect(() => parseMetaData(deepAnchor, 'nocloud', 'm')).toThrow(new RegExp(`more than ${MAX_JSON_DEPTH} levels`));
    expect(parseMetaData(`a: &d ${flow(MAX_JSON_DEPTH - 2)}\nb: [*d]\n`, 'nocloud', 'm')).toHaveProperty('b');
  });

  it('refuses an alias inside its own anchor, which YAML reads as a value that contains itself', () => {
    for (const text of ['a: &x [*x]\n', 'a: &x {b: *x}\n']) {
      expect(() => parseMetaData(text, 'nocloud', 'm')).toThrow(expect.objectContaining({ code: 'E_PLATFORM' }));
    }
  });
});
