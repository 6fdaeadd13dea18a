// Proves the size cap, gzip, JSON and object checks of user data, and that errors never echo its content.

import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { MAX_JSON_DEPTH } from './json-text';
import { decodeUserData, MAX_USER_DATA_BYTES } from './user-data-bytes';
import { agentErrorOf as failure } from '../test-support';

describe('decodeUserData', () => {
  it('parses a JSON object, with or without a byte-order mark', () => {
    expect(decodeUserData(Buffer.from('{"config":{"a":1}}'), 'nocloud')).toEqual({ config: { a: 1 } });
    expect(decodeUserData(Buffer.from('\ufeff{"hostname":"h"}'), 'nocloud')).toEqual({ hostname: 'h' });
  });

  it('treats empty or blank user data as none', () => {
    expect(decodeUserData(Buffer.alloc(0), 'ec2')).toBeUndefined();
    expect(decodeUserData(Buffer.from(' \n'), 'ec2')).toBeUndefined();
  });

  it('refuses more than 1 MiB with E_USERDATA_TOO_LARGE naming the platform', () => {
    const big = Buffer.alloc(MAX_USER_DATA_BYTES + 1, 0x20);
    const e = failure(() => decodeUserData(big, 'fwcfg'));
    expect(e.code).toBe('E_USERDATA_TOO_LARGE');
    expect(e.message).toContain('fwcfg');
    expect(decodeUserData(Buffer.alloc(MAX_USER_DATA_BYTES, 0x20), 'fwcfg')).toBeUndefined();
  });

  it('decompresses gzip, and applies the cap after decompression', () => {
    expect(decodeUserData(gzipSync('{"config":{"z":true}}'), 'ec2')).toEqual({ config: { z: true } });
    const bomb = gzipSync(Buffer.alloc(MAX_USER_DATA_BYTES + 10, 0x20));
    expect(bomb.length).toBeLessThan(MAX_USER_DATA_BYTES);
    expect(failure(() => decodeUserData(bomb, 'ec2')).code).toBe('E_USERDATA_TOO_LARGE');
  });

  it('reports invalid JSON by platform and position, without the content', () => {
    const secret = 'hunter2-very-secret';
    const e = failure(() => decodeUserData(Buffer.from(`{"config":\n {"pw": ${secret}}}`), 'smbios'));
    expect(e.code).toBe('E_USERDATA_INVALID');
    expect(e.message).toContain('smbios');
    expect(e.message).toMatch(/line 2/);
    expect(JSON.stringify(e.toJSON()) + e.render() + String(e.cause)).not.toContain(secret);
  });

  it('shows the line of a syntax error with a caret, values hidden (and a key only where it cannot be a value)', () => {
    const e = failure(() => decodeUserData(Buffer.from('{"config": {"password": "hunter2" "port": 8080}}'), 'nocloud'));
    expect(e.message.split('\n')).toEqual(['user data from nocloud is not valid JSON (line 1, column 35)', '  | {"config": {"password": "…" "…": …}}', '  |                             ^']);
  });

  it('points cloud-config users at the JSON format', () => {
    const e = failure(() => decodeUserData(Buffer.from('#cloud-config\npackages: [x]\n'), 'nocloud'));
    expect(e.code).toBe('E_USERDATA_INVALID');
    expect(e.fix).toMatch(/not cloud-config/);
  });

  it.each([2000, 5000])('refuses user data nested %i deep as invalid input naming the place, not as a crash', (n) => {
    const text = `{"config":{"x":${'['.repeat(n)}${']'.repeat(n)}}}`;
    const e = failure(() => decodeUserData(Buffer.from(text), 'cmdline'));
    expect(e.code).toBe('E_USERDATA_INVALID');
    const column = '{"config":{"x":'.length + MAX_JSON_DEPTH - 2 + 1;
    expect(e.message).toBe(`user data from cmdline nests arrays and objects more than ${MAX_JSON_DEPTH} levels deep (line 1, column ${column})`);
    expect(e.fix).toMatch(new RegExp(`at most ${MAX_JSON_DEPTH} levels`));
  });

  it('refuses JSON that is not an object', () => {
    expect(failure(() => decodeUserData(Buffer.from('[1,2]'), 'file')).message).toMatch(/must be a JSON object, got an array/);
    expect(failure(() => decodeUserData(Buffer.from('"s"'), 'file')).code).toBe('E_USERDATA_INVALID');
    expect(failure(() => decodeUserData(Buffer.from('null'), 'file')).message).toMatch(/got null/);
  });
});
