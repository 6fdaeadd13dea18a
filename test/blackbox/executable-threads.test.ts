// The agent's executable starts one V8 worker thread, not Node's default four (build/sea.mjs, EXEC_ARGV).

import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from './harness';

const AGENT = join(__dirname, '..', '..', 'dist', 'cloudlet-agent');
const cleanups: Array<() => void> = [];
afterEach(() => cleanups.splice(0).forEach((c) => c()));

function threads(pid: number): number {
  return readdirSync(`/proc/${pid}/task`).length;
}

/** The thread count once it has stopped changing over ten looks in a row (Node starts its threads before any script). */
async function settledThreads(pid: number): Promise<number> {
  let last = -1;
  let same = 0;
  while (same < 10) {
    const now = threads(pid);
    same = now === last ? same + 1 : 0;
    last = now;
    await new Promise((r) => setTimeout(r, 20));
  }
  return last;
}

describe('the agent executable', () => {
  it('runs with one V8 worker thread: three threads fewer than a default Node (4 vs 7)', async () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    // status --wait on a run directory where no run will ever appear: a process that idles until killed.
    const child = spawn(AGENT, ['status', '--wait', '--timeout', '60', '--run-dir', dir], { stdio: 'ignore' });
    cleanups.push(() => child.kill('SIGKILL'));
    await new Promise((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', reject);
    });
    const count = await settledThreads(child.pid as number);
    // main thread, libuv's signal/io helper threads, and the V8 platform's workers (1 here, 4 by default)
    expect(count).toBeLessThanOrEqual(4);
  });
});
