// Proves JSON syntax errors are located by line and column and never quote the text, and nesting is bounded.

import { describe, expect, it } from 'vitest';
import { MAX_JSON_DEPTH, parseJsonText } from './json-text';

describe('parseJsonText', () => {
  it('parses valid JSON, ignoring a byte order mark', () => {
    expect(parseJsonText('\uFEFF{"a": 1}')).toEqual({ ok: true, value: { a: 1 } });
  });

  it('locates an unexpected token in the middle of the text, where V8 names no position', () => {
    const r = parseJsonText('{\n  "name": "x",\n  "pw": hunter2\n}');
    expect(r).toMatchObject({ ok: false, line: 3, column: 9, atEnd: false, reason: 'unexpected character' });
    expect(JSON.stringify(r)).not.toContain('hunter2');
  });

  it('locates a missing comma by the position V8 gives', () => {
    expect(parseJsonText('{"a": 1 "b": 2}')).toMatchObject({ ok: false, line: 1, column: 9, atEnd: false });
  });

  it('says when the text ends before the JSON does', () => {
    expect(parseJsonText('{"a": [1, 2')).toMatchObject({ ok: false, atEnd: true, reason: 'unexpected end of input' });
  });
});

describe('parseJsonText nesting bound', () => {
  const nested = (n: number) => `{"config":{"x":${'['.repeat(n)}${']'.repeat(n)}}}`;

  it('parses text nested exactly to the bound', () => {
    // the object, config and n - 2 arrays: n levels
    const r = parseJsonText(nested(MAX_JSON_DEPTH - 2));
    expect(r.ok).toBe(true);
  });

  it.each([MAX_JSON_DEPTH - 1, 2000, 5000, 100_000])('refuses %i nested arrays under two objects, pointing at the first bracket too many', (n) => {
    const r = parseJsonText(nested(n));
    expect(r).toMatchObject({ ok: false, tooDeep: true, line: 1, column: '{"config":{"x":'.length + (MAX_JSON_DEPTH - 2) + 1, atEnd: false });
    expect(r.ok === false && r.reason).toBe(`arrays and objects nest more than ${MAX_JSON_DEPTH} levels deep`);
  });

  it('counts objects as levels too, and brackets inside strings not at all', () => {
    const deepObjects = '{"a":'.repeat(MAX_JSON_DEPTH + 1) + '1' + '}'.repeat(MAX_JSON_DEPTH + 1);
    expect(parseJsonText(deepObjects)).toMatchObject({ ok: false, tooDeep: true });
    const inStrings = JSON.stringify({ s: '[{'.repeat(1000), t: 'a\\"[[[[\\\\' });
    expect(parseJsonText(inStrings)).toEqual({ ok: true, value: JSON.parse(inStrings) });
  });

  it('refuses deep text that is not JSON either, and reports a syntax error that comes first', () => {
    expect(parseJsonText('['.repeat(5000))).toMatchObject({ ok: false, tooDeep: true });
    expect(parseJsonText(`{"a": x, "b": ${'['.repeat(5000)}`)).toMatchObject({ ok: false, tooDeep: false, line: 1, column: 7 });
  });

  it('takes a lower bound from the caller', () => {
    expect(parseJsonText('[[[1]]]', 3).ok).toBe(true);
    expect(parseJsonText('[[[[1]]]]', 3)).toMatchObject({ ok: false, tooDeep: true, column: 4 });
  });
});
