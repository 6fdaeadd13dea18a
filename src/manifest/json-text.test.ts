// Proves JSON syntax errors are located by line and column and never quote the text.

import { describe, expect, it } from 'vitest';
import { parseJsonText } from './json-text';

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
