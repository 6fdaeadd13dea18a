// Proves status's states and exit codes from files and from a live agent, and that --wait stops at its timeout.

import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { AgentError } from '../../errors';
import { createReporter } from '../status/create-reporter';
import type { StatusDoc } from '../status/formats';
import { fakeSystem, type FakeSystem } from '../status/test-fixtures';
import { parseCommandArgs } from './command';
import { statusCommand } from './status';

let sys: FakeSystem;
afterEach(() => sys?.cleanup());

const doc = (over: Partial<StatusDoc>): StatusDoc => ({
  version: 1, state: 'done', mode: 'run', root: '/', agentVersion: '0.1.0', pid: process.pid,
  startedAt: '2025-01-02T03:04:05.000Z', finishedAt: '2025-01-02T03:04:05.040Z', durationMs: 40,
  platform: 'nocloud', steps: [{ name: 'templates', title: 'Rendering templates', outcome: 'ok', summary: 'Rendered 2 templates', durationMs: 8 }],
  ...over,
});

function writeStatus(d: StatusDoc): void {
  mkdirSync(join(sys.hostPaths.run, 'cloudlet'), { recursive: true });
  writeFileSync(join(sys.hostPaths.run, 'cloudlet', 'status.json'), JSON.stringify(d));
}

const status = async (...argv: string[]) => statusCommand.run(parseCommandArgs(statusCommand, argv), sys);

describe('status from status.json', () => {
  it('exits 0 and prints the document with --json when the run is done', async () => {
    sys = fakeSystem();
    writeStatus(doc({}));
    expect(await status('--json')).toBe(0);
    expect(JSON.parse(sys.outLines.join('\n'))).toMatchObject({ state: 'done', platform: 'nocloud' });
  });

  it('exits 1 and names the error code when the run failed', async () => {
    sys = fakeSystem();
    writeStatus(doc({ state: 'error', error: { code: 'E_TEMPLATE', message: 'undefined name greeting', where: '/etc/motd:3', fix: 'define it' } }));
    expect(await status()).toBe(1);
    expect(sys.outLines.join('\n')).toContain('E_TEMPLATE: undefined name greeting');
    expect(sys.outLines[0]).toMatch(/^cloudlet-agent: error in 40 ms/);
  });

  it('exits 4 when the run finished degraded', async () => {
    sys = fakeSystem();
    writeStatus(doc({ state: 'degraded' }));
    expect(await status()).toBe(4);
  });

  it('exits 5 and says not started when there is no status at all', async () => {
    sys = fakeSystem();
    expect(await status('--json')).toBe(5);
    expect(JSON.parse(sys.outLines.join('\n'))).toMatchObject({ state: 'not-started' });
  });

  it('says status.json is unreadable, and how to fix it, when it is cut short: not that there is none', async () => {
    sys = fakeSystem();
    mkdirSync(join(sys.hostPaths.run, 'cloudlet'), { recursive: true });
    const file = join(sys.hostPaths.run, 'cloudlet', 'status.json');
    writeFileSync(file, JSON.stringify(doc({})).slice(0, 60));
    expect(await status()).toBe(1);
    const text = sys.outLines.join('\n');
    expect(text).toContain(`${file} is unreadable: it is not whole JSON`);
    expect(text).toContain('fix:');
    expect(text).not.toMatch(/not started|no .*status\.json/);
    sys.outLines.length = 0;
    expect(await status('--json')).toBe(1);
    expect(JSON.parse(sys.outLines.join('\n'))).toMatchObject({ state: 'unreadable', file, reason: expect.stringContaining('not whole JSON') });
  });

  it('says status.json is unreadable when it is of a version this agent does not read', async () => {
    sys = fakeSystem();
    writeStatus({ ...doc({}), version: 99 });
    expect(await status()).toBe(1);
    expect(sys.outLines.join('\n')).toContain('is unreadable: it is of version 99; this agent reads version 1');
  });

  it('exits 5 for a run still in progress, without --wait', async () => {
    sys = fakeSystem();
    writeStatus(doc({ state: 'running', finishedAt: undefined, durationMs: undefined, currentStep: 'templates' }));
    expect(await status()).toBe(5);
    expect(sys.outLines[0]).toContain('running since');
  });

  it('names the platform a running step waits on and for how long, in the summary and on the step\'s line', async () => {
    sys = fakeSystem();
    const waiting = { step: 'user-data', name: 'ec2', elapsedMs: 3200, limitMs: 5000 };
    writeStatus(doc({ state: 'running', finishedAt: undefined, durationMs: undefined, currentStep: 'user-data', waiting, steps: [{ name: 'user-data', title: 'User data' }] }));
    expect(await status()).toBe(5);
    expect(sys.outLines[0]).toMatch(/now: user-data, waiting on ec2 \(3 s of 5 s\)$/);
    expect(sys.outLines).toContain('  [ .... ] User data: waiting on ec2 (3 s of 5 s)');
  });

  it('exits 1 when status.json says running but its agent is gone', async () => {
    sys = fakeSystem();
    writeStatus(doc({ state: 'running', pid: 99_999_999 }));
    expect(await status('--wait', '--timeout', '30')).toBe(1);
    expect(sys.outLines[0]).toContain('stopped without finishing');
  });

  it('reads another run directory with --run-dir', async () => {
    sys = fakeSystem();
    writeStatus(doc({ state: 'degraded' }));
    const other = fakeSystem();
    try {
      expect(await statusCommand.run(parseCommandArgs(statusCommand, ['--run-dir', sys.hostPaths.run]), other)).toBe(4);
    } finally {
      other.cleanup();
    }
  });

  it('refuses a timeout that is not a positive number of seconds', async () => {
    sys = fakeSystem();
    await expect(status('--wait', '--timeout', 'soon')).rejects.toBeInstanceOf(AgentError);
    await expect(status('--wait', '--timeout=-1')).rejects.toThrow(/--timeout/);
    await expect(status('--wait', '--timeout', '0')).rejects.toThrow(/--timeout/);
  });
});

describe('status --wait', () => {
  // The deadline and the polls run on timers whose clock moves only when a test says so.
  const fakeTimers = () => vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
  afterEach(() => vi.useRealTimers());

  /** The outcome of `status` once the timers' clock has moved `ms`. */
  async function statusAfter(ms: number, ...argv: string[]): Promise<number> {
    const answer = status(...argv);
    await vi.advanceTimersByTimeAsync(ms);
    return answer;
  }

  it('waits for a run to rewrite an unreadable status.json, and says it is unreadable at the timeout, exit 1', async () => {
    sys = fakeSystem();
    mkdirSync(join(sys.hostPaths.run, 'cloudlet'), { recursive: true });
    writeFileSync(join(sys.hostPaths.run, 'cloudlet', 'status.json'), '');
    fakeTimers();
    expect(await statusAfter(300, '--wait', '--timeout', '0.3')).toBe(1);
    expect(sys.outLines[0]).toMatch(/status\.json is unreadable: it is empty \(and no run rewrote it within 0\.3 s\)/);
  });

  it('gives up with exit 5 when no run ever starts before the timeout', async () => {
    sys = fakeSystem();
    fakeTimers();
    expect(await statusAfter(300, '--wait', '--timeout', '0.3', '--json')).toBe(5);
    expect(JSON.parse(sys.outLines.join('\n'))).toMatchObject({ state: 'not-started', timedOut: true });
  });

  it('gives up with exit 5 when the run is still going at the timeout', async () => {
    sys = fakeSystem();
    writeStatus(doc({ state: 'running', finishedAt: undefined, durationMs: undefined }));
    fakeTimers();
    expect(await statusAfter(300, '--wait', '--timeout', '0.3', '--json')).toBe(5);
    expect(JSON.parse(sys.outLines.join('\n'))).toMatchObject({ state: 'running', timedOut: true });
  });

  it('gives up with exit 5 when the socket accepts but the agent never answers', async () => {
    sys = fakeSystem();
    writeStatus(doc({ state: 'running', finishedAt: undefined, durationMs: undefined }));
    // It reads the request and never answers: the deadline moves only once the request is in.
    let asked!: () => void;
    const requested = new Promise<void>((r) => (asked = r));
    const hung = createServer((socket) => socket.once('data', () => asked()));
    await new Promise<void>((r) => hung.listen(join(sys.hostPaths.run, 'cloudlet', 'agent.sock'), r));
    try {
      fakeTimers();
      const answer = status('--wait', '--timeout', '0.5', '--json');
      await requested;
      await vi.advanceTimersByTimeAsync(500);
      expect(await answer).toBe(5);
      expect(JSON.parse(sys.outLines.join('\n'))).toMatchObject({ state: 'running', timedOut: true });
    } finally {
      hung.close();
    }
  });

  it('picks up a status file that appears while waiting', async () => {
    sys = fakeSystem();
    fakeTimers();
    // The first look (before any timer) finds nothing; the file comes before the next poll.
    const answer = status('--wait', '--timeout', '20');
    await vi.advanceTimersByTimeAsync(100);
    writeStatus(doc({}));
    await vi.advanceTimersByTimeAsync(20_000);
    expect(await answer).toBe(0);
  });

  it('follows a live agent over the socket until it finishes, showing first the steps that ended before it came', async () => {
    sys = fakeSystem();
    const reporter = createReporter(sys, { mode: 'run', secrets: () => [], serveAfterMs: 0 });
    await reporter.begin('run', '/');
    const t = sys.monotonicMs();
    reporter.stepStart('manifest', 'Loading manifest', t);
    reporter.stepEnd('manifest', 'ok', 'Loaded manifest hello', t, 2);
    reporter.stepStart('templates', 'Rendering templates', t);
    // The watcher prints to its own console: what it shows came over the socket, not from the agent's lines.
    const watcher = fakeSystem({ run: sys.hostPaths.run });
    try {
      const waiting = statusCommand.run(parseCommandArgs(statusCommand, ['--wait', '--timeout', '20']), watcher);
      // Once it has its snapshot it shows the step that already ended; then finish the run it follows.
      await watcher.errLine('[  OK  ] Loaded manifest hello (2 ms)');
      reporter.stepEnd('templates', 'failed', 'Rendering templates: undefined name', t, 3);
      await reporter.finish('error', new AgentError('E_TEMPLATE', 'undefined name'));
      expect(await waiting).toBe(1);
      expect(watcher.errLines).toEqual(['[  OK  ] Loaded manifest hello (2 ms)', '[FAILED] Rendering templates: undefined name', '[FAILED] cloudlet-agent stopped: E_TEMPLATE']);
      expect(watcher.outLines.join('\n')).toContain('E_TEMPLATE');
    } finally {
      watcher.cleanup();
    }
  });
});
