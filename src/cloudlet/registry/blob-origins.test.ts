import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadOrigins, mountSource, noteOrigins, saveOrigins } from './blob-origins';

describe('blob origins', () => {
  it('names another repository of the same host, never the target itself nor another host', () => {
    let o = noteOrigins({}, 'h:1', 'a', ['sha256:1']);
    o = noteOrigins(o, 'h:2', 'b', ['sha256:1']);
    expect(mountSource(o, 'h:1', 'b', 'sha256:1')).toBe('a');
    expect(mountSource(o, 'h:1', 'a', 'sha256:1')).toBeUndefined();
    expect(mountSource(o, 'h:3', 'x', 'sha256:1')).toBeUndefined();
  });

  it('survives a round trip and treats a broken file as empty', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'origins-'));
    expect(await loadOrigins(dir)).toEqual({});
    const o = noteOrigins({}, 'h', 'a', ['sha256:1', 'sha256:2']);
    await saveOrigins(dir, o);
    expect(await loadOrigins(dir)).toEqual(o);
    mkdirSync(join(dir, 'cache'), { recursive: true });
    writeFileSync(join(dir, 'cache', 'registry-blobs.json'), '[1,');
    expect(await loadOrigins(dir)).toEqual({});
  });
});
