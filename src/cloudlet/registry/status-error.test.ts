import { describe, expect, it } from 'vitest';
import { registryErrorDetail, statusError } from './status-error';

describe('statusError', () => {
  it('names the status, the registry error code and a fix', () => {
    const err = statusError('GET h/v2/a/manifests/t', 404, Buffer.from('{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown","detail":{}}]}'), 'h');
    expect(err.code).toBe('E_REGISTRY');
    expect(err.message).toBe('GET h/v2/a/manifests/t: 404 not found (MANIFEST_UNKNOWN manifest unknown)');
    expect(err.fix).toContain('repository and tag');
    expect(statusError('x', 401, Buffer.alloc(0), 'h:5000').fix).toContain('credentials for h:5000');
  });

  it('ignores bodies that are not registry errors and keeps control characters out', () => {
    expect(registryErrorDetail(Buffer.from('<html>'))).toBe('');
    expect(registryErrorDetail(Buffer.from('{"errors":[]}'))).toBe('');
    expect(registryErrorDetail(Buffer.from('{"errors":[{"code":"X\\u001b[31m"}]}'))).toBe('X?[31m');
  });
});
