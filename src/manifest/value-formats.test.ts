import { describe, expect, it } from 'vitest';
import { isOctalMode, isOwner, parseMemorySize, parseOctalMode, tmpfsSizeProblem } from './value-formats';

describe('value formats', () => {
  it('reads 3 or 4 octal digits as a mode', () => {
    expect(['644', '0640', '1777'].every(isOctalMode)).toBe(true);
    expect(['64', '0648', '01777', 'rw-r--r--', ''].some(isOctalMode)).toBe(false);
    expect(parseOctalMode('1777')).toBe(0o1777);
  });

  it('reads names and numeric ids as owners', () => {
    expect(['root', 'root:app', '0:0', 'app:1000', 'svc_x-1', 'machine$'].every(isOwner)).toBe(true);
    expect(['', ':app', 'root:', 'a b', 'root:app:x', '-x'].some(isOwner)).toBe(false);
  });

  it('parses memory sizes with binary units', () => {
    expect(parseMemorySize('512M')).toBe(512 * 1024 * 1024);
    expect(parseMemorySize('2g')).toBe(2 * 1024 ** 3);
    expect(parseMemorySize('1GiB')).toBe(1024 ** 3);
    expect(parseMemorySize('4096')).toBe(4096);
    expect(parseMemorySize('1.5G')).toBe(1.5 * 1024 ** 3);
    expect(parseMemorySize('1.G')).toBeUndefined();
    expect(parseMemorySize('lots')).toBeUndefined();
  });

  it('accepts tmpfs sizes as tmpfs reads them, and refuses 0 (no limit)', () => {
    for (const ok of ['64M', '1g', '4096', '10%', '100%']) expect(tmpfsSizeProblem(ok)).toBeUndefined();
    for (const bad of ['0', '0%', '101%', '64MB', '-1', '1T']) expect(tmpfsSizeProblem(bad)).toBeDefined();
  });
});
