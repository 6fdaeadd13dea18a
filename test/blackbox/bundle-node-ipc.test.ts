// The build's node-ipc handling: a SEA built like dist/cloudlet-agent serves a unix socket and answers.

import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO } from './harness';

describe('node-ipc inside a single executable', () => {
  it('a server and a sync-mode client, both the SEA, exchange a message with no node_modules nearby', () => {
    const r = spawnSync(join(REPO, 'node_modules', '.bin', 'node'), [join(REPO, 'build', 'smoke-node-ipc.mjs')], {
      encoding: 'utf8',
      timeout: 120_000,
    });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('node-ipc smoke: ok');
    expect(r.stdout).toContain('"execve":"function"');
  });
});
