// Proves JSON syntax errors are located by line and column and never quote the text, and nesting is bounded.

import { describe, expect, it } from 'vitest';
import { jsonExcerpt, MAX_JSON_DEPTH, parseJsonText } from './json-text';

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

describe('jsonExcerpt', () => {
  const excerptOf = (text: string, hideValues: boolean) => {
    const r = parseJsonText(text);
    if (r.ok) throw new Error('expected a syntax error');
    return jsonExcerpt(text, r.line, r.column, { hideValues });
  };

  it('shows the line of the error with a caret under its column', () => {
    expect(excerptOf('{\n  "name": "x" "version": "1"\n}', false)).toEqual(['|   "name": "x" "version": "1"', '|               ^']);
    expect(excerptOf('{"a": 1,}', false)).toEqual(['| {"a": 1,}', '|         ^']);
  });

  it('cuts a long line to a window around the error, marking the cuts', () => {
    const text = `{"a": "${'x'.repeat(300)}" "b": 1, "c": "${'y'.repeat(300)}"}`;
    const [line = '', caret = ''] = excerptOf(text, false);
    expect(line.length).toBeLessThanOrEqual(2 + 72 + 2);
    expect(line).toMatch(/^\| …x+" "b": 1, "c": "y+…$/);
    expect(line[caret.indexOf('^')]).toBe('"');
    expect(line.slice(caret.indexOf('^'), caret.indexOf('^') + 3)).toBe('"b"');
  });

  it('with hideValues shows keys and structure, never a value, and keeps the caret on the error', () => {
    const secrets = ['hunter2', '1234', 'bare-secret', 'stray'];
    const text = '{"config": {"password": "hunter2", "pin": 1234, "x": bare-secret, "y": "stray": 1}}';
    const lines = excerptOf(text, true);
    for (const s of secrets) expect(lines.join('\n')).not.toContain(s);
    expect(lines[0]).toBe('| {"config": {"password": "…", "pin": …, "x": …, "y": "…": 1}}'.replace(': 1}}', ': …}}'));
    expect(lines[0]?.[lines[1]?.indexOf('^') ?? -1]).toBe('…');
    expect(excerptOf('{"on": true,, "off": null}', true)).toEqual(['| {"on": true,, "off": null}', '|             ^']);
  });

  it('replaces tabs and control characters so the caret stays aligned', () => {
    expect(excerptOf('{\t"a":: 1}', false)).toEqual(['| { "a":: 1}', '|       ^']);
  });
});
