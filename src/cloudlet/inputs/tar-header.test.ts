// The header parser: ustar prefix, GNU and v7 variants, checksums, octal and base-256 numbers, bad fields.

import { describe, expect, it } from 'vitest';
import { AgentError } from '../../errors';
import { header } from './tar-test-support';
import { parseHeader } from './tar-header';

function fails(block: Buffer): AgentError {
  try {
    parseHeader(block, 'test.tar at byte 0');
  } catch (err) {
    return err as AgentError;
  }
  throw new Error('parseHeader accepted the block');
}

describe('parseHeader', () => {
  it('reads every field of a ustar header and joins the prefix to the name', () => {
    const h = parseHeader(header({ name: 'file', prefix: 'usr/share/doc', mode: 0o104755, uid: 1000, gid: 50, size: 1234, mtime: 1_600_000_000, type: '0' }), 'w');
    expect(h).toEqual({ name: 'usr/share/doc/file', linkname: '', typeflag: '0', mode: 0o4755, uid: 1000, gid: 50, size: 1234, mtime: 1_600_000_000, devmajor: 0, devminor: 0 });
  });

  it('reads device numbers and link names', () => {
    const h = parseHeader(header({ name: 'dev/sda', type: '4', devmajor: 8, devminor: 1 }), 'w');
    expect([h.typeflag, h.devmajor, h.devminor]).toEqual(['4', 8, 1]);
    expect(parseHeader(header({ name: 'l', type: '2', linkname: '../target' }), 'w').linkname).toBe('../target');
  });

  it('ignores the prefix field in GNU headers, where it holds other data', () => {
    const block = header({ name: 'name', format: 'gnu', raw: { prefix: Buffer.from('00000000000\0') } });
    expect(parseHeader(block, 'w').name).toBe('name');
  });

  it('reads a v7 header (no magic, no device fields)', () => {
    expect(parseHeader(header({ name: 'old/', format: 'v7', type: '0' }), 'w').name).toBe('old/');
  });

  it('refuses a header whose checksum does not match, with the offset in where', () => {
    const block = header({ name: 'a' });
    block[0] = 'b'.charCodeAt(0);
    const err = fails(block);
    expect(err.code).toBe('E_BAKE_INPUT');
    expect(err.message).toContain('checksum mismatch');
    expect(err.where).toBe('test.tar at byte 0');
  });

  it('accepts the signed checksum some old tars wrote', () => {
    const block = header({ name: 'caf\u00e9' });
    let signed = 0;
    for (let i = 0; i < 512; i++) {
      const b = i >= 148 && i < 156 ? 0x20 : (block[i] as number);
      signed += b >= 0x80 ? b - 0x100 : b;
    }
    Buffer.from(signed.toString(8).padStart(6, '0') + '\0 ').copy(block, 148);
    expect(parseHeader(block, 'w').name).toBe('caf\u00e9');
  });

  it('reads GNU base-256 numbers: sizes beyond 8 GiB and negative mtimes', () => {
    const size = Buffer.alloc(12);
    size[0] = 0x80;
    size.writeUIntBE(20 * 1024 ** 3, 6, 6);
    const mtime = Buffer.alloc(12, 0xff);
    mtime.writeIntBE(-86400, 6, 6);
    const h = parseHeader(header({ name: 'big', raw: { size, mtime } }), 'w');
    expect(h.size).toBe(20 * 1024 ** 3);
    expect(h.mtime).toBe(-86400);
  });

  it('refuses numbers out of the safe range, bad octal digits and negative sizes', () => {
    const huge = Buffer.alloc(12, 0x7f);
    huge[0] = 0x80;
    expect(fails(header({ name: 'x', raw: { size: huge } })).message).toContain('out of range');
    expect(fails(header({ name: 'x', raw: { mode: Buffer.from('00006x4\0') } })).message).toContain('bad octal');
    const negative = Buffer.alloc(12, 0xff);
    expect(fails(header({ name: 'x', raw: { size: negative } })).message).toContain('negative size');
  });

  it('refuses names that are not UTF-8 rather than mangling them', () => {
    expect(fails(header({ name: 'x', raw: { name: Buffer.from([0x66, 0xff, 0x66]) } })).message).toContain('not valid UTF-8');
  });

  it('refuses a short block', () => {
    expect(fails(Buffer.alloc(100)).message).toContain('truncated');
  });
});
