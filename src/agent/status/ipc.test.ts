// Proves the node-ipc status socket: snapshot on request, events until close, refusals.

import { once } from 'node:events';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { LiveEvent, StatusDoc } from './formats';
import { connectIpc } from './ipc-client';
import { startIpcServer } from './ipc-server';

const doc = (state: StatusDoc['state']): StatusDoc => ({
  version: 1, state, mode: 'run', root: '/', agentVersion: '0', pid: 1, startedAt: '2025-01-01T00:00:00.000Z', steps: [],
});

let dir = '';
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('node-ipc status socket', () => {
  it('answers a status request with the current snapshot', async () => {
    dir = mkdtempSync(join(tmpdir(), 'cloudlet-ipc-'));
    const socketPath = join(dir, 'agent.sock');
    let current = doc('running');
    const server = await startIpcServer({ socketPath, snapshot: () => current });
    const client = await connectIpc(socketPath);
    expect(await client.snapshot()).toEqual(doc('running'));
    current = { ...doc('running'), currentStep: 'templates' };
    expect((await client.snapshot()).currentStep).toBe('templates');
    client.close();
    await server.close();
  });

  it('delivers broadcast events, including the last one sent before close, then reports the close', async () => {
    dir = mkdtempSync(join(tmpdir(), 'cloudlet-ipc-'));
    const socketPath = join(dir, 'agent.sock');
    const server = await startIpcServer({ socketPath, snapshot: () => doc('running') });
    const client = await connectIpc(socketPath);
    await client.snapshot();
    const seen: LiveEvent[] = [];
    client.onEvent((e) => seen.push(e));
    const closed = new Promise<void>((resolve) => client.onClose(resolve));
    server.broadcast({ event: 'step-start', step: 'templates', title: 'Rendering templates', startMs: 1 });
    server.broadcast({ event: 'finish', state: 'done', durationMs: 9 });
    await server.close();
    await closed;
    expect(seen.map((e) => e.event)).toEqual(['step-start', 'finish']);
    expect(existsSync(socketPath)).toBe(false);
  });

  it('keeps the process alive while it closes (its socket and clients are unreferenced, its grace timer is not), and ends even if a client never closes', async () => {
    dir = mkdtempSync(join(tmpdir(), 'cloudlet-ipc-'));
    const socketPath = join(dir, 'agent.sock');
    const server = await startIpcServer({ socketPath, snapshot: () => doc('running') });
    // A client that keeps its end open after the agent ends its own.
    const client = connect({ path: socketPath, allowHalfOpen: true });
    await once(client, 'connect');
    const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    const before = timers();
    const closing = server.close();
    // Counted in the same tick: nothing else has run in between.
    expect(timers()).toBe(before + 1);
    await closing;
    expect(existsSync(socketPath)).toBe(false);
    client.destroy();
  });

  it('refuses to connect when nobody serves the socket', async () => {
    dir = mkdtempSync(join(tmpdir(), 'cloudlet-ipc-'));
    await expect(connectIpc(join(dir, 'agent.sock'))).rejects.toThrow();
  });

  it('does not unlink a regular file that sits where the socket should be', async () => {
    dir = mkdtempSync(join(tmpdir(), 'cloudlet-ipc-'));
    const socketPath = join(dir, 'agent.sock');
    writeFileSync(socketPath, 'not a socket');
    await expect(startIpcServer({ socketPath, snapshot: () => doc('running') })).rejects.toThrow(/non-socket/);
    expect(existsSync(socketPath)).toBe(true);
  });
});
