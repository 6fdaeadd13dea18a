// Tool lookup and running against a temp directory of scripts: PATH first, missing tools, failing tools.

import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { realSystem } from './real-system';
import type { System } from './system';
import { findTool, requireTool, runTool } from './tools';

let dir: string;
let system: System;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'cloudlet-tools-'));
  system = { ...realSystem(), env: { PATH: `relative:${dir}` } };
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function script(name: string, body: string): void {
  writeFileSync(join(dir, name), `#!/bin/sh\n${body}\n`);
  chmodSync(join(dir, name), 0o755);
}

describe('tools', () => {
  it('finds a tool on PATH before the standard directories, ignoring relative PATH entries', async () => {
    script('sh', 'exit 0');
    expect(await findTool(system, 'sh')).toBe(join(dir, 'sh'));
  });

  it('falls back to the standard directories without PATH, and answers null for a tool nowhere', async () => {
    const bare = { ...system, env: {} };
    expect(await findTool(bare, 'sh')).toMatch(/^\/(usr\/)?bin\/sh$/);
    expect(await findTool(bare, 'cloudlet-no-such-tool')).toBeNull();
  });

  it('requireTool names the missing tool, where it looked and the error code the caller chose', async () => {
    await expect(requireTool(system, 'cloudlet-no-such-tool', 'E_EXEC')).rejects.toMatchObject({
      code: 'E_EXEC',
      message: 'cloudlet-no-such-tool is not installed',
      where: expect.stringContaining(dir),
    });
  });

  it('runTool turns a non-zero exit into an error quoting the last lines of stderr', async () => {
    script('failing', 'echo first >&2; echo "no space left" >&2; exit 3');
    await expect(runTool(system, 'failing', ['/dev/x'], 'E_STORAGE', 'free some space')).rejects.toMatchObject({
      code: 'E_STORAGE',
      message: 'failing /dev/x failed: first; no space left',
      where: '/dev/x',
      fix: 'free some space',
    });
  });
});
