// The kernel-log copy: one record per line, with priority, cut to what /dev/kmsg takes in bytes.

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openKmsg } from './kmsg';

let dev: string;
beforeEach(() => {
  dev = mkdtempSync(join(tmpdir(), 'cloudlet-kmsg-'));
  // A regular file stands in for /dev/kmsg: each write is one record.
  writeFileSync(join(dev, 'kmsg'), '');
});
afterEach(() => rmSync(dev, { recursive: true, force: true }));

describe('openKmsg', () => {
  it('cuts a long line of multi-byte characters to at most 900 bytes, between characters, and goes on writing', () => {
    const log = openKmsg(dev);
    log?.write('€'.repeat(600), true);
    log?.write('next', false);
    log?.close();
    const [first = '', second] = readFileSync(join(dev, 'kmsg'), 'utf8').split('\n');
    expect(Buffer.byteLength(first)).toBeLessThanOrEqual(900);
    expect(first).toMatch(/^<3>cloudlet-agent: €+$/);
    expect(second).toBe('<6>cloudlet-agent: next');
  });

  it('is undefined where there is no kmsg to open', () => {
    expect(openKmsg(join(dev, 'missing'))).toBeUndefined();
  });
});
