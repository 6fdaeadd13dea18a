// Blackbox: a `status --wait` client on the status socket never changes a run's outcome (run, degraded run, chroot), over many watched runs.

import { copyFileSync, mkdirSync } from 'node:fs';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startAgent } from './agent-process';
import { makeImage, tempDir } from './harness';

/** Watched runs of each kind, all at once: the defect was a race, lost about one time in two. */
const RUNS = 8;
const MARK = 'chroot-entry-point-ran';

const cleanups: Array<() => void> = [];
afterAll(() => {
  for (const c of cleanups.splice(0)) c();
});

/** A metadata service that holds every request until told how to answer, so the run ends only once its watcher is in. */
async function heldMetadata(): Promise<{ url: string; answer(status: number): void; close(): void }> {
  let status: number | undefined;
  const held: ServerResponse[] = [];
  const reply = (res: ServerResponse, code: number) => res.writeHead(code, { 'content-length': '0' }).end();
  const server = createServer((req, res) => {
    req.resume();
    if (status === undefined) held.push(res);
    else reply(res, status);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    answer(code) {
      status = code;
      for (const res of held.splice(0)) reply(res, code);
    },
    close() {
      server.closeAllConnections();
      server.close();
    },
  };
}

type Kind = 'run' | 'degraded' | 'chroot';

/** Asks ec2 first; the run fails (401 refuses the token) or goes on to the baked `file` (404: not EC2). */
function manifest(kind: Kind, endpoint: string): unknown {
  return {
    cloudlet: '0.0.4',
    name: `watched-${kind}`,
    platforms: kind === 'chroot' ? ['ec2', 'file'] : ['ec2'],
    // Long deadlines: the run must end because the service answered, never because a slow machine timed out.
    datasources: { timeout: 60, total: 60, endpoints: { ec2: endpoint } },
    ...(kind === 'degraded' ? { onError: 'continue' } : {}),
    entrypoints: { chroot: { command: ['/bin/busybox', 'echo', MARK] } },
  };
}

interface Watched {
  code: number | null;
  stdout: string;
  stderr: string;
  watcherCode: number | null;
}

/** One run with a `status --wait` watcher that has joined through the socket before the run ends. */
async function watchedRun(kind: Kind): Promise<Watched> {
  const meta = await heldMetadata();
  try {
    const img = makeImage(manifest(kind, meta.url), { '/etc/cloudlet/user-data.json': '{}' });
    cleanups.push(img.cleanup);
    if (kind === 'chroot') {
      mkdirSync(join(img.root, 'bin'));
      copyFileSync('/bin/busybox', join(img.root, 'bin', 'busybox'));
    }
    const tmp = tempDir('cloudlet-watch-');
    cleanups.push(tmp.cleanup);
    const runDir = join(tmp.dir, 'run');
    const agent = startAgent([kind === 'chroot' ? 'chroot' : 'run', '--root', img.root, '--run-dir', runDir]);
    const watcher = startAgent(['status', '--run-dir', runDir, '--wait', '--timeout', '90']);
    // The watcher prints the steps that already ended only once it has the socket's snapshot.
    await watcher.stderrMatches(/Loaded manifest/);
    meta.answer(kind === 'chroot' ? 404 : 401);
    const [run, watch] = await Promise.all([agent.done, watcher.done]);
    return { ...run, watcherCode: watch.code };
  } finally {
    meta.close();
  }
}

const many = (kind: Kind) => Promise.all(Array.from({ length: RUNS }, () => watchedRun(kind)));

describe('a status --wait client on the socket', () => {
  it(`leaves a failed run failed: exit 1 and its error printed, ${RUNS} watched runs`, async () => {
    const runs = await many('run');
    expect(runs.map((r) => r.code), runs.map((r) => r.stderr).join('\n---\n')).toEqual(runs.map(() => 1));
    for (const r of runs) expect(r.stderr).toMatch(/^error E_PLATFORM: ec2: .*HTTP 401/m);
    expect(runs.map((r) => r.watcherCode)).toEqual(runs.map(() => 1));
  });

  it(`leaves a degraded run degraded: exit 4, ${RUNS} watched runs`, async () => {
    const runs = await many('degraded');
    expect(runs.map((r) => r.code), runs.map((r) => r.stderr).join('\n---\n')).toEqual(runs.map(() => 4));
    for (const r of runs) expect(r.stderr).toMatch(/^error E_PLATFORM: ec2: .*HTTP 401/m);
    expect(runs.map((r) => r.watcherCode)).toEqual(runs.map(() => 4));
  });

  it(`lets chroot hand over to its entry point, ${RUNS} watched runs`, async () => {
    const runs = await many('chroot');
    expect(runs.map((r) => r.stdout.trim()), runs.map((r) => r.stderr).join('\n---\n')).toEqual(runs.map(() => MARK));
    expect(runs.map((r) => r.code)).toEqual(runs.map(() => 0));
    expect(runs.map((r) => r.watcherCode)).toEqual(runs.map(() => 0));
  });
});
