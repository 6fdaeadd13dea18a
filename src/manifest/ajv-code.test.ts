// Proves ajv's error collection is rewritten to append in place, for the generated validators and the config schema alike.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { appendErrorsInPlace } from './ajv-code';
import { compileConfigSchema } from './config-schema';
import { validateManifest } from './generated/validators.cjs';

describe('appendErrorsInPlace', () => {
  it('turns each copy of the errors so far into an append, and leaves the rest of the code alone', () => {
    const code = 'if (!validate29(x)) { vErrors = vErrors === null ? validate29.errors : vErrors.concat(validate29.errors); errors = vErrors.length; }';
    expect(appendErrorsInPlace(code)).toBe(
      'if (!validate29(x)) { if (vErrors === null) vErrors = validate29.errors.slice(); else for (const addedError of validate29.errors) vErrors.push(addedError); errors = vErrors.length; }',
    );
    expect(appendErrorsInPlace('a = b.concat(c);')).toBe('a = b.concat(c);');
  });

  it('is applied to the standalone validators of the manifest and user-data schemas', () => {
    const generated = readFileSync(join(__dirname, 'generated', 'validators.cjs'), 'utf8');
    // Asserted as booleans: a failure must not print the whole generated file.
    expect(/for \(const addedError of validate\d+\.errors\) vErrors\.push\(addedError\)/.test(generated)).toBe(true);
    expect(generated.includes('vErrors.concat(')).toBe(false);
  });

  it('keeps every error of a manifest whose list items all fail, once each, in order', () => {
    const volatile = Array.from({ length: 50_000 }, () => ({}));
    expect(validateManifest({ cloudlet: '0.0.4', name: 'x', volatile, entrypoints: { init: {} } })).toBe(false);
    const paths = (validateManifest.errors ?? []).filter((e) => e.keyword === 'required').map((e) => e.instancePath);
    expect(paths).toEqual(volatile.map((_, i) => `/volatile/${i}`));
  });

  it('keeps every error of a config whose $ref\'d list items all fail, once each, in order', () => {
    const schema = { type: 'object', properties: { list: { type: 'array', items: { $ref: '#/$defs/item' } } }, $defs: { item: { type: 'string' } } };
    const list = Array.from({ length: 100_000 }, (_, i) => i);
    const r = compileConfigSchema(schema).check({ list });
    expect(r.valid).toBe(false);
    expect(r.errors.map((e) => e.instancePath)).toEqual(list.map((i) => `/list/${i}`));
  });
});
