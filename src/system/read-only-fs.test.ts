// isReadOnlyError, and onReadOnlyFilesystem on a writable temp dir (read-only roots: test/blackbox mounts and templates).

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isReadOnlyError, onReadOnlyFilesystem } from './read-only-fs';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'cloudlet-rofs-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('read-only filesystems', () => {
  it('tells EROFS from other errors', () => {
    expect(isReadOnlyError(Object.assign(new Error('x'), { code: 'EROFS' }))).toBe(true);
    expect(isReadOnlyError(Object.assign(new Error('x'), { code: 'EACCES' }))).toBe(false);
    expect(isReadOnlyError(undefined)).toBe(false);
  });

  it('finds a writable directory writable, through path components that do not exist yet', async () => {
    expect(await onReadOnlyFilesystem(join(dir, 'a/b/c'))).toBe(false);
  });
});
