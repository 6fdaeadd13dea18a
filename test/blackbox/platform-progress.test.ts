// Blackbox: while a platform is waited on, the console and `status` name it and how long (ec2 (2 s of 3 s)).

import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { startEc2 } from './emulators/ec2';
import { runAgentAsync } from './emulators/run-agent-async';
import { makeImage, tempDir } from './harness';

const cleanups: Array<() => void | Promise<void>> = [];
afterAll(async () => {
  for (const c of cleanups.splice(0)) await c();
});

/** Resolves once status.json tells of a wait (the agent rewrites it every second of one); fails if the run ends first. */
async function statusTellsOfWait(file: string, ended: () => boolean): Promise<void> {
  for (;;) {
    if (existsSync(file) && readFileSync(file, 'utf8').includes('"waiting"')) return;
    if (ended()) throw new Error(`the run ended and ${file} never told of a wait`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

it('a metadata service that never answers is named with the seconds waited, on the console and by status', async () => {
  const em = await startEc2({ fault: { kind: 'hang' } });
  cleanups.push(() => em.close());
  const img = makeImage({
    cloudlet: '0.0.4',
    name: 'progress',
    platforms: ['ec2'],
    datasources: { timeout: 3, total: 4, endpoints: { ec2: em.url } },
    entrypoints: { init: {} },
  });
  const tmp = tempDir('cloudlet-progress-');
  cleanups.push(img.cleanup, tmp.cleanup);
  const cmdline = join(tmp.dir, 'cmdline');
  writeFileSync(cmdline, 'console=ttyS0\n');
  const runDir = join(tmp.dir, 'run');
  const run = runAgentAsync([], {
    script: 'mount --bind "$CMDLINE" /proc/cmdline\nexec $AGENT run --root "$ROOT" --run-dir "$RUN_DIR"',
    env: { CMDLINE: cmdline, ROOT: img.root, RUN_DIR: runDir },
  });
  let ended = false;
  void run.finally(() => (ended = true));
  await statusTellsOfWait(join(runDir, 'cloudlet', 'status.json'), () => ended);
  const status = await runAgentAsync([], { script: 'exec $AGENT status --run-dir "$RUN_DIR"', env: { RUN_DIR: runDir } });
  const r = await run;

  expect(r.code).toBe(1);
  expect(r.stderr).toMatch(/^\[ WAIT \] User data: ec2 \(1 s of 3 s\)$/m);
  expect(r.stderr).toContain('E_PLATFORM_TIMEOUT');
  expect(status.code).toBe(5);
  expect(status.stdout).toMatch(/^cloudlet-agent: running since .*, now: user-data, waiting on ec2 \(\d s of 3 s\)$/m);
  expect(status.stdout).toMatch(/^ {2}\[ \.\.\.\. \] User data: waiting on ec2 \(\d s of 3 s\)$/m);
});
